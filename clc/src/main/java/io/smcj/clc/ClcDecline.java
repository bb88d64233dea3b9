package io.smcj.clc;

import io.netty.buffer.ByteBuf;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Fields;
import io.smcj.protocol.OsType;
import io.smcj.protocol.PeerId;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static io.smcj.clc.ClcConstants.DECLINE_LEN;
import static io.smcj.clc.ClcConstants.DECLINE_LEN_V2;
import static io.smcj.clc.ClcConstants.DECL_DIAG_COUNT_V2;
import static io.smcj.clc.ClcConstants.TRAILER_LENGTH;
import static io.smcj.clc.ClcErrors.eproto;

/**
 * CLC Decline ({@code struct smc_clc_msg_decline} / {@code _v2}):
 *
 * <pre>
 *   0 header (bit 0x08 of byte 7: out of sync)
 *   8 id_for_peer (8)     16 peer_diagnosis (u32)   20 os_type:4 | reserved:4   21 reserved2[3]
 *  24 v1: trailer (length 28)
 *  24 v2: peer_diagnosis_v2[4] (u32 each)           40 trailer (length 44)
 * </pre>
 *
 * <p>Validity is {@code smc_clc_msg_decl_valid}: length 28 for header version 1, 44 otherwise. The
 * kernel does not check a Decline's trailer, so it is kept raw.
 *
 * @param byte20 os_type (high nibble) and reserved nibble, as sent
 * @param peerDiagnosisV2 v2: the four additional diagnosis codes; v1: empty
 */
public record ClcDecline(ClcHeader header, PeerId peerId, int peerDiagnosis, int byte20, RawBytes reserved2,
                         List<Integer> peerDiagnosisV2, RawBytes trailer) implements ClcMessage {
    public ClcDecline {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(peerId, "peerId");
        peerDiagnosisV2 = List.copyOf(peerDiagnosisV2);
        if (header.type() != ClcType.DECLINE) {
            throw new IllegalArgumentException("header type must be DECLINE");
        }
        if (byte20 < 0 || byte20 > 0xFF || reserved2.length() != 3 || trailer.length() != TRAILER_LENGTH) {
            throw new IllegalArgumentException("byte20 u8, reserved2[3], trailer[4]");
        }
        int want = header.isV2() ? DECL_DIAG_COUNT_V2 : 0;
        if (peerDiagnosisV2.size() != want) {
            throw new IllegalArgumentException("v2 Decline has 4 extra diagnoses, v1 none");
        }
        if (header.length() != (header.isV2() ? DECLINE_LEN_V2 : DECLINE_LEN)) {
            throw new IllegalArgumentException("Decline length must be 28 (v1) or 44 (v2)");
        }
    }

    /**
     * What {@code smc_clc_send_decline} sends: "SMCR", version 1 (28 bytes, os_type 0) or 2 (44 bytes,
     * os_type Linux), out-of-sync bit iff the code is SYNCERR.
     */
    public static ClcDecline linux(int version, PeerId peerId, int peerDiagnosis) {
        boolean v2 = version > 1;
        ClcHeader h = new ClcHeader(Eyecatcher.SMCR, ClcType.DECLINE, v2 ? DECLINE_LEN_V2 : DECLINE_LEN, version,
                peerDiagnosis == DeclineCode.SYNCERR.value() ? ClcHeader.FIRST_CONTACT_MASK : 0, 0);
        return new ClcDecline(h, peerId, peerDiagnosis, v2 ? OsType.LINUX.wire() << 4 : 0, RawBytes.zeros(3),
                v2 ? List.of(0, 0, 0, 0) : List.of(), RawBytes.of(ClcAcceptConfirm.intBytes(Eyecatcher.SMCR.value())));
    }

    public static ClcDecline linux(int version, PeerId peerId, DeclineCode code) {
        return linux(version, peerId, code.value());
    }

    public boolean outOfSync() {
        return header.outOfSync();
    }

    public int osType() {
        return byte20 >>> 4;
    }

    /** The known code for the diagnosis, if any. */
    public java.util.Optional<DeclineCode> declineCode() {
        return DeclineCode.of(peerDiagnosis);
    }

    static ClcDecline decode(ByteBuf m, ClcHeader h) {
        int limit = h.length();
        int want = h.isV2() ? DECLINE_LEN_V2 : DECLINE_LEN;
        if (limit != want) {
            throw eproto(5, "Decline version " + h.version() + " length " + limit + " != " + want);
        }
        List<Integer> v2 = new ArrayList<>(4);
        if (h.isV2()) {
            for (int i = 0; i < DECL_DIAG_COUNT_V2; i++) {
                v2.add(m.getInt(24 + 4 * i));
            }
        }
        return new ClcDecline(h, PeerId.of(RawBytes.read(m, 8, 8).bytes()), m.getInt(16), m.getUnsignedByte(20),
                RawBytes.read(m, 21, 3), v2, RawBytes.read(m, limit - TRAILER_LENGTH, TRAILER_LENGTH));
    }

    void encode(ByteBuf out) {
        header.write(out);
        out.writeBytes(peerId.bytes());
        out.writeInt(peerDiagnosis);
        out.writeByte(byte20);
        reserved2.write(out);
        for (int d : peerDiagnosisV2) {
            out.writeInt(d);
        }
        trailer.write(out);
    }

    @Override
    public Fields describe() {
        Fields f = header.describe();
        f.add("out_of_sync", outOfSync(), 7);
        f.add("id_for_peer", peerId, 8, ClcHeader.peerIdHex(peerId));
        f.add("peer_diagnosis", Integer.toUnsignedLong(peerDiagnosis), 16, DeclineCode.describe(peerDiagnosis));
        OsType os = OsType.ofWire(osType());
        f.add("os_type", osType(), 20, os == null ? "unknown" : os.name());
        f.addHex("reserved", byte20 & 0xF, 20, null);
        f.add("reserved2", reserved2.hex(), 21);
        if (header.isV2()) {
            List<Object> l = new ArrayList<>();
            for (int d : peerDiagnosisV2) {
                l.add(Integer.toUnsignedLong(d));
            }
            f.add("peer_diagnosis_v2", l, 24, String.join("; ", peerDiagnosisV2.stream()
                    .map(d -> d == 0 ? "0" : DeclineCode.describe(d)).toList()));
        }
        Eyecatcher e = Eyecatcher.of(m32(trailer));
        f.add("trailer", e != null ? e.name() : trailer.hex(), header.length() - TRAILER_LENGTH,
                e != null ? null : "not an eyecatcher (the kernel does not check a Decline's trailer)");
        return f;
    }

    private static int m32(RawBytes r) {
        return r.byteAt(0) << 24 | r.byteAt(1) << 16 | r.byteAt(2) << 8 | r.byteAt(3);
    }
}
