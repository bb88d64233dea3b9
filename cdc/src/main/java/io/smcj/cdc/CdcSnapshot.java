package io.smcj.cdc;

/**
 * A consistent, immutable view of one connection's cursors and flags for statistics (an
 * {@code smcss}-like listing) read from another thread. {@link CdcConnection#snapshot()} returns
 * the snapshot published at the end of the last state-changing call (a volatile write).
 */
public record CdcSnapshot(
        SmcCloseState state,
        int txSeqno,
        int rxSeqno,
        Cursor txCursPrep,
        Cursor txCursSent,
        Cursor txCursFin,
        Cursor prod,
        Cursor peerCons,
        int sndbufSpace,
        int peerRmbeSpace,
        Cursor rxProd,
        Cursor cons,
        Cursor consConfirmed,
        int bytesToRcv,
        UrgState urgState,
        ConnStateFlags txConnStateFlags,
        ConnStateFlags rxConnStateFlags,
        CdcViolation abortReason) {
}
