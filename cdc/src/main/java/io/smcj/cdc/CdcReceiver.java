package io.smcj.cdc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The receiving half of a connection's data path ({@code net/smc/smc_rx.c} and the receive side
 * of {@code smc_cdc.c}): our RMBE (registered memory the peer RDMA-writes into, viewed as a
 * {@link MemorySegment}), the peer's producer cursor from its CDCs and our consumer cursor.
 *
 * <pre>
 *  RMBE:  ... cons ======= prod ......    bytes_to_rcv = prod - cons (minus a skipped urgent byte)
 *         consConfirmed &lt;= cons           (what our last CDC told the peer)
 * </pre>
 *
 * Names follow {@code struct smc_connection}: {@code local_rx_ctrl.prod},
 * {@code local_tx_ctrl.cons}, {@code rx_curs_confirmed}, {@code bytes_to_rcv}, {@code urg_curs},
 * {@code urg_rx_byte}, {@code urg_state}, {@code urg_rx_skip_pend}. Urgent data is handled as
 * without SO_OOBINLINE (the urgent byte is taken out of the stream).
 *
 * <p>Every read of the RMBE goes through spans computed from validated cursors and is bounds
 * checked against the segment again before copying. Threading: not thread-safe, see
 * {@link CdcConnection}.
 */
public final class CdcReceiver {
    private final MemorySegment rmbe;
    private final int rmbeSize;
    private final int rmbeUpdateLimit;

    private Cursor prod;
    private Cursor cons;
    private Cursor consConfirmed;
    private int bytesToRcv;

    private boolean peerWriteBlocked;
    private boolean peerConsCursUpdReq;

    private UrgState urgState = UrgState.READ;
    private Cursor urgCurs;
    private byte urgRxByte;
    private boolean urgRxSkipPend;

    /** A consumer-cursor CDC is due ({@code smc_tx_consumer_update} decided to send). */
    private boolean consUpdateDue;

    CdcReceiver(MemorySegment rmbe, CdcConfig cfg) {
        this.rmbe = Objects.requireNonNull(rmbe, "rmbe");
        if (rmbe.byteSize() <= 0 || rmbe.byteSize() > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("RMBE size " + rmbe.byteSize());
        }
        this.rmbeSize = (int) rmbe.byteSize();
        this.rmbeUpdateLimit = cfg.rmbeUpdateLimit(rmbeSize);
        if (cfg.initialRxCursor().count() >= rmbeSize) {
            throw new IllegalArgumentException("initial cursor outside RMBE");
        }
        prod = cfg.initialRxCursor();
        cons = prod;
        consConfirmed = prod;
    }

    public int rmbeSize() {
        return rmbeSize;
    }

    /** {@code conn->rmbe_update_limit}. */
    public int rmbeUpdateLimit() {
        return rmbeUpdateLimit;
    }

    public Cursor prod() {
        return prod;
    }

    public Cursor cons() {
        return cons;
    }

    public Cursor consConfirmed() {
        return consConfirmed;
    }

    /** {@code conn->bytes_to_rcv}: readable bytes. */
    public int readable() {
        return bytesToRcv;
    }

    public UrgState urgState() {
        return urgState;
    }

    public boolean peerWriteBlocked() {
        return peerWriteBlocked;
    }

    public boolean consumerUpdateDue() {
        return consUpdateDue;
    }

    /** Where the readable bytes are in the RMBE: at most two spans, in stream order. */
    public List<RingSpan> readableSpans() {
        return spans(cons.count(), bytesToRcv);
    }

    private List<RingSpan> spans(int off, int len) {
        if (len == 0) {
            return List.of();
        }
        int first = Math.min(len, rmbeSize - off);
        if (first == len) {
            return List.of(new RingSpan(off, len));
        }
        return List.of(new RingSpan(off, first), new RingSpan(0, len - first));
    }

    /** True when an urgent byte lies ahead of our consumer cursor (not yet read or skipped). */
    private boolean urgentByteAhead() {
        return urgCurs != null && Cursor.distance(rmbeSize, cons, urgCurs) > 0;
    }

    /**
     * After the peer's failover validation ({@link CdcConnection}): its re-sent CDCs may carry
     * producer cursors behind the one we have (its rewind went back to its last completed CDC,
     * ours may be newer). Those are ignored as older with the wrap-safe distance; the kernel's rule
     * alone ({@link Cursor#kernelIgnoresAsOlder}) lets a cursor back to wrap 0 through.
     */
    boolean resync;

    private boolean ignoresAsOlder(CdcConfig.Validation v, Cursor current, Cursor received) {
        if ((v == CdcConfig.Validation.KERNEL || resync) && Cursor.kernelIgnoresAsOlder(current, received)) {
            return true;
        }
        return resync && Cursor.distance(rmbeSize, current, received) < 0;
    }

    /** Validates the peer's producer cursor without changing state; null when acceptable. */
    CdcViolation checkProd(CdcCursor wire, CdcConfig.Validation v, boolean closeReceived, StringBuilder detail) {
        if (!wire.fitsIn(rmbeSize)) {
            detail.append("producer cursor count ").append(wire.count()).append(" >= RMBE size ").append(rmbeSize);
            return CdcViolation.PROD_CURSOR_BEYOND_RMBE;
        }
        Cursor p = wire.toCursor();
        if (ignoresAsOlder(v, prod, p)) {
            return null;
        }
        long d = Cursor.distance(rmbeSize, prod, p);
        if (d < 0) {
            detail.append("producer cursor ").append(p).append(" is behind ").append(prod);
            return CdcViolation.PROD_CURSOR_BACKWARDS;
        }
        long used = Cursor.distance(rmbeSize, consConfirmed, p);
        if (used > rmbeSize) {
            detail.append("producer cursor ").append(p).append(" is ").append(used - rmbeSize)
                    .append(" bytes beyond the space we confirmed (consumer cursor ").append(consConfirmed).append(')');
            return CdcViolation.PROD_CURSOR_OVERRUN;
        }
        if (d > 0 && urgentByteAhead()) {
            detail.append("new data while the urgent byte before ").append(urgCurs).append(" is unconsumed");
            return CdcViolation.DATA_AFTER_URGENT_BYTE;
        }
        if (d > 0 && closeReceived && v == CdcConfig.Validation.STRICT) {
            detail.append(d).append(" new bytes after the peer closed or shut down writing");
            return CdcViolation.DATA_AFTER_CLOSE;
        }
        return null;
    }

    /**
     * Applies a checked producer cursor and producer flags ({@code smc_cdc_msg_recv_action},
     * {@code smc_cdc_handle_urg_data_arrival}); returns the bytes that became readable.
     */
    int applyProd(CdcCursor wire, ProducerFlags flags, CdcConfig.Validation v) {
        peerWriteBlocked = flags.writeBlocked();
        peerConsCursUpdReq = flags.consCursUpdReq();
        Cursor p = wire.toCursor();
        if (ignoresAsOlder(v, prod, p)) {
            return 0;
        }
        int diffProd = (int) Cursor.distance(rmbeSize, prod, p);
        prod = p;
        if (diffProd > 0) {
            if (flags.urgDataPresent()) {
                urgCurs = p;
                urgState = UrgState.VALID;
                diffProd--; // not SO_OOBINLINE: the urgent byte is not stream data
                int at = (p.count() == 0 ? rmbeSize : p.count()) - 1;
                urgRxByte = rmbe.get(ValueLayout.JAVA_BYTE, at);
            }
            bytesToRcv += diffProd;
        } else if (flags.urgDataPending()) {
            urgState = UrgState.NOTYET;
        }
        return diffProd;
    }

    /**
     * Copies up to {@code dst.byteSize()} readable bytes into {@code dst} and advances the
     * consumer cursor ({@code smc_rx_recvmsg} without MSG_PEEK); a lone urgent byte in front of
     * the cursor is skipped ({@code smc_rx_recvmsg_data_available}).
     *
     * @return bytes copied (0 when nothing is readable)
     */
    int read(MemorySegment dst) {
        if (bytesToRcv == 0) {
            if (urgState == UrgState.VALID) {
                updateConsumer(0);
            }
            return 0;
        }
        int copylen = (int) Math.min(dst.byteSize(), bytesToRcv);
        if (copylen == 0) {
            return 0;
        }
        int done = 0;
        for (RingSpan s : spans(cons.count(), copylen)) {
            CdcSender.copy(rmbe, s.offset(), dst, done, s.length());
            done += s.length();
        }
        bytesToRcv -= copylen;
        updateConsumer(copylen);
        return copylen;
    }

    /**
     * Advances the consumer cursor by {@code n} bytes without copying (the engine read the spans
     * from {@link #readableSpans()} itself).
     */
    int consume(int n) {
        if (n < 0 || n > bytesToRcv) {
            throw new IllegalArgumentException("consume " + n + " of " + bytesToRcv + " readable bytes");
        }
        if (n == 0 && bytesToRcv == 0 && urgState == UrgState.VALID) {
            updateConsumer(0);
            return 0;
        }
        bytesToRcv -= n;
        updateConsumer(n);
        return n;
    }

    /**
     * {@code smc_rx_recv_urg}: the urgent byte, once (MSG_OOB without MSG_PEEK).
     *
     * @return empty when no unread urgent byte is there (EINVAL/EAGAIN in the kernel)
     */
    OptionalInt readUrgent() {
        if (urgState != UrgState.VALID) {
            return OptionalInt.empty();
        }
        urgState = UrgState.READ;
        // The kernel sets urg_rx_skip_pend only for a distance > 1; at distance 1 (all normal
        // data already read) its cursor would then stay in front of the urgent byte for good and
        // the sender's urg_tx_pend would never clear. Skip in that case too.
        if (Cursor.distance(rmbeSize, cons, urgCurs) >= 1) {
            urgRxSkipPend = true;
        }
        updateConsumer(0);
        return OptionalInt.of(urgRxByte & 0xFF);
    }

    /**
     * {@code smc_rx_update_consumer}: advance {@code cons} by {@code len}, skip the urgent byte
     * when the cursor reaches it, then apply {@code smc_tx_consumer_update}'s rule. Unlike the
     * kernel's {@code smc_curs_comp}, the urgent position is compared with the serial distance,
     * which stays right when the wrap count rolls over from 0xFFFF to 0.
     */
    private void updateConsumer(int len) {
        boolean force = false;
        cons = cons.add(rmbeSize, len);
        if (urgCurs != null && (urgState == UrgState.VALID || urgRxSkipPend)) {
            long diff = Cursor.distance(rmbeSize, cons, urgCurs);
            if (diff == 1) {
                force = true;
                cons = cons.add(rmbeSize, 1);
                urgRxSkipPend = false;
            } else if (diff < -1) {
                urgState = UrgState.READ;
            }
        }
        consumerUpdate(force);
    }

    /**
     * {@code smc_tx_consumer_update}: a consumer-cursor CDC is due when the peer asked
     * (cons_curs_upd_req), when forced, or when more than {@code rmbe_update_limit} bytes are
     * unconfirmed and either the peer's view of our free space is at most half the RMBE or the
     * peer is write_blocked.
     */
    private void consumerUpdate(boolean force) {
        int toConfirm = Cursor.diff(rmbeSize, consConfirmed, cons);
        int senderFree = rmbeSize;
        if (toConfirm > rmbeUpdateLimit) {
            senderFree = rmbeSize - Cursor.diffLarge(rmbeSize, consConfirmed, prod);
        }
        if (peerConsCursUpdReq || force
                || (toConfirm > rmbeUpdateLimit && (senderFree <= rmbeSize / 2 || peerWriteBlocked))) {
            consUpdateDue = true;
        }
        if (peerWriteBlocked && bytesToRcv == 0) {
            peerWriteBlocked = false;
        }
    }

    /** A consumer-cursor CDC is due regardless of the update rule (after a link switch). */
    void forceConsumerUpdate() {
        consUpdateDue = true;
    }

    /** A CDC carrying {@link #cons()} was posted: {@code rx_curs_confirmed} follows. */
    void cdcPosted() {
        consConfirmed = cons;
        consUpdateDue = false;
        peerConsCursUpdReq = false;
    }
}
