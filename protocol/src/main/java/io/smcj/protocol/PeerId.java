package io.smcj.protocol;

import java.nio.ByteBuffer;

/**
 * The 8-byte SMC peer (system) identifier: a 2-byte instance id (random per system, generated once)
 * followed by the 6-byte MAC of the first active RoCE port. Linux keeps it per link group to find
 * reusable link groups.
 */
public record PeerId(int instance, MacAddress mac) {
    public static final int LENGTH = 8;
    public static final PeerId ZERO = new PeerId(0, MacAddress.ZERO);

    public PeerId {
        if (instance < 0 || instance > 0xFFFF) {
            throw new IllegalArgumentException("peer id instance must be a u16, got " + instance);
        }
        java.util.Objects.requireNonNull(mac, "mac");
    }

    public static PeerId of(byte[] eight) {
        if (eight == null || eight.length != LENGTH) {
            throw new IllegalArgumentException("peer id must be 8 bytes");
        }
        int inst = ((eight[0] & 0xff) << 8) | (eight[1] & 0xff);
        return new PeerId(inst, MacAddress.of(java.util.Arrays.copyOfRange(eight, 2, 8)));
    }

    public byte[] bytes() {
        return ByteBuffer.allocate(LENGTH).putShort((short) instance).put(mac.bytes()).array();
    }

    public boolean isZero() {
        return instance == 0 && mac.equals(MacAddress.ZERO);
    }

    /** {@code 1234:52:54:00:12:34:56}: instance in hex, then the MAC. */
    @Override
    public String toString() {
        return String.format("%04x:%s", instance, mac);
    }
}
