package io.smcj.interop.vm;

import io.smcj.protocol.pcap.Packet;
import io.smcj.protocol.pcap.SmcCapture;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a capture shows of SMC-R: CLC messages by type (from the TCP streams), LLC messages by
 * type and CDC messages (one-packet RoCEv2 SENDs: byte 0 is the LLC type, 0xFE for CDC), RDMA
 * WRITE packets, and the peer diagnosis codes of CLC Declines.
 */
public record SmcWireSummary(List<SmcCapture.Message> clc, Map<Integer, Integer> llcTypes, int cdcCount,
                             int rdmaWritePackets, List<Long> declineCodes, List<Boolean> acceptFirstContact,
                             int smcSynOptions) {
    public static final int CLC_PROPOSAL = 1, CLC_ACCEPT = 2, CLC_CONFIRM = 3, CLC_DECLINE = 4;
    public static final int LLC_CONFIRM_LINK_V1 = 0x01, LLC_CONFIRM_LINK_V2 = 0x21, CDC = 0xFE;

    public static SmcWireSummary of(Path pcap) throws IOException {
        List<Packet> packets = SmcCapture.packets(pcap);
        List<SmcCapture.Message> clc = new ArrayList<>(SmcCapture.clcMessages(packets));
        clc.sort(Comparator.comparingInt(SmcCapture.Message::frameNumber)); // both directions, in capture order
        Map<Integer, Integer> llc = new TreeMap<>();
        int cdc = 0;
        int writes = 0;
        int synOptions = 0;
        for (Packet p : packets) {
            if (p.roce() != null) {
                if (p.roce().isRdmaWrite()) {
                    writes++;
                } else if (p.roce().isSendOnly() && p.roce().payload().length > 0) {
                    int t = p.roce().payload()[0] & 0xff;
                    if (t == CDC) {
                        cdc++;
                    } else {
                        llc.merge(t, 1, Integer::sum);
                    }
                }
            }
            if (p.tcp() != null && p.tcp().syn() && hasSmcOption(p.tcp().options())) {
                synOptions++;
            }
        }
        List<Long> declines = new ArrayList<>();
        List<Boolean> firstContact = new ArrayList<>();
        for (SmcCapture.Message m : clc) {
            byte[] b = m.bytes();
            int type = b[4] & 0xff;
            if (type == CLC_DECLINE && b.length >= 20) {
                // header (8), peer id (8), then the peer diagnosis (u32, network order)
                declines.add(((b[16] & 0xffL) << 24) | ((b[17] & 0xffL) << 16) | ((b[18] & 0xffL) << 8) | (b[19] & 0xffL));
            } else if (type == CLC_ACCEPT) {
                firstContact.add((b[7] & 0x08) != 0);
            }
        }
        return new SmcWireSummary(clc, llc, cdc, writes, declines, firstContact, synOptions);
    }

    /** TCP option kind 254 with the SMC magic E2D4C3D9 (RFC 7609 experimental option). */
    static boolean hasSmcOption(byte[] o) {
        for (int i = 0; i + 6 <= o.length; i++) {
            if ((o[i] & 0xff) == 254 && (o[i + 1] & 0xff) == 6 && (o[i + 2] & 0xff) == 0xE2
                    && (o[i + 3] & 0xff) == 0xD4 && (o[i + 4] & 0xff) == 0xC3 && (o[i + 5] & 0xff) == 0xD9) {
                return true;
            }
        }
        return false;
    }

    /** CLC message types in stream order, e.g. [1, 2, 3]. */
    public List<Integer> clcTypes() {
        return clc.stream().map(m -> m.bytes()[4] & 0xff).toList();
    }

    public int clcCount(int type) {
        return (int) clcTypes().stream().filter(t -> t == type).count();
    }

    public int llcCount(int type) {
        return llcTypes.getOrDefault(type, 0);
    }

    @Override
    public String toString() {
        StringBuilder llc = new StringBuilder();
        llcTypes.forEach((t, n) -> llc.append(String.format("0x%02x x%d ", t, n)));
        return "CLC types " + clcTypes() + ", Accept first-contact " + acceptFirstContact + ", LLC [" + llc.toString().trim()
                + "], CDC " + cdcCount + ", RDMA WRITE packets " + rdmaWritePackets + ", Declines "
                + declineCodes.stream().map(c -> String.format("0x%08x", c)).toList() + ", SYN with SMC option "
                + smcSynOptions;
    }
}
