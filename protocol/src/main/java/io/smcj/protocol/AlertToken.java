package io.smcj.protocol;

/**
 * The RMBE alert token: a per-connection u32, unique within a link group, 0 reserved. A side
 * announces its own token in CLC Accept/Confirm; the peer puts it into every CDC it sends.
 */
public record AlertToken(int value) {
    public long unsigned() {
        return Integer.toUnsignedLong(value);
    }

    public boolean isValid() {
        return value != 0;
    }

    @Override
    public String toString() {
        return Long.toString(unsigned());
    }
}
