package io.smcj.llc;

import io.netty.buffer.ByteBuf;
import io.smcj.protocol.Hex;

import java.util.Arrays;

/**
 * An immutable run of raw bytes: reserved fields and trailing bytes that smcj keeps so that
 * decoding and re-encoding a message gives back exactly the bytes that were received.
 */
public final class Octets {
    public static final Octets EMPTY = new Octets(new byte[0]);

    private final byte[] bytes;

    private Octets(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Octets of(byte... bytes) {
        return bytes.length == 0 ? EMPTY : new Octets(bytes.clone());
    }

    public static Octets zeros(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        return length == 0 ? EMPTY : new Octets(new byte[length]);
    }

    /** Reads {@code length} bytes at absolute index {@code index} of {@code buf} (bounds checked by the caller). */
    static Octets read(ByteBuf buf, int index, int length) {
        if (length == 0) {
            return EMPTY;
        }
        byte[] b = new byte[length];
        buf.getBytes(index, b);
        return new Octets(b);
    }

    void write(ByteBuf buf, int index) {
        buf.setBytes(index, bytes);
    }

    public int length() {
        return bytes.length;
    }

    public byte[] toArray() {
        return bytes.clone();
    }

    public boolean isZero() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Lower-case hex without separators ("" when empty). */
    public String hex() {
        return Hex.of(bytes);
    }

    /** Throws IllegalArgumentException unless exactly {@code expected} bytes long. */
    static Octets require(Octets o, int expected, String what) {
        if (o == null || o.length() != expected) {
            throw new IllegalArgumentException(what + " must be " + expected + " bytes, got "
                    + (o == null ? "null" : o.length()));
        }
        return o;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Octets other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
