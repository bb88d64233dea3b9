package io.smcj.cdc;

/**
 * A host cursor, {@code union smc_host_cursor} in {@code net/smc/smc.h}: a position in a ring
 * (an RMBE or a send buffer) given as a 16-bit wrap sequence number and a byte offset
 * ({@code count}) with {@code 0 <= count < size}. The arithmetic mirrors {@code net/smc/smc_cdc.h};
 * each method names the kernel function.
 *
 * <p>Wrap counts are u16 and roll over from 0xFFFF to 0. The kernel's own comparisons
 * ({@link #comp}, {@link #diffLarge}) handle the roll-over only partially; {@link #distance} is
 * the serial-number distance used by this library's validation (it never mis-orders across the
 * roll-over as long as the two cursors are less than 2^15 ring sizes apart).
 *
 * @param wrap  u16 wrap sequence number
 * @param count byte offset in the ring, non-negative
 */
public record Cursor(int wrap, int count) implements Comparable<Cursor> {
    public static final Cursor ZERO = new Cursor(0, 0);

    public Cursor {
        if (wrap < 0 || wrap > 0xFFFF) {
            throw new IllegalArgumentException("cursor wrap is u16, got " + wrap);
        }
        if (count < 0) {
            throw new IllegalArgumentException("cursor count must be >= 0, got " + count);
        }
    }

    /**
     * {@code smc_curs_add}: advance by {@code value} bytes in a ring of {@code size} bytes; the
     * wrap increments (mod 2^16) when the end of the ring is crossed.
     *
     * @throws IllegalArgumentException unless {@code count < size} and {@code 0 <= value <= size}
     */
    public Cursor add(int size, int value) {
        if (count >= size || value < 0 || value > size) {
            throw new IllegalArgumentException("cannot add " + value + " to " + this + " in a ring of " + size);
        }
        long c = (long) count + value;
        if (c >= size) {
            return new Cursor((wrap + 1) & 0xFFFF, (int) (c - size));
        }
        return new Cursor(wrap, (int) c);
    }

    /**
     * {@code smc_curs_diff}: bytes from {@code old} to {@code now} where {@code old <= now} and the
     * difference cannot exceed {@code size}; 0 if {@code now} is behind {@code old} in the same wrap.
     */
    public static int diff(int size, Cursor old, Cursor now) {
        if (old.wrap != now.wrap) {
            return (int) Math.max(0L, (long) size - old.count + now.count);
        }
        return Math.max(0, now.count - old.count);
    }

    /**
     * {@code smc_curs_comp}: like {@link #diff} but negative when {@code old > now}. Like the
     * kernel, wraps are compared as plain numbers (no roll-over handling).
     */
    public static int comp(int size, Cursor old, Cursor now) {
        if (old.wrap > now.wrap || (old.wrap == now.wrap && old.count > now.count)) {
            return -diff(size, now, old);
        }
        return diff(size, old, now);
    }

    /**
     * {@code smc_curs_diff_large}: bytes from {@code old} to {@code now} where the difference may
     * exceed {@code size} (several wraps); capped at {@code size}. A smaller wrap in {@code now}
     * is taken as a roll-over from 0xFFFF to 0, as in the kernel.
     */
    public static int diffLarge(int size, Cursor old, Cursor now) {
        if (old.wrap < now.wrap) {
            long d = (long) size - old.count + now.count + (long) (now.wrap - old.wrap - 1) * size;
            return (int) Math.min(d, size);
        }
        if (old.wrap > now.wrap) {
            // the kernel writes (now.wrap + 0xffff - old.wrap) * size here
            long d = (long) size - old.count + now.count + (long) (now.wrap + 0xFFFF - old.wrap) * size;
            return (int) Math.min(d, size);
        }
        return Math.max(0, now.count - old.count);
    }

    /**
     * Serial-number distance from {@code from} to {@code to} in a ring of {@code size} bytes:
     * positions are taken modulo {@code 2^16 * size}; the result is in
     * {@code [-2^15 * size, 2^15 * size)}. Both counts must be below {@code size}.
     */
    public static long distance(int size, Cursor from, Cursor to) {
        long modulus = 65536L * size;
        long a = (long) from.wrap * size + from.count;
        long b = (long) to.wrap * size + to.count;
        long d = Math.floorMod(b - a, modulus);
        return d >= modulus / 2 ? d - modulus : d;
    }

    /**
     * The kernel's rule in {@code smc_cdc_cursor_to_host} for ignoring a received cursor: it is
     * older than {@code current} when its wrap is lower and non-zero (a new wrap of 0 counts as
     * the roll-over from 0xFFFF), or its wrap is equal and its count lower.
     */
    public static boolean kernelIgnoresAsOlder(Cursor current, Cursor received) {
        if (current.wrap > received.wrap && received.wrap != 0) {
            return true;
        }
        return current.wrap == received.wrap && current.count > received.count;
    }

    /** Plain lexicographic (wrap, count) order, no roll-over: for sorting and tests only. */
    @Override
    public int compareTo(Cursor o) {
        int c = Integer.compare(wrap, o.wrap);
        return c != 0 ? c : Integer.compare(count, o.count);
    }

    @Override
    public String toString() {
        return wrap + ":" + count;
    }
}
