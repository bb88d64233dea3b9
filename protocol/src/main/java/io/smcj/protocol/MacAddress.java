package io.smcj.protocol;

import java.util.Arrays;
import java.util.HexFormat;

/** A 6-byte Ethernet MAC (the RoCE port's L2 address in CLC and LLC). */
public final class MacAddress {
    public static final int LENGTH = 6;
    public static final MacAddress ZERO = new MacAddress(new byte[LENGTH]);
    private static final HexFormat COLON = HexFormat.ofDelimiter(":");

    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("MAC must be 6 bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return new MacAddress(bytes.clone());
    }

    /** Parses {@code 52:54:00:12:34:56} (also '-' separated, or 12 hex digits). */
    public static MacAddress parse(String text) {
        String t = text.strip().replace('-', ':').toLowerCase();
        try {
            byte[] b = t.contains(":") ? COLON.parseHex(t) : HexFormat.of().parseHex(t);
            return of(b);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'", e);
        }
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return COLON.formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
