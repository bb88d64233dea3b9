package io.smcj.cdc;

/**
 * A cursor as it travels in a CDC message, {@code union smc_cdc_cursor} in
 * {@code net/smc/smc_cdc.h}: 8 bytes in network byte order.
 *
 * <pre>
 *   +0  u16 reserved  (the kernel sends 0 and ignores it on receive)
 *   +2  u16 wrap      window wrap sequence number
 *   +4  u32 count     offset in the RMBE
 * </pre>
 *
 * The raw {@code reserved} value and a {@code count} beyond any RMBE size are kept exactly as
 * received so that re-encoding reproduces the peer's bytes; whether the cursor is plausible is
 * decided by the connection core ({@link CdcReceiver}), not the codec.
 *
 * @param reserved u16 (0..0xFFFF)
 * @param wrap     u16 (0..0xFFFF)
 * @param count    u32 (0..0xFFFFFFFF)
 */
public record CdcCursor(int reserved, int wrap, long count) {
    public static final int LENGTH = 8;
    public static final CdcCursor ZERO = new CdcCursor(0, 0, 0);

    public CdcCursor {
        if (reserved < 0 || reserved > 0xFFFF) {
            throw new IllegalArgumentException("cursor reserved is u16, got " + reserved);
        }
        if (wrap < 0 || wrap > 0xFFFF) {
            throw new IllegalArgumentException("cursor wrap is u16, got " + wrap);
        }
        if (count < 0 || count > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("cursor count is u32, got " + count);
        }
    }

    /** The wire form of a host cursor ({@code smc_host_cursor_to_cdc}; reserved = 0). */
    public static CdcCursor of(Cursor c) {
        return new CdcCursor(0, c.wrap(), c.count());
    }

    /**
     * The host cursor ({@code wrap}, {@code count}). Callers must have checked that
     * {@code count} fits the RMBE ({@link #fitsIn}); a count above {@code Integer.MAX_VALUE}
     * throws IllegalStateException.
     */
    public Cursor toCursor() {
        if (count > Integer.MAX_VALUE) {
            throw new IllegalStateException("cursor count " + count + " fits no RMBE");
        }
        return new Cursor(wrap, (int) count);
    }

    /** True when {@code count} is a valid offset in a ring of {@code size} bytes ({@code count < size}). */
    public boolean fitsIn(int size) {
        return count < size;
    }

    @Override
    public String toString() {
        return "wrap=" + wrap + " count=" + count + (reserved != 0 ? String.format(" reserved=0x%04x", reserved) : "");
    }
}
