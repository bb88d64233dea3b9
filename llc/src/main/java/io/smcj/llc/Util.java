package io.smcj.llc;

import io.smcj.protocol.Fields;

import java.util.List;

/** Argument checks and describe() helpers shared by the message records. */
final class Util {
    private Util() {
    }

    static int u8(int v, String what) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException(what + " must be 0..255, got " + v);
        }
        return v;
    }

    static int u16(int v, String what) {
        if (v < 0 || v > 0xffff) {
            throw new IllegalArgumentException(what + " must be 0..65535, got " + v);
        }
        return v;
    }

    static long u32(long v, String what) {
        if (v < 0 || v > 0xffffffffL) {
            throw new IllegalArgumentException(what + " must be 0..0xffffffff, got " + v);
        }
        return v;
    }

    static <T> List<T> list(List<T> l, int exact, String what) {
        List<T> c = List.copyOf(l);
        if (exact >= 0 && c.size() != exact) {
            throw new IllegalArgumentException(what + " must have " + exact + " entries, got " + c.size());
        }
        return c;
    }

    /** v2 messages must fit the kernel's 8 KiB receive buffer and be at least 44 bytes. */
    static void checkTotal(LlcHeader h, int total, String type) {
        if (h.framing().isV2()) {
            if (total < LlcCodec.V1_LENGTH || total > LlcCodec.MAX_V2_LENGTH) {
                throw new IllegalArgumentException(type + " v2 length must be 44..8192, got " + total);
            }
        } else if (total != LlcCodec.V1_LENGTH) {
            throw new IllegalArgumentException(type + " v1 length must be 44, got " + total);
        }
    }

    /** Header fields (offsets 0-3) in kernel names. */
    static Fields header(LlcMessage m) {
        LlcHeader h = m.header();
        LlcType t = m.type();
        Fields f = new Fields();
        f.addHex("type", m.typeByte(), 0, t.kernelName(h.framing())
                + (t.kernelReceives(h.framing()) ? "" : "; Linux has no receive handler for it and drops it"));
        f.add("llc_version", h.framing().versionNibble(), 0);
        f.add("llc_type", t.code(), 0);
        if (h.framing().isV2()) {
            f.add("length_v2", m.encodedLength(), 1, "u16 in the sender's host order, here "
                    + (h.framing().lengthOrder() == LengthOrder.LITTLE_ENDIAN ? "little-endian" : "big-endian"));
        } else {
            f.add("length", LlcCodec.V1_LENGTH, 1);
            int rsn = h.v1Byte2() & 0x0f;
            f.add("add_link_rej_rsn", rsn, 2, rsn == LlcFlags.REJ_RSN_NO_ALT_PATH
                    ? "SMC_LLC_REJ_RSN_NO_ALT_PATH" : rsn == 0 ? null : "unknown");
            f.add("reserved", h.v1Byte2() >>> 4, 2);
        }
        f.addHex("flags", h.flags(), 3, LlcFlags.names(t, h.flags()));
        return f;
    }

    static void trailer(Fields f, LlcMessage m, String name) {
        Octets tr = m.header().trailer();
        if (tr.length() > 0) {
            f.add(name, tr.hex(), m.encodedLength() - tr.length(), name.equals("trailer")
                    ? tr.length() + " bytes after the body up to length_v2 (Linux ignores them)" : null);
        }
    }

    static String hex32(long v) {
        return String.format("0x%08x", v);
    }

    /** A u64 as an unsigned number (JSON prints all digits). */
    static java.math.BigInteger u64(long v) {
        return new java.math.BigInteger(Long.toUnsignedString(v));
    }

    static String hex64(long v) {
        return String.format("0x%016x", v);
    }
}
