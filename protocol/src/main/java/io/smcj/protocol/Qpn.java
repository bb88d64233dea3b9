package io.smcj.protocol;

/** A 24-bit InfiniBand queue pair number (CLC Accept/Confirm, LLC CONFIRM/ADD LINK). */
public record Qpn(int value) {
    public static final int MAX = 0xFFFFFF;

    public Qpn {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException("QPN must be 24 bits (0..0xFFFFFF), got " + value);
        }
    }

    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
