package io.smcj.cdc;

/** What {@link CdcConnection#onCdc} did with a received CDC. */
public sealed interface CdcResult {

    /**
     * The CDC was applied.
     *
     * @param newBytes      bytes that became readable (urgent byte not counted unless inline)
     * @param freedPeerSpace bytes of peer RMBE space freed by the consumer cursor
     */
    record Accepted(int newBytes, int freedPeerSpace) implements CdcResult {
    }

    /** The CDC was not applied, for a reason the kernel also ignores it. */
    record Ignored(IgnoreReason reason, String detail) implements CdcResult {
    }

    /** The CDC violated the protocol; the connection is aborted and the abort CDC is queued. */
    record Aborted(CdcViolation violation, String detail) implements CdcResult {
    }

    enum IgnoreReason {
        /** {@code (s16)(seqno - last) < 0}: {@code smc_cdc_before} in {@code smc_cdc_rx_handler}. */
        SEQNO_OLDER,
        /** The alert token is not this connection's ({@code smc_lgr_find_conn} finds nothing). */
        WRONG_TOKEN,
        /** A failover-validation CDC that showed nothing lost ({@code smc_cdc_msg_validate}). */
        FAILOVER_VALIDATION_OK,
        /** The connection is already closed or aborted. */
        CONNECTION_CLOSED
    }
}
