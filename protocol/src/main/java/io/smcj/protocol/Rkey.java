package io.smcj.protocol;

/** A 32-bit remote memory key (the u32 is held in an int; compare with {@link #unsigned()}). */
public record Rkey(int value) {
    public long unsigned() {
        return Integer.toUnsignedLong(value);
    }

    @Override
    public String toString() {
        return String.format("0x%08x", value);
    }
}
