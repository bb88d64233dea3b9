package io.smcj.protocol;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks {@link RmbeSize} against a transcription of the kernel's arithmetic in net/smc/smc_core.c
 * (Linux 6.x): {@code smc_compress_bufsize(size, is_smcd=false, is_rmb)}: 0 for size <= 16384,
 * else {@code min(ilog2((size - 1) >> 14) + 1, SMCR_RMBE_SIZES = 5)} (the scatterlist cap applies only
 * with CONFIG_ARCH_NO_SG_CHAIN); {@code smc_uncompress_bufsize(c) = 1 << (c + 14)}.
 */
class RmbeSizeTest {
    static int ilog2(int v) {
        int r = -1;
        while (v != 0) {
            v >>>= 1;
            r++;
        }
        return r;
    }

    static int kernelCompress(int size) {
        if (size <= 16384) {
            return 0;
        }
        return Math.min(ilog2((size - 1) >> 14) + 1, 15); // SMCR_RMBE_SIZES, Linux 6.12
    }

    @Test
    void knownValues() {
        assertEquals(0, RmbeSize.compress(0));
        assertEquals(0, RmbeSize.compress(16384));
        assertEquals(1, RmbeSize.compress(16385));
        assertEquals(1, RmbeSize.compress(32768));
        assertEquals(2, RmbeSize.compress(65536), "64 KiB, the fixtures' RMB");
        assertEquals(3, RmbeSize.compress(65537));
        assertEquals(5, RmbeSize.compress(512 * 1024));
        assertEquals(6, RmbeSize.compress(1024 * 1024), "1 MiB is an SMC-R size since SMCR_RMBE_SIZES 15");
        assertEquals(15, RmbeSize.compress(Integer.MAX_VALUE), "capped at 512 MiB for SMC-R (Linux 6.12)");
        assertEquals(0, RmbeSize.compress(-5));
        assertEquals(16384, RmbeSize.uncompress(0));
        assertEquals(65536, RmbeSize.uncompress(2));
        assertEquals(512 * 1024, RmbeSize.uncompress(5));
        assertEquals(1 << 29, RmbeSize.uncompress(15));
        assertThrows(IllegalArgumentException.class, () -> RmbeSize.uncompress(16));
        assertThrows(IllegalArgumentException.class, () -> RmbeSize.uncompress(-1));
        assertEquals(512 << 20, RmbeSize.SMCR_MAX_BYTES);
        assertEquals(512 * 1024, RmbeSize.RFC7609_MAX_BYTES);
    }

    @Property
    void compressEqualsTheKernel(@ForAll int size) {
        assertEquals(kernelCompress(size), RmbeSize.compress(size));
    }

    @Property
    void compressRoundsUpToTheSmallestSizeThatHolds(@ForAll @IntRange(min = 1, max = 512 << 20) int size) {
        int c = RmbeSize.compress(size);
        assertTrue(RmbeSize.uncompress(c) >= size);
        if (c > 0) {
            assertTrue(RmbeSize.uncompress(c - 1) < size);
        }
    }

    @Property
    void uncompressThenCompressIsIdentityForSmcrSizes(@ForAll @IntRange(min = 0, max = 15) int c) {
        int bytes = RmbeSize.uncompress(c);
        assertEquals(c, RmbeSize.compress(bytes));
        assertTrue(RmbeSize.isSmcrSize(bytes));
        assertFalse(RmbeSize.isSmcrSize(bytes + 1));
    }

    @Test
    void smcrSizesAreTheSixteenPowersOfTwoFrom16KiB() {
        assertFalse(RmbeSize.isSmcrSize(8192));
        assertTrue(RmbeSize.isSmcrSize(1024 * 1024));
        assertTrue(RmbeSize.isSmcrSize(512 << 20));
        assertFalse(RmbeSize.isSmcrSize(1 << 30));
        assertTrue(RmbeSize.isSmcrSize(16384));
    }
}
