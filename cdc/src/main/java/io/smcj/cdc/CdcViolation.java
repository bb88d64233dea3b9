package io.smcj.cdc;

/**
 * Why a CDC from the peer made us abort the connection. Every check that protects the RMBE or
 * the send bookkeeping from a faulty or malicious peer has its own reason; the kernel performs
 * fewer of these checks (it trusts the peer), see the README.
 */
public enum CdcViolation {
    /** Producer cursor count is not below our RMBE size: the peer claims to have written outside it. */
    PROD_CURSOR_BEYOND_RMBE,
    /** Producer cursor moved backwards. */
    PROD_CURSOR_BACKWARDS,
    /** Producer cursor advanced further than the space we confirmed: it would overwrite unread data. */
    PROD_CURSOR_OVERRUN,
    /** Consumer cursor count is not below the peer's RMBE size. */
    CONS_CURSOR_BEYOND_RMBE,
    /** Consumer cursor moved backwards. */
    CONS_CURSOR_BACKWARDS,
    /** Consumer cursor is beyond what we produced into the peer's RMBE. */
    CONS_CURSOR_BEYOND_PRODUCED,
    /** Sequence number skipped ahead (a CDC was lost); STRICT validation only. */
    SEQNO_GAP,
    /** A failover-validation CDC shows that CDCs were lost ({@code smc_cdc_msg_validate}). */
    SEQNO_LOST_AFTER_FAILOVER,
    /** New data after the peer said peer_done_writing / closed / abort; STRICT validation only. */
    DATA_AFTER_CLOSE,
    /** New data arrived while an urgent byte is still unconsumed (Linux never sends this). */
    DATA_AFTER_URGENT_BYTE,
    /** Aborted by the local side ({@link CdcConnection#abort}), not by a peer violation. */
    LOCAL_ABORT
}
