package io.smcj.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Bounds-checked big-endian field access for decoders. Every read goes through {@link #need}
 * first so that a short buffer becomes a {@link ProtocolException} with the offending offset,
 * never an {@code IndexOutOfBoundsException}.
 */
public final class Wire {
    private Wire() {
    }

    /** Throws a ProtocolException unless {@code len} bytes at message offset {@code off} exist. */
    public static void need(ByteBuf buf, int base, int off, int len, DeclineCode code, String what) {
        if (off < 0 || len < 0 || (long) base + off + len > buf.writerIndex()) {
            throw new ProtocolException(code, Math.max(off, 0),
                    what + " needs " + len + " bytes at offset " + off + " but the message has "
                            + Math.max(0, buf.writerIndex() - base));
        }
    }

    public static int u8(ByteBuf b, int idx) {
        return b.getUnsignedByte(idx);
    }

    public static int u16(ByteBuf b, int idx) {
        return b.getUnsignedShort(idx);
    }

    /** The kernel's {@code ntoh24}. */
    public static int u24(ByteBuf b, int idx) {
        return b.getUnsignedMedium(idx);
    }

    public static long u32(ByteBuf b, int idx) {
        return b.getUnsignedInt(idx);
    }

    public static void putU24(ByteBuf b, int idx, int v) {
        b.setMedium(idx, v & 0xFFFFFF);
    }

    public static byte[] bytes(ByteBuf b, int idx, int len) {
        byte[] out = new byte[len];
        b.getBytes(idx, out);
        return out;
    }

    /** True when every byte of the range is zero (reserved fields). */
    public static boolean allZero(ByteBuf b, int idx, int len) {
        for (int i = 0; i < len; i++) {
            if (b.getByte(idx + i) != 0) {
                return false;
            }
        }
        return true;
    }
}
