package io.smcj.cdc;

import io.smcj.protocol.AlertToken;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The sans-IO core of one SMC-R connection's data path: a {@link CdcSender} over the send buffer,
 * a {@link CdcReceiver} over our RMBE, the CDC sequence numbers and the
 * {@link CloseStateMachine}. It holds no buffers of its own: the engine passes its registered
 * send buffer and RMBE as {@link MemorySegment}s, the application copies in and out through
 * {@link #write} and {@link #read}, and the core answers with {@link Transmission}s (RDMA WRITE
 * segments + CDC) to post.
 *
 * <p>Typical engine loop: after any event ({@code write}, {@code read}, {@code onCdc},
 * {@code onCdcSendComplete}, {@code close}) call {@link #poll()} until it is empty and post what
 * it returns.
 *
 * <p><b>Threading:</b> not thread-safe. One owner thread (the connection's event loop) makes all
 * calls. Other threads may only call {@link #snapshot()}, which returns an immutable record
 * published with a volatile write at the end of every call. An owner that reads snapshots only
 * itself (or under its own lock) can switch that off with {@link #snapshotOnDemand()}: the data
 * path then allocates no snapshot per call.
 */
public final class CdcConnection {
    /** {@link #write} result: send side shut down, or we aborted (EPIPE). */
    public static final int EPIPE = -1;
    /** {@link #write} result: the peer closed or aborted (ECONNRESET). */
    public static final int ECONNRESET = -2;
    /** {@link #read} result: end of stream (peer done writing / closed / aborted, all read). */
    public static final int EOF = -1;

    public static final int MSG_MORE = 0x8000;
    public static final int MSG_OOB = 0x1;

    private final CdcConfig cfg;
    private final CdcSender sender;
    private final CdcReceiver receiver;
    private final CloseStateMachine close;

    private int txSeqno;
    private int rxSeqno;
    private boolean closeRequested;
    private boolean shutdownRequested;
    private boolean controlCdcDue;
    private CdcViolation abortReason;
    /** A failover-validation CDC is to be sent before anything else ({@link #switchLink()}). */
    private boolean validationDue;
    /**
     * We accepted the peer's failover-validation CDC and its re-sends have not caught up yet: its
     * rewound producer cursors and the seqnos its flushed CDCs used up are expected (see
     * {@link #receive}).
     */
    private boolean peerResync;
    private int validationsSent;
    private int validationsReceived;
    private int linkSwitches;
    private volatile CdcSnapshot snapshot;
    /** {@link #snapshotOnDemand()}: build the snapshot in {@link #snapshot()}, not after every call. */
    private boolean onDemand;
    /** On demand only: the state changed since {@link #snapshot} was built. */
    private boolean snapshotStale;

    /**
     * @param cfg          tokens, thresholds, validation mode, initial cursors
     * @param sendBuffer   the registered send buffer (any size > 0; the kernel uses 16 KiB .. 512 KiB)
     * @param rmbe         our RMBE (the peer RDMA-writes into it)
     * @param peerRmbeSize the peer's RMBE size from its CLC Accept/Confirm
     */
    public CdcConnection(CdcConfig cfg, MemorySegment sendBuffer, MemorySegment rmbe, int peerRmbeSize) {
        this.cfg = Objects.requireNonNull(cfg);
        this.sender = new CdcSender(sendBuffer, peerRmbeSize, cfg);
        this.receiver = new CdcReceiver(rmbe, cfg);
        this.close = new CloseStateMachine(SmcCloseState.ACTIVE);
        publish();
    }

    public CdcSender sender() {
        return sender;
    }

    public CdcReceiver receiver() {
        return receiver;
    }

    public CloseStateMachine closeState() {
        return close;
    }

    public SmcCloseState state() {
        return close.state();
    }

    public CdcConfig config() {
        return cfg;
    }

    /** The reason of our abort, or null. */
    public CdcViolation abortReason() {
        return abortReason;
    }

    /** Failover-validation CDCs we built ({@code smcr_cdc_msg_send_validation}). */
    public int validationsSent() {
        return validationsSent;
    }

    /** Failover-validation CDCs of the peer that passed {@code smc_cdc_msg_validate}. */
    public int validationsReceived() {
        return validationsReceived;
    }

    /** {@link #switchLink()} calls. */
    public int linkSwitches() {
        return linkSwitches;
    }

    /** True while a failover-validation CDC waits to be returned by {@link #poll()}. */
    public boolean validationDue() {
        return validationDue;
    }

    /**
     * The last published snapshot; safe from any thread. After {@link #snapshotOnDemand()}: the
     * snapshot of the current state, for the owner only.
     */
    public CdcSnapshot snapshot() {
        if (snapshotStale) {
            snapshotStale = false;
            snapshot = buildSnapshot();
        }
        return snapshot;
    }

    /**
     * Stops publishing a snapshot after every call (one allocation per write, read, poll, CDC and
     * completion on the data path); {@link #snapshot()} then builds it when asked, from the
     * current state, and must be called by the owner (or under the lock that serializes the
     * owner's calls). What a snapshot contains does not change.
     *
     * @return this
     */
    public CdcConnection snapshotOnDemand() {
        onDemand = true;
        return this;
    }

    // ------------------------------------------------------------------ application side

    /**
     * {@code smc_tx_sendmsg} (one non-blocking round): copies as much of {@code src} as fits.
     * For MSG_OOB the urgent byte is the last byte of {@code src}; when only part fits, call again
     * with the rest and MSG_OOB.
     *
     * @param flags {@link #MSG_MORE}, {@link #MSG_OOB}
     * @return bytes copied (0: no space now), {@link #EPIPE} or {@link #ECONNRESET}
     */
    public int write(MemorySegment src, int flags) {
        try {
            if (close.sendShutdown() || closeRequested || shutdownRequested || abortReason != null) {
                return EPIPE;
            }
            if (close.rxedAnyClose()) {
                return ECONNRESET;
            }
            return sender.write(src, (flags & MSG_MORE) != 0, (flags & MSG_OOB) != 0);
        } finally {
            publish();
        }
    }

    public int write(byte[] b, int off, int len, int flags) {
        Objects.checkFromIndexSize(off, len, b.length);
        return write(MemorySegment.ofArray(b).asSlice(off, len), flags);
    }

    /** Writes from {@code src}'s position, advancing it by the bytes copied. */
    public int write(ByteBuffer src, int flags) {
        int n = write(MemorySegment.ofBuffer(src), flags);
        if (n > 0) {
            src.position(src.position() + n);
        }
        return n;
    }

    /** TCP_CORK semantics; uncorking pushes corked data at the next {@link #poll()}. */
    public void setCork(boolean on) {
        sender.setCork(on);
        publish();
    }

    /** Bytes {@link #write} would accept now. */
    public int writable() {
        return close.sendShutdown() || closeRequested || shutdownRequested || close.rxedAnyClose()
                || abortReason != null ? 0 : sender.writable();
    }

    /** Readable bytes now (urgent byte excluded). */
    public int readable() {
        return receiver.readable();
    }

    /** Where the readable bytes are in the RMBE (at most two spans); consume with {@link #consume}. */
    public List<RingSpan> readableSpans() {
        return receiver.readableSpans();
    }

    /**
     * {@code smc_rx_recvmsg}: copies up to {@code dst.byteSize()} bytes.
     *
     * @return bytes copied, 0 when nothing is readable yet, {@link #EOF} at end of stream
     */
    public int read(MemorySegment dst) {
        try {
            int n = receiver.read(dst);
            if (n == 0 && receiver.readable() == 0 && close.receiveShutdown() && dst.byteSize() > 0) {
                return EOF;
            }
            return n;
        } finally {
            publish();
        }
    }

    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        return read(MemorySegment.ofArray(b).asSlice(off, len));
    }

    public int read(ByteBuffer dst) {
        int n = read(MemorySegment.ofBuffer(dst));
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    /** Marks {@code n} readable bytes consumed after reading {@link #readableSpans()} directly. */
    public int consume(int n) {
        try {
            return receiver.consume(n);
        } finally {
            publish();
        }
    }

    /** {@code recv(MSG_OOB)}: the urgent byte, once. */
    public OptionalInt readUrgent() {
        try {
            return receiver.readUrgent();
        } finally {
            publish();
        }
    }

    /** True when the peer will send no more data and everything was read. */
    public boolean atEof() {
        return receiver.readable() == 0 && close.receiveShutdown();
    }

    // ------------------------------------------------------------------ close

    /** close(): applied once the send buffer has drained (see {@link #closeNow()} for linger timeouts). */
    public void close() {
        closeRequested = true;
        sender.requestPush();
        publish();
    }

    /** shutdown(SHUT_WR): peer_done_writing once the send buffer has drained. */
    public void shutdownWrite() {
        shutdownRequested = true;
        sender.requestPush();
        publish();
    }

    /** close() without waiting for unsent data (the kernel does this when the linger time ends). */
    public void closeNow() {
        closeRequested = true;
        applyClose(true);
        publish();
    }

    /** Aborts the connection locally: the next {@link #poll()} returns a CDC with peer_conn_abort. */
    public void abort() {
        abort(CdcViolation.LOCAL_ABORT);
        publish();
    }

    private void abort(CdcViolation reason) {
        if (abortReason == null) {
            abortReason = reason;
        }
        if (close.activeAbort()) {
            controlCdcDue = true;
        }
    }

    private void applyClose(boolean force) {
        boolean drained = sender.preparedSends() == 0 || force || close.rxedAnyClose();
        if (shutdownRequested && drained) {
            shutdownRequested = false;
            if (close.shutdownWrite()) {
                controlCdcDue = true;
            }
        }
        if (closeRequested && drained) {
            closeRequested = false;
            if (close.closeActive(receiver.readable())) {
                controlCdcDue = true;
            }
        }
    }

    // ------------------------------------------------------------------ link side

    /**
     * The link this connection's CDCs went out on failed and the connection moves to another
     * ({@code smc_switch_conns} + {@code smc_switch_cursor}, smc_core.c). Precondition: every
     * completion the failed link delivered successfully was passed to {@link #onCdcSendComplete()};
     * the CDCs still pending are taken as flushed and forgotten. Then:
     * <ul>
     * <li>ACTIVE (the only state in which the kernel calls {@code smc_switch_cursor}): the send
     *     cursors rewind to the last completed CDC ({@link CdcSender#switchCursor()}), the next
     *     {@link #poll()} returns the failover-validation CDC (seqno = {@code tx_cdc_seq_fin},
     *     flag failover_validation, cursors and connection flags zero, as the kernel's zeroed send
     *     buffer gives) and the polls after it send the rewound data again;</li>
     * <li>other states (closing, aborted, CLOSED): the kernel only moves the link; we do the same
     *     when nothing was in flight. Otherwise we rewind, send the validation CDC, re-send our
     *     close or abort flags (a flushed CDC may have carried them and the peer would wait
     *     forever) and, unless CLOSED or aborted, the data that was in flight even after our close
     *     flags, so no byte and no close is lost (the kernel would lose them).</li>
     * </ul>
     * When a discarded CDC carried a consumer cursor newer than the last completed one, a
     * consumer-cursor CDC is forced (the peer may wait for it; the kernel has no such step).
     *
     * @return true when a failover-validation CDC is due
     */
    public boolean switchLink() {
        try {
            linkSwitches++;
            int discarded = sender.discardPending();
            SmcCloseState st = close.state();
            if (st != SmcCloseState.ACTIVE && discarded == 0) {
                return false; // the kernel only moves the link; nothing was in flight
            }
            // also when CLOSED or aborted (nothing is re-sent then): the close/abort CDC sent again
            // must not announce bytes that were never placed
            sender.switchCursor();
            // also after our abort or in CLOSED (the kernel sends none there): it tells the peer
            // that the seqnos of our flushed CDCs will never come
            validationDue = true;
            if (discarded > 0) {
                if (close.txFlags().raw() != 0) {
                    controlCdcDue = true; // our close/abort flags may have been in a flushed CDC
                }
                if (st != SmcCloseState.CLOSED && !receiver.consConfirmed().equals(sender.consFin())) {
                    receiver.forceConsumerUpdate();
                }
            }
            return validationDue;
        } finally {
            publish();
        }
    }

    /**
     * Next thing to post, or empty: a data burst ({@code smc_tx_sndbuf_nonempty}), otherwise a
     * CDC without data when close flags or a consumer-cursor update ({@code smc_tx_consumer_update})
     * are due.
     */
    public Optional<Transmission> poll() {
        try {
            if (validationDue) {
                // smcr_cdc_msg_send_validation: first on the new link
                validationDue = false;
                validationsSent++;
                CdcMessage v = new CdcMessage(sender.seqFin(), cfg.peerToken(), CdcCursor.ZERO, CdcCursor.ZERO,
                        ProducerFlags.NONE.withFailoverValidation(true), ConnStateFlags.NONE,
                        new byte[CdcMessage.RESERVED_LENGTH]);
                // pending with the seqno it carries, not tx_cdc_seq as in the kernel: its completion must not
                // make a later validation claim seqnos of flushed CDCs the peer never saw
                sender.validationPosted(sender.seqFin(), sender.consFin()); // it carries no consumer cursor
                return Optional.of(new Transmission(List.of(), v));
            }
            if (close.state() == SmcCloseState.CLOSED && !controlCdcDue) {
                return Optional.empty();
            }
            // no new data after our own done_writing/closed/abort (only closeNow() can leave data
            // unsent); data that was in flight on a failed link is sent again (switchLink)
            boolean closedTx = close.txFlags().anyCloseOrSendDone();
            if (abortReason == null && !close.rxFlags().peerConnAbort() && sender.transmitDue()
                    && (!closedTx || (sender.resendPending() > 0 && close.state() != SmcCloseState.CLOSED))) {
                List<RdmaWriteSegment> writes = closedTx ? sender.rdmaWrites(sender.resendPending())
                        : sender.rdmaWrites();
                if (!writes.isEmpty()) {
                    return Optional.of(new Transmission(writes, buildCdc()));
                }
            }
            applyClose(false);
            if (controlCdcDue || receiver.consumerUpdateDue()) {
                return Optional.of(new Transmission(List.of(), buildCdc()));
            }
            return Optional.empty();
        } finally {
            publish();
        }
    }

    /**
     * False only when {@link #poll()} would return empty and change nothing: no failover
     * validation, close, abort or consumer-cursor CDC is due and no data can be sent (none
     * prepared, no peer RMBE space, or corked). Lets the owner skip taking a CDC send slot
     * ({@code smc_cdc_get_free_slot}) just to find nothing to send. Changes nothing.
     */
    public boolean transmissionMayBeDue() {
        return validationDue || controlCdcDue || closeRequested || shutdownRequested
                || receiver.consumerUpdateDue() || sender.transmitDue();
    }

    /** Builds the next CDC from the current state and records it as posted. */
    private CdcMessage buildCdc() {
        txSeqno = (txSeqno + 1) & 0xFFFF;
        CdcMessage m = CdcMessage.of(txSeqno, cfg.peerToken(), sender.prod(), receiver.cons(), sender.prodFlags(),
                close.txFlags());
        sender.cdcPosted(txSeqno, receiver.cons());
        receiver.cdcPosted();
        controlCdcDue = false;
        return m;
    }

    /** The send completion of the oldest posted CDC arrived ({@code smc_cdc_tx_handler}). */
    public void onCdcSendComplete() {
        sender.cdcSendComplete();
        publish();
    }

    /**
     * A CDC arrived for this connection ({@code smc_cdc_rx_handler} and
     * {@code smc_cdc_msg_recv_action}). Every field is validated before anything changes; a
     * violation aborts the connection (the abort CDC is returned by the next {@link #poll()}).
     */
    public CdcResult onCdc(CdcMessage m) {
        try {
            return receive(m);
        } finally {
            publish();
        }
    }

    private CdcResult receive(CdcMessage m) {
        if (!m.token().equals(cfg.localToken())) {
            return new CdcResult.Ignored(CdcResult.IgnoreReason.WRONG_TOKEN,
                    "token " + m.token() + " is not ours (" + cfg.localToken() + ")");
        }
        if (close.state() == SmcCloseState.CLOSED || abortReason != null) {
            return new CdcResult.Ignored(CdcResult.IgnoreReason.CONNECTION_CLOSED, "connection is " + close.state());
        }
        int seqDiff = (short) (m.seqno() - rxSeqno);
        if (m.prodFlags().failoverValidation()) {
            // smc_cdc_msg_validate: its seqno is the last one whose send completed at the peer, so
            // we must have received it; else CDCs were lost and the connection is out of sync
            if ((short) (rxSeqno - m.seqno()) < 0) {
                abort(CdcViolation.SEQNO_LOST_AFTER_FAILOVER);
                return new CdcResult.Aborted(CdcViolation.SEQNO_LOST_AFTER_FAILOVER,
                        "peer completed up to seqno " + m.seqno() + " but we received only up to " + rxSeqno);
            }
            validationsReceived++;
            peerResync = true;
            return new CdcResult.Ignored(CdcResult.IgnoreReason.FAILOVER_VALIDATION_OK, "seqno " + m.seqno());
        }
        if (seqDiff < 0) {
            return new CdcResult.Ignored(CdcResult.IgnoreReason.SEQNO_OLDER,
                    "seqno " + m.seqno() + " is before " + rxSeqno);
        }
        CdcConfig.Validation v = cfg.validation();
        // after the peer's failover: its flushed CDCs used up seqnos we never see, and its re-sends
        // carry producer cursors we already have; the kernel rule (ignore older cursors) applies
        // until the peer's cursors caught up, even in STRICT mode
        if (peerResync) {
            v = CdcConfig.Validation.KERNEL;
        }
        if (v == CdcConfig.Validation.STRICT && seqDiff != 1) {
            abort(CdcViolation.SEQNO_GAP);
            return new CdcResult.Aborted(CdcViolation.SEQNO_GAP, "seqno " + m.seqno() + " after " + rxSeqno);
        }
        receiver.resync = peerResync;
        sender.resync = peerResync;
        int freed;
        int newBytes;
        try {
            StringBuilder detail = new StringBuilder();
            CdcViolation bad = receiver.checkProd(m.prod(), v, close.receiveShutdown(), detail);
            if (bad == null) {
                bad = sender.checkPeerCons(m.cons(), v, detail);
            }
            if (bad != null) {
                abort(bad);
                return new CdcResult.Aborted(bad, detail.toString());
            }
            rxSeqno = m.seqno();
            // the peer caught up once neither cursor is older than ours (wrap-safe, see CdcReceiver.resync)
            boolean caughtUp = peerResync
                    && Cursor.distance(receiver.rmbeSize(), receiver.prod(), m.prod().toCursor()) >= 0
                    && Cursor.distance(sender.peerRmbeSize(), sender.peerCons(), m.cons().toCursor()) >= 0;
            freed = sender.applyPeerCons(m.cons(), v);
            newBytes = receiver.applyProd(m.prod(), m.prodFlags(), v);
            if (caughtUp) {
                peerResync = false;
            }
        } finally {
            receiver.resync = false;
            sender.resync = false;
        }
        close.passive(m.connStateFlags());
        return new CdcResult.Accepted(newBytes, freed);
    }

    private void publish() {
        if (onDemand) {
            snapshotStale = true;
        } else {
            snapshot = buildSnapshot();
        }
    }

    private CdcSnapshot buildSnapshot() {
        return new CdcSnapshot(close.state(), txSeqno, rxSeqno, sender.txCursPrep(), sender.txCursSent(),
                sender.txCursFin(), sender.prod(), sender.peerCons(), sender.sndbufSpace(), sender.peerRmbeSpace(),
                receiver.prod(), receiver.cons(), receiver.consConfirmed(), receiver.readable(), receiver.urgState(),
                close.txFlags(), close.rxFlags(), abortReason);
    }

    /** The peer's alert token we put into CDCs. */
    public AlertToken peerToken() {
        return cfg.peerToken();
    }
}
