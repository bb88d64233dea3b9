package io.smcj.llc;

/**
 * Byte order of the 16-bit {@code length_v2} of an LLC v2 header (and of {@code num_rkeys} in the
 * ADD LINK v2 extension). Linux declares both as plain {@code u16} and stores them without
 * byte swapping, so they travel in the sender's host order: little-endian from x86_64 and arm64
 * (seen in the fixtures: {@code 21 2c 00 03}), big-endian from s390x.
 */
public enum LengthOrder {
    LITTLE_ENDIAN,
    BIG_ENDIAN;

    int read(int b0, int b1) {
        return this == LITTLE_ENDIAN ? b0 | (b1 << 8) : (b0 << 8) | b1;
    }

    int first(int value) {
        return this == LITTLE_ENDIAN ? value & 0xff : (value >>> 8) & 0xff;
    }

    int second(int value) {
        return this == LITTLE_ENDIAN ? (value >>> 8) & 0xff : value & 0xff;
    }
}
