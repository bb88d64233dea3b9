package io.smcj.cdc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The sending half of a connection's data path ({@code net/smc/smc_tx.c}): the send buffer ring
 * (the engine's registered send buffer, viewed as a {@link MemorySegment}), our producer cursor
 * in the peer's RMBE and the peer's consumer cursor.
 *
 * <pre>
 *  send buffer:  ... fin ===== sent ===== prep ......     (fin: confirmed by a CDC completion,
 *                     [in flight ][prepared]                sent: RDMA-written, prep: app data end)
 *  peer RMBE:    ... peerCons ========= prod ......       (bytes the peer has not consumed yet)
 * </pre>
 *
 * Names follow {@code struct smc_connection}: {@code tx_curs_prep}, {@code tx_curs_sent},
 * {@code tx_curs_fin}, {@code local_tx_ctrl.prod} and {@code local_rx_ctrl.cons}.
 *
 * <p>Threading: not thread-safe; owned by the connection's event loop (see {@link CdcConnection}).
 */
public final class CdcSender {
    private final MemorySegment sndbuf;
    private final int sndbufSize;
    private final int peerRmbeSize;
    private final int autocorkingSize;

    private Cursor txCursPrep;
    private Cursor txCursSent;
    private Cursor txCursFin;
    private Cursor prod;
    private Cursor peerCons;

    private boolean writeBlocked;
    private boolean urgDataPending;
    private boolean urgDataPresent;
    private boolean urgTxPend;
    /** The CDC with urg_data_present for the pending urgent send has been posted. */
    private boolean urgPresentPosted;
    /** MSG_MORE on the last write, or TCP_CORK set. */
    private boolean corkedByMore;
    private boolean tcpCork;
    /** An event that pushes corked data arrived (CDC completion, freed peer space, flush). */
    private boolean pushRequested;
    /** {@code struct smc_cdc_tx_pend} of every posted, not yet completed CDC, oldest first. */
    private final ArrayDeque<PendingCdc> pendingCdcs = new ArrayDeque<>();
    /** {@code local_tx_ctrl_fin}: our producer cursor as of the last completed CDC. */
    private Cursor prodFin;
    /** {@code tx_cdc_seq_fin}: the sequence number of the last completed CDC (0: none yet). */
    private int seqFin;
    /** Our consumer cursor as carried by the last completed CDC (what the peer surely knows). */
    private Cursor consFin;
    /**
     * After {@link #switchCursor()}: the old {@code tx_curs_sent}, the end of the bytes to be sent
     * again; data up to it may be re-sent even after our close flags went out. Null otherwise.
     */
    private Cursor resendEnd;
    /** The highest producer cursor we ever sent (prod is lower while re-sending after a rewind). */
    private Cursor prodMax;

    /**
     * {@code struct smc_cdc_tx_pend}: what a posted CDC carried.
     *
     * @param cursor  {@code tx_curs_sent} when posted
     * @param pCursor {@code local_tx_ctrl.prod} when posted
     * @param ctrlSeq {@code tx_cdc_seq} when posted
     * @param cons    our consumer cursor it carried (not in the kernel's struct; see {@link #consFin()})
     */
    record PendingCdc(Cursor cursor, Cursor pCursor, int ctrlSeq, Cursor cons) {
    }

    CdcSender(MemorySegment sndbuf, int peerRmbeSize, CdcConfig cfg) {
        this.sndbuf = Objects.requireNonNull(sndbuf, "sndbuf");
        if (sndbuf.byteSize() <= 0 || sndbuf.byteSize() > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("send buffer size " + sndbuf.byteSize());
        }
        if (peerRmbeSize <= 0) {
            throw new IllegalArgumentException("peer RMBE size " + peerRmbeSize);
        }
        this.sndbufSize = (int) sndbuf.byteSize();
        this.peerRmbeSize = peerRmbeSize;
        this.autocorkingSize = cfg.autocorkingSize();
        Cursor s = cfg.initialSndbufCursor();
        if (s.count() >= sndbufSize || cfg.initialTxCursor().count() >= peerRmbeSize) {
            throw new IllegalArgumentException("initial cursor outside ring");
        }
        txCursPrep = s;
        txCursSent = s;
        txCursFin = s;
        prod = cfg.initialTxCursor();
        peerCons = cfg.initialTxCursor();
        prodFin = prod;
        prodMax = prod;
        consFin = cfg.initialRxCursor();
    }

    public int sndbufSize() {
        return sndbufSize;
    }

    public int peerRmbeSize() {
        return peerRmbeSize;
    }

    /** {@code conn->sndbuf_space}: free bytes in the send buffer. */
    public int sndbufSpace() {
        return sndbufSize - (int) Cursor.distance(sndbufSize, txCursFin, txCursPrep);
    }

    /** {@code smc_tx_prepared_sends}: bytes in the send buffer not yet RDMA-written. */
    public int preparedSends() {
        return (int) Cursor.distance(sndbufSize, txCursSent, txCursPrep);
    }

    /** {@code conn->peer_rmbe_space}: bytes we may still write into the peer's RMBE. */
    public int peerRmbeSpace() {
        return peerRmbeSize - (int) Cursor.distance(peerRmbeSize, peerCons, prod);
    }

    /**
     * Bytes the application may write now: the send buffer space, or 0 while an urgent byte
     * waits for the peer to consume everything ({@code conn->urg_tx_pend}, {@code smc_tx_wait}).
     */
    public int writable() {
        return urgTxPend ? 0 : sndbufSpace();
    }

    public Cursor prod() {
        return prod;
    }

    public Cursor peerCons() {
        return peerCons;
    }

    public Cursor txCursPrep() {
        return txCursPrep;
    }

    public Cursor txCursSent() {
        return txCursSent;
    }

    public Cursor txCursFin() {
        return txCursFin;
    }

    public boolean writeBlocked() {
        return writeBlocked;
    }

    public boolean urgTxPend() {
        return urgTxPend;
    }

    public int pendingCdcCount() {
        return pendingCdcs.size();
    }

    /** {@code local_tx_ctrl_fin}: our producer cursor as of the last completed CDC. */
    public Cursor prodFin() {
        return prodFin;
    }

    /** {@code tx_cdc_seq_fin}: sequence number of the last completed CDC, 0 before the first. */
    public int seqFin() {
        return seqFin;
    }

    /** Our consumer cursor carried by the last completed CDC. */
    public Cursor consFin() {
        return consFin;
    }

    /** Bytes still to be sent again after a link switch (0 when none). */
    public int resendPending() {
        return resendEnd == null ? 0 : (int) Math.max(0, Cursor.distance(sndbufSize, txCursSent, resendEnd));
    }

    /**
     * Copies up to {@code src.byteSize()} bytes into the send buffer at {@code tx_curs_prep}
     * (the copy loop of {@code smc_tx_sendmsg}): at most {@link #writable()} bytes, in at most
     * two chunks around the ring end.
     *
     * @param more MSG_MORE: cork while send buffer space remains
     * @param oob  MSG_OOB: the last byte of this send is urgent (only when all of it fits)
     * @return bytes copied
     */
    int write(MemorySegment src, boolean more, boolean oob) {
        if (oob) {
            urgDataPending = true;
        }
        int copylen = (int) Math.min(src.byteSize(), writable());
        if (copylen <= 0) {
            return 0;
        }
        int off = txCursPrep.count();
        int first = Math.min(copylen, sndbufSize - off);
        copyChecked(src, 0, sndbuf, off, first);
        if (first < copylen) {
            copyChecked(src, first, sndbuf, 0, copylen - first);
        }
        txCursPrep = txCursPrep.add(sndbufSize, copylen);
        if (oob && copylen == src.byteSize()) {
            urgTxPend = true;
        }
        corkedByMore = more;
        return copylen;
    }

    /** TCP_CORK on the CLC socket ({@code smc_tx_is_corked}); uncorking pushes. */
    void setCork(boolean on) {
        tcpCork = on;
        if (!on) {
            pushRequested = true;
        }
    }

    /** Pushes corked data at the next {@link #rdmaWrites()} (uncork, close, linger). */
    void requestPush() {
        pushRequested = true;
    }

    /**
     * {@code smc_tx_should_cork}: {@code smc_should_autocork} (a CDC is still unacknowledged and
     * the prepared bytes do not exceed {@code min(sndbuf/2, autocorking_size)}), or MSG_MORE /
     * TCP_CORK while send buffer space remains. A push event (CDC completion with nothing left
     * pending, freed peer space, uncork) overrides MSG_MORE/TCP_CORK as in the kernel, where
     * those events call {@code smc_tx_sndbuf_nonempty} without asking about corking.
     */
    public boolean shouldCork() {
        int corkingSize = Math.min(sndbufSize >> 1, autocorkingSize);
        boolean autocork = !pendingCdcs.isEmpty() && preparedSends() <= corkingSize;
        if (autocork && !pushRequested) {
            return true;
        }
        return (corkedByMore || tcpCork) && sndbufSpace() > 0 && !pushRequested;
    }

    /** True when {@link #rdmaWrites()} would send something now. */
    public boolean transmitDue() {
        return preparedSends() > 0 && peerRmbeSpace() > 0 && !shouldCork();
    }

    /**
     * {@code smc_tx_rdma_writes}: the RDMA WRITE segments for the next chunk, {@code min(prepared,
     * peer RMBE space)} bytes, split at the peer RMBE end (new work request) and at the send
     * buffer end (new SGE); advances {@code prod} and {@code tx_curs_sent}; sets write_blocked when
     * the peer's space is exhausted and urg_data_present when the urgent send is complete.
     *
     * @return the segments, empty when nothing can be sent
     */
    List<RdmaWriteSegment> rdmaWrites() {
        return rdmaWrites(Integer.MAX_VALUE);
    }

    /** {@link #rdmaWrites()} sending at most {@code limit} bytes (re-sends after our close, see {@link #resendPending()}). */
    List<RdmaWriteSegment> rdmaWrites(int limit) {
        int toSend = Math.min(preparedSends(), limit);
        int rmbespace = peerRmbeSpace();
        if (toSend <= 0 || rmbespace <= 0) {
            return List.of();
        }
        writeBlocked = toSend >= rmbespace;
        int len = Math.min(toSend, rmbespace);
        List<RdmaWriteSegment> segs = new ArrayList<>(3);
        int src = txCursSent.count();
        int dst = prod.count();
        int wr = 0;
        int remaining = len;
        while (remaining > 0) {
            int n = Math.min(remaining, Math.min(peerRmbeSize - dst, sndbufSize - src));
            if (n <= 0 || (long) src + n > sndbufSize || (long) dst + n > peerRmbeSize) {
                throw new IllegalStateException("CDC core invariant broken: segment " + src + "/" + dst + "/" + n);
            }
            segs.add(new RdmaWriteSegment(wr, src, dst, n));
            remaining -= n;
            src += n;
            if (src == sndbufSize) {
                src = 0;
            }
            dst += n;
            if (dst == peerRmbeSize) {
                dst = 0;
                wr++;
            }
        }
        if (urgTxPend && len == toSend) {
            urgDataPresent = true;
        }
        prod = prod.add(peerRmbeSize, len);
        txCursSent = txCursSent.add(sndbufSize, len);
        if (resendEnd != null && Cursor.distance(sndbufSize, txCursSent, resendEnd) <= 0) {
            resendEnd = null;
        }
        if (Cursor.distance(peerRmbeSize, prodMax, prod) > 0) {
            prodMax = prod;
        }
        pushRequested = false;
        return segs;
    }

    /** The producer flags our next CDC carries ({@code local_tx_ctrl.prod_flags}). */
    ProducerFlags prodFlags() {
        return ProducerFlags.of(writeBlocked, urgDataPending, urgDataPresent, false, false);
    }

    /** A CDC was posted ({@code smc_cdc_add_pending_send}; urgent flags cleared after posting). */
    void cdcPosted(int seq, Cursor cons) {
        pendingCdcs.addLast(new PendingCdc(txCursSent, prod, seq, cons));
        if (urgDataPresent) {
            urgDataPending = false;
            urgDataPresent = false;
            urgPresentPosted = true;
        }
    }

    /**
     * {@code smc_cdc_tx_handler}: the oldest posted CDC completed; send buffer space up to its
     * {@code tx_curs_sent} is free again.
     *
     * @return true when this made the sender push corked data ({@code cdc_pend_tx_wr} reached 0)
     * @throws IllegalStateException when no CDC is pending (an engine bug)
     */
    boolean cdcSendComplete() {
        PendingCdc c = pendingCdcs.pollFirst();
        if (c == null) {
            throw new IllegalStateException("CDC send completion without a posted CDC");
        }
        // never backwards: after a rewind the peer's consumer cursor may have moved fin beyond
        // the CDCs still pending (see applyPeerCons)
        if (Cursor.distance(sndbufSize, txCursFin, c.cursor()) > 0) {
            txCursFin = c.cursor();
            prodFin = c.pCursor();
        }
        seqFin = c.ctrlSeq();
        consFin = c.cons();
        if (pendingCdcs.isEmpty() && preparedSends() > 0) {
            pushRequested = true;
            return true;
        }
        return false;
    }

    /**
     * The failover-validation CDC was posted ({@code smcr_cdc_msg_send_validation} calls
     * {@code smc_cdc_add_pending_send}): it is pending like any CDC, with the current cursors and
     * {@code tx_cdc_seq} (not incremented), but changes no urgent flags.
     */
    void validationPosted(int seq, Cursor cons) {
        pendingCdcs.addLast(new PendingCdc(txCursSent, prod, seq, cons));
    }

    /**
     * The CDCs posted on a failed link will never complete (flushed, {@code WR_FLUSH_ERR}): they
     * are forgotten, like {@code smc_cdc_tx_handler} with an error status (no cursor moves).
     *
     * @return how many were discarded
     */
    int discardPending() {
        int n = pendingCdcs.size();
        pendingCdcs.clear();
        return n;
    }

    /**
     * {@code smc_switch_cursor} (smc_core.c): rewind to what the last completed CDC confirmed.
     * {@code tx_curs_sent := tx_curs_fin} and {@code local_tx_ctrl.prod := local_tx_ctrl_fin};
     * when the peer's consumer cursor is already beyond that producer cursor (it consumed data
     * whose CDC completion we lost), sent, fin, prod and prod-fin all advance by the difference
     * (that data needs no re-send). Everything between the new {@code tx_curs_sent} and
     * {@code tx_curs_prep} is then sent again by {@link #rdmaWrites()}; the peer places the same
     * bytes at the same RMBE offsets and ignores the older producer cursors. Call after
     * {@link #discardPending()}.
     */
    void switchCursor() {
        if (!pendingCdcs.isEmpty()) {
            throw new IllegalStateException("switchCursor with CDCs pending on a live link");
        }
        Cursor oldSent = txCursSent;
        txCursSent = txCursFin;
        prod = prodFin;
        // smc_curs_comp(cons, fin) < 0 in the kernel; the serial distance is right across roll-over
        long ahead = Cursor.distance(peerRmbeSize, prodFin, peerCons);
        if (ahead > 0) {
            int d = (int) ahead;
            if (d > Cursor.distance(sndbufSize, txCursSent, oldSent)) {
                throw new IllegalStateException("CDC core invariant broken: peer consumed " + d
                        + " bytes beyond what we sent");
            }
            txCursSent = txCursSent.add(sndbufSize, d);
            txCursFin = txCursFin.add(sndbufSize, d);
            prod = prod.add(peerRmbeSize, d);
            prodFin = prodFin.add(peerRmbeSize, d);
        }
        resendEnd = Cursor.distance(sndbufSize, txCursSent, oldSent) > 0 ? oldSent : null;
        if (resendEnd != null && urgPresentPosted) {
            // the urg_data_present CDC may be lost: the re-send carries it again (smc_tx_rdma_writes)
            urgPresentPosted = false;
        }
        // smc_switch_cursor queues tx_work, which pushes without asking about corking
        pushRequested = true;
    }

    /** After the peer's failover validation: older consumer cursors are ignored (see {@code CdcReceiver.resync}). */
    boolean resync;

    private boolean ignoresAsOlder(CdcConfig.Validation v, Cursor current, Cursor received) {
        if ((v == CdcConfig.Validation.KERNEL || resync) && Cursor.kernelIgnoresAsOlder(current, received)) {
            return true;
        }
        return resync && Cursor.distance(peerRmbeSize, current, received) < 0;
    }

    /**
     * Validates the peer's consumer cursor (our data in its RMBE) without changing state.
     *
     * @return null when acceptable, else the violation
     */
    CdcViolation checkPeerCons(CdcCursor wire, CdcConfig.Validation v, StringBuilder detail) {
        if (!wire.fitsIn(peerRmbeSize)) {
            detail.append("consumer cursor count ").append(wire.count()).append(" >= peer RMBE size ")
                    .append(peerRmbeSize);
            return CdcViolation.CONS_CURSOR_BEYOND_RMBE;
        }
        Cursor c = wire.toCursor();
        if (ignoresAsOlder(v, peerCons, c)) {
            return null; // ignored by applyPeerCons, like smc_cdc_cursor_to_host
        }
        long d = Cursor.distance(peerRmbeSize, peerCons, c);
        if (d < 0) {
            detail.append("consumer cursor ").append(c).append(" is behind ").append(peerCons);
            return CdcViolation.CONS_CURSOR_BACKWARDS;
        }
        // prodMax, not prod: after a rewind the peer may report consuming bytes we are about to re-send
        if (Cursor.distance(peerRmbeSize, c, prodMax) < 0) {
            detail.append("consumer cursor ").append(c).append(" is beyond our producer cursor ").append(prodMax);
            return CdcViolation.CONS_CURSOR_BEYOND_PRODUCED;
        }
        return null;
    }

    /**
     * Applies a checked consumer cursor; returns the freed peer RMBE bytes ({@code diff_cons} in
     * {@code smc_cdc_msg_recv_action}).
     */
    int applyPeerCons(CdcCursor wire, CdcConfig.Validation v) {
        Cursor c = wire.toCursor();
        if (ignoresAsOlder(v, peerCons, c)) {
            return 0;
        }
        int d = (int) Cursor.distance(peerRmbeSize, peerCons, c);
        peerCons = c;
        long skip = Cursor.distance(peerRmbeSize, prod, peerCons);
        if (skip > 0) {
            // only after a rewind: the peer consumed bytes we were going to send again (their CDC
            // completion was lost). Skip them, as smc_switch_cursor does when it sees the consumer
            // cursor ahead; they are delivered, so their send buffer space is free too.
            int k = (int) skip;
            txCursSent = txCursSent.add(sndbufSize, k);
            prod = prod.add(peerRmbeSize, k);
            txCursFin = txCursSent;
            prodFin = prod;
            if (resendEnd != null && Cursor.distance(sndbufSize, txCursSent, resendEnd) <= 0) {
                resendEnd = null;
            }
        }
        if (d > 0) {
            if (preparedSends() > 0) {
                pushRequested = true; // smc_cdc_msg_recv_action: diff_cons && smc_tx_prepared_sends
            }
            // urgent data confirmed by the peer. The kernel checks this after pushing prepared
            // data synchronously; as pushes are deferred to poll() here, also require that the
            // urg_data_present CDC was posted.
            if (urgTxPend && urgPresentPosted && peerRmbeSpace() == peerRmbeSize) {
                urgTxPend = false;
                urgPresentPosted = false;
            }
        }
        return d;
    }

    private static void copyChecked(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int n) {
        if (srcOff < 0 || dstOff < 0 || n < 0 || srcOff + n > src.byteSize() || dstOff + n > dst.byteSize()) {
            throw new IllegalStateException("CDC core copy out of bounds: " + srcOff + "/" + dstOff + "/" + n);
        }
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, srcOff, dst, ValueLayout.JAVA_BYTE, dstOff, n);
    }

    static void copy(MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int n) {
        copyChecked(src, srcOff, dst, dstOff, n);
    }
}
