package io.smcj.clc;

import io.netty.buffer.ByteBuf;
import io.smcj.protocol.Hex;

import java.util.Arrays;

/**
 * An immutable byte sequence for reserved, vendor and opaque fields. CLC decoders keep these bytes
 * exactly as received so that decode followed by encode reproduces the peer's bytes, including
 * non-zero reserved fields.
 */
public final class RawBytes {
    private static final RawBytes[] ZEROS = new RawBytes[65];

    static {
        for (int i = 0; i < ZEROS.length; i++) {
            ZEROS[i] = new RawBytes(new byte[i]);
        }
    }

    private final byte[] bytes;

    private RawBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    public static RawBytes of(byte[] bytes) {
        return new RawBytes(bytes.clone());
    }

    /** {@code n} zero bytes. */
    public static RawBytes zeros(int n) {
        return n < ZEROS.length ? ZEROS[n] : new RawBytes(new byte[n]);
    }

    public static RawBytes hex(String hex) {
        return new RawBytes(Hex.parse(hex));
    }

    static RawBytes read(ByteBuf b, int idx, int len) {
        byte[] out = new byte[len];
        b.getBytes(idx, out);
        return new RawBytes(out);
    }

    void write(ByteBuf b) {
        b.writeBytes(bytes);
    }

    public int length() {
        return bytes.length;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int byteAt(int i) {
        return bytes[i] & 0xff;
    }

    public boolean isZero() {
        for (byte x : bytes) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** Printable ASCII with trailing blanks and NULs stripped, or null if any byte is not printable. */
    public String asciiText() {
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == ' ' || bytes[end - 1] == 0)) {
            end--;
        }
        for (int i = 0; i < end; i++) {
            if (bytes[i] < 0x20 || bytes[i] > 0x7e) {
                return null;
            }
        }
        return new String(bytes, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** 32-byte blank padded ASCII as the kernel writes EIDs and host names. */
    public static RawBytes blankPadded(String text, int len) {
        byte[] t = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (t.length > len) {
            throw new IllegalArgumentException("'" + text + "' is longer than " + len + " bytes");
        }
        byte[] out = new byte[len];
        Arrays.fill(out, (byte) ' ');
        System.arraycopy(t, 0, out, 0, t.length);
        return new RawBytes(out);
    }

    String hex() {
        return Hex.of(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawBytes r && Arrays.equals(bytes, r.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return Hex.of(bytes);
    }
}
