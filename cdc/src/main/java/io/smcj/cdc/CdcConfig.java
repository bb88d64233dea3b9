package io.smcj.cdc;

import io.smcj.protocol.AlertToken;

import java.util.Objects;

/**
 * Per-connection parameters of the CDC core.
 *
 * @param localToken           our alert token: every CDC from the peer must carry it
 * @param peerToken            the peer's alert token: we put it into every CDC we send
 * @param autocorkingSize      {@code net.smc.autocorking_size} (kernel default 64 KiB; 0 = off)
 * @param rmbeUpdateLimitFloor the kernel's minimum consumer-update threshold,
 *                             {@code SOCK_MIN_SNDBUF / 2} (2304 on x86_64)
 * @param validation           how strictly received CDCs are checked
 * @param initialTxCursor      start of our producer cursor in the peer's RMBE (kernel: 0:0);
 *                             must equal the peer's {@code initialRxCursor}
 * @param initialRxCursor      start of the peer's producer cursor in our RMBE (kernel: 0:0)
 * @param initialSndbufCursor  start of the send-buffer cursors (local only; kernel: 0:0)
 */
public record CdcConfig(AlertToken localToken, AlertToken peerToken, int autocorkingSize, int rmbeUpdateLimitFloor,
        Validation validation, Cursor initialTxCursor, Cursor initialRxCursor, Cursor initialSndbufCursor) {

    /** {@code SMC_AUTOCORKING_DEFAULT_SIZE}. */
    public static final int AUTOCORKING_DEFAULT_SIZE = 0x10000;
    /** {@code SOCK_MIN_SNDBUF / 2} on x86_64 (2 * (2048 + 256) / 2). */
    public static final int SOCK_MIN_SNDBUF_HALF = 2304;

    /** How received CDCs are validated. Both modes abort on anything that would corrupt data. */
    public enum Validation {
        /**
         * Like the kernel where the kernel is safe: CDCs with an older seqno are ignored, older
         * cursors are ignored ({@code smc_cdc_cursor_to_host}), seqno gaps and data after close
         * are accepted.
         */
        KERNEL,
        /** Additionally aborts on a seqno gap, a cursor moving backwards and data after close. */
        STRICT
    }

    public CdcConfig {
        Objects.requireNonNull(localToken);
        Objects.requireNonNull(peerToken);
        Objects.requireNonNull(validation);
        Objects.requireNonNull(initialTxCursor);
        Objects.requireNonNull(initialRxCursor);
        Objects.requireNonNull(initialSndbufCursor);
        if (autocorkingSize < 0 || rmbeUpdateLimitFloor < 0) {
            throw new IllegalArgumentException("negative autocorking size or update limit");
        }
    }

    /** Kernel defaults, cursors at 0:0, KERNEL validation. */
    public static CdcConfig defaults(AlertToken localToken, AlertToken peerToken) {
        return new CdcConfig(localToken, peerToken, AUTOCORKING_DEFAULT_SIZE, SOCK_MIN_SNDBUF_HALF, Validation.KERNEL,
                Cursor.ZERO, Cursor.ZERO, Cursor.ZERO);
    }

    public CdcConfig withValidation(Validation v) {
        return new CdcConfig(localToken, peerToken, autocorkingSize, rmbeUpdateLimitFloor, v, initialTxCursor,
                initialRxCursor, initialSndbufCursor);
    }

    public CdcConfig withAutocorkingSize(int n) {
        return new CdcConfig(localToken, peerToken, n, rmbeUpdateLimitFloor, validation, initialTxCursor,
                initialRxCursor, initialSndbufCursor);
    }

    public CdcConfig withCursors(Cursor tx, Cursor rx, Cursor sndbuf) {
        return new CdcConfig(localToken, peerToken, autocorkingSize, rmbeUpdateLimitFloor, validation, tx, rx, sndbuf);
    }

    /** {@code smc_rmb_wnd_update_limit}: {@code max(rmbe_size / 10, SOCK_MIN_SNDBUF / 2)}. */
    public int rmbeUpdateLimit(int rmbeSize) {
        return Math.max(rmbeSize / 10, rmbeUpdateLimitFloor);
    }
}
