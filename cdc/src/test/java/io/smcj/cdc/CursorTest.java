package io.smcj.cdc;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CursorTest {
    static final int S = 16384;

    @Test
    void shouldAddWithinAndAcrossTheRingEnd() {
        assertEquals(new Cursor(3, 110), new Cursor(3, 10).add(S, 100));
        assertEquals(new Cursor(4, 0), new Cursor(3, S - 100).add(S, 100));
        assertEquals(new Cursor(4, 5), new Cursor(3, S - 1).add(S, 6));
        assertEquals(new Cursor(3, 10), new Cursor(3, 10).add(S, 0));
        assertEquals(new Cursor(4, 10), new Cursor(3, 10).add(S, S));
    }

    @Test
    void shouldRollTheWrapCountOverFrom0xffffTo0() {
        assertEquals(new Cursor(0, 1), new Cursor(0xFFFF, S - 1).add(S, 2));
    }

    @Test
    void shouldRejectAddsTheKernelNeverDoes() {
        assertThrows(IllegalArgumentException.class, () -> new Cursor(0, 0).add(S, S + 1));
        assertThrows(IllegalArgumentException.class, () -> new Cursor(0, S).add(S, 1));
        assertThrows(IllegalArgumentException.class, () -> new Cursor(0, 0).add(S, -1));
    }

    @Test
    void shouldDiffLikeSmcCursDiff() {
        assertEquals(100, Cursor.diff(S, new Cursor(1, 10), new Cursor(1, 110)));
        assertEquals(0, Cursor.diff(S, new Cursor(1, 110), new Cursor(1, 10)), "behind in same wrap: 0");
        assertEquals(S - 10 + 5, Cursor.diff(S, new Cursor(1, 10), new Cursor(2, 5)));
        assertEquals(S, Cursor.diff(S, new Cursor(1, 10), new Cursor(2, 10)));
        assertEquals(20, Cursor.diff(S, new Cursor(0xFFFF, S - 10), new Cursor(0, 10)));
    }

    @Test
    void shouldCompLikeSmcCursComp() {
        assertEquals(100, Cursor.comp(S, new Cursor(1, 10), new Cursor(1, 110)));
        assertEquals(-100, Cursor.comp(S, new Cursor(1, 110), new Cursor(1, 10)));
        assertEquals(-(S - 10 + 5), Cursor.comp(S, new Cursor(2, 5), new Cursor(1, 10)));
        // the kernel compares wraps as plain numbers: across the roll-over the sign is wrong
        assertEquals(-(2 * S - 20), Cursor.comp(S, new Cursor(0xFFFF, S - 10), new Cursor(0, 10)));
    }

    @Test
    void shouldDiffLargeLikeSmcCursDiffLarge() {
        assertEquals(S, Cursor.diffLarge(S, new Cursor(1, 10), new Cursor(5, 0)), "capped at size");
        assertEquals(S - 10, Cursor.diffLarge(S, new Cursor(1, 10), new Cursor(2, 0)));
        assertEquals(30, Cursor.diffLarge(S, new Cursor(0xFFFF, S - 10), new Cursor(0, 20)));
        assertEquals(50, Cursor.diffLarge(S, new Cursor(7, 10), new Cursor(7, 60)));
        assertEquals(0, Cursor.diffLarge(S, new Cursor(7, 60), new Cursor(7, 10)));
    }

    @Test
    void shouldIgnoreOlderCursorsLikeSmcCdcCursorToHost() {
        assertTrue(Cursor.kernelIgnoresAsOlder(new Cursor(5, 10), new Cursor(4, 100)));
        assertTrue(Cursor.kernelIgnoresAsOlder(new Cursor(5, 10), new Cursor(5, 9)));
        assertFalse(Cursor.kernelIgnoresAsOlder(new Cursor(5, 10), new Cursor(5, 10)));
        assertFalse(Cursor.kernelIgnoresAsOlder(new Cursor(0xFFFF, 10), new Cursor(0, 0)), "roll-over accepted");
        // the kernel also accepts any cursor with wrap 0, even from wrap 5: our validation catches it
        assertFalse(Cursor.kernelIgnoresAsOlder(new Cursor(5, 10), new Cursor(0, 0)));
    }

    @Property
    void distanceAgreesWithAddAcrossWraps(@ForAll @IntRange(min = 0, max = 5) int sizeExp,
            @ForAll @IntRange(min = 0, max = 0xFFFF) int wrap, @ForAll @IntRange(min = 0, max = 1 << 19) int count,
            @ForAll @IntRange(min = 0, max = 1 << 19) int n) {
        int size = RmbeSizes.of(sizeExp);
        Cursor c = new Cursor(wrap, count % size);
        int step = n % (size + 1);
        Cursor d = c.add(size, step);
        assertEquals(step, Cursor.distance(size, c, d));
        assertEquals(-step, Cursor.distance(size, d, c));
        assertEquals(step, Cursor.diffLarge(size, c, d));
        if (step < size) {
            assertEquals(step, Cursor.diff(size, c, d));
        }
    }

    /** SMC-R sizes 16 KiB << n. */
    static final class RmbeSizes {
        static int of(int n) {
            return (16 * 1024) << n;
        }
    }
}
