package io.smcj.protocol.pcap;

import io.smcj.protocol.SmcConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Extracts SMC messages from a capture: CLC messages from reassembled TCP streams (each direction
 * separately, in sequence order, retransmissions dropped) and IB SEND payloads (LLC and CDC) from
 * RoCEv2 packets. This is what tests use to check codecs against real kernel bytes.
 */
public final class SmcCapture {
    private SmcCapture() {
    }

    /** Where a message was found. */
    public enum Carrier {
        /** A CLC message in a TCP stream. */
        TCP_CLC,
        /** The payload of a one-packet IB SEND over RoCEv2 (LLC or CDC). */
        ROCE_SEND
    }

    /**
     * One message with the frame that carried its first byte and the endpoints.
     *
     * @param bytes exactly the message (CLC: {@code length} bytes from the header; SEND: the payload)
     */
    public record Message(Carrier carrier, int frameNumber, InetAddress src, int srcPort, InetAddress dst,
                          int dstPort, byte[] bytes) {
        /** First byte: CLC eyecatcher byte, or the LLC/CDC type. */
        public int firstByte() {
            return bytes.length == 0 ? -1 : bytes[0] & 0xff;
        }
    }

    public static List<Packet> packets(Path pcap) throws IOException {
        return packetsOf(java.nio.file.Files.readAllBytes(pcap));
    }

    /** The dissected frames of a pcap file held in memory (e.g. {@link PcapWriter#bytes()}). */
    public static List<Packet> packetsOf(byte[] pcapFile) throws IOException {
        List<Packet> out = new ArrayList<>();
        for (PcapReader.Frame f : PcapReader.read(pcapFile)) {
            out.add(Packet.parse(f));
        }
        return out;
    }

    /** All CLC messages and RoCEv2 SEND payloads, in capture order of their first frame. */
    public static List<Message> messages(Path pcap) throws IOException {
        return messages(packets(pcap));
    }

    public static List<Message> messages(List<Packet> packets) {
        List<Message> out = new ArrayList<>();
        out.addAll(clcMessages(packets));
        for (Packet p : packets) {
            if (p.roce() != null && p.roce().isSendOnly()) {
                out.add(new Message(Carrier.ROCE_SEND, p.frame().number(), p.src(), p.udp().srcPort(), p.dst(),
                        p.udp().dstPort(), p.roce().payload()));
            }
        }
        out.sort((a, b) -> Integer.compare(a.frameNumber(), b.frameNumber()));
        return out;
    }

    /** CLC messages of every TCP direction in the capture. */
    public static List<Message> clcMessages(List<Packet> packets) {
        Map<String, Stream> streams = new LinkedHashMap<>();
        for (Packet p : packets) {
            Packet.Tcp t = p.tcp();
            if (t == null) {
                continue;
            }
            String key = p.src().getHostAddress() + ":" + t.srcPort() + ">" + p.dst().getHostAddress() + ":"
                    + t.dstPort();
            Stream s = streams.computeIfAbsent(key, k -> new Stream(p.src(), t.srcPort(), p.dst(), t.dstPort()));
            s.add(p.frame().number(), t);
        }
        List<Message> out = new ArrayList<>();
        for (Stream s : streams.values()) {
            s.split(out);
        }
        return out;
    }

    /** One direction of a TCP connection, reassembled in order. */
    private static final class Stream {
        final InetAddress src;
        final int srcPort;
        final InetAddress dst;
        final int dstPort;
        long nextSeq = -1;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<int[]> frameAt = new ArrayList<>(); // {stream offset, frame number}

        Stream(InetAddress src, int srcPort, InetAddress dst, int dstPort) {
            this.src = src;
            this.srcPort = srcPort;
            this.dst = dst;
            this.dstPort = dstPort;
        }

        void add(int frame, Packet.Tcp t) {
            if (t.syn()) {
                nextSeq = (t.seq() + 1) & 0xFFFFFFFFL;
                return;
            }
            byte[] pl = t.payload();
            if (pl.length == 0) {
                return;
            }
            if (nextSeq < 0) {
                nextSeq = t.seq(); // capture started mid-stream
            }
            long rel = (t.seq() - nextSeq) & 0xFFFFFFFFL;
            if (rel >= 0x80000000L) { // starts before nextSeq: retransmission, maybe partial
                long skip = (nextSeq - t.seq()) & 0xFFFFFFFFL;
                if (skip >= pl.length) {
                    return;
                }
                frameAt.add(new int[] {data.size(), frame});
                data.write(pl, (int) skip, pl.length - (int) skip);
                nextSeq = (nextSeq + pl.length - skip) & 0xFFFFFFFFL;
            } else if (rel == 0) {
                frameAt.add(new int[] {data.size(), frame});
                data.write(pl, 0, pl.length);
                nextSeq = (nextSeq + pl.length) & 0xFFFFFFFFL;
            }
            // a gap (lost segment in the capture): ignore out-of-order data
        }

        void split(List<Message> out) {
            byte[] b = data.toByteArray();
            int pos = 0;
            while (pos + 8 <= b.length) {
                int eye = ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8)
                        | (b[pos + 3] & 0xff);
                if (eye != SmcConstants.EYECATCHER_SMCR && eye != SmcConstants.EYECATCHER_SMCD) {
                    break; // the rest is application data (fallback) or not SMC
                }
                int len = ((b[pos + 5] & 0xff) << 8) | (b[pos + 6] & 0xff);
                if (len < 8 || pos + len > b.length) {
                    break;
                }
                byte[] msg = new byte[len];
                System.arraycopy(b, pos, msg, 0, len);
                out.add(new Message(Carrier.TCP_CLC, frameOf(pos), src, srcPort, dst, dstPort, msg));
                pos += len;
            }
        }

        int frameOf(int streamOffset) {
            int frame = -1;
            for (int[] fa : frameAt) {
                if (fa[0] <= streamOffset) {
                    frame = fa[1];
                }
            }
            return frame;
        }
    }
}
