package io.smcj.cdc;

/**
 * A contiguous range {@code [offset, offset + length)} of a ring buffer (RMBE or send buffer).
 * Readable data is at most two spans (before and after the ring end).
 */
public record RingSpan(int offset, int length) {
    public RingSpan {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("bad span " + offset + "+" + length);
        }
    }

    public int end() {
        return offset + length;
    }
}
