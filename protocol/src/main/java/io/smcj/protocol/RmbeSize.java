package io.smcj.protocol;

/**
 * RMBE sizes as the kernel encodes them in the 4-bit CLC field: {@code size = 16 KiB << n}
 * ({@code smc_uncompress_bufsize}); {@link #compress} rounds a byte size up to the next power of two
 * ({@code smc_compress_bufsize}), capped at {@link #SMCR_MAX_COMPRESSED} for SMC-R.
 *
 * <p>Linux 6.12 ({@code net/smc/smc_core.c}) defines {@code SMCR_RMBE_SIZES 15}: 16 KiB up to
 * 512 MiB, the whole 4-bit range. RFC 7609 and older kernels stopped at 512 KiB (n = 5); peers may
 * therefore announce any of the 16 sizes, and smcj allocates what the kernel would.
 */
public final class RmbeSize {
    /** {@code SMC_BUF_MIN_SIZE}. */
    public static final int MIN_BYTES = 16 * 1024;
    /** {@code SMCR_RMBE_SIZES} of Linux 6.12: n ≤ 15, i.e. 512 MiB. */
    public static final int SMCR_MAX_COMPRESSED = 15;
    /** The largest RMBE of RFC 7609 and older kernels (n = 5). */
    public static final int RFC7609_MAX_BYTES = MIN_BYTES << 5;
    public static final int SMCR_MAX_BYTES = MIN_BYTES << SMCR_MAX_COMPRESSED;

    private RmbeSize() {
    }

    /** Bytes of a compressed value 0..15. */
    public static int uncompress(int compressed) {
        if (compressed < 0 || compressed > 15) {
            throw new IllegalArgumentException("compressed RMBE size is 4 bits, got " + compressed);
        }
        return MIN_BYTES << compressed;
    }

    /** The kernel's rounding-up compression, capped for SMC-R. */
    public static int compress(int bytes) {
        if (bytes <= MIN_BYTES) {
            return 0;
        }
        int n = 31 - Integer.numberOfLeadingZeros((bytes - 1) >>> 14) + 1;
        return Math.min(n, SMCR_MAX_COMPRESSED);
    }

    /** True when {@code bytes} is exactly one of the SMC-R sizes (16 KiB .. 512 MiB). */
    public static boolean isSmcrSize(int bytes) {
        return bytes >= MIN_BYTES && bytes <= SMCR_MAX_BYTES && Integer.bitCount(bytes) == 1;
    }
}
