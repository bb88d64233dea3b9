package io.smcj.protocol;

/** A 24-bit initial packet sequence number (random per link in Linux). */
public record Psn(int value) {
    public static final int MAX = 0xFFFFFF;

    public Psn {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException("PSN must be 24 bits (0..0xFFFFFF), got " + value);
        }
    }

    @Override
    public String toString() {
        return Integer.toString(value);
    }
}
