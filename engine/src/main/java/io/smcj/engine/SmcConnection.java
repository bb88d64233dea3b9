package io.smcj.engine;

import io.smcj.cdc.CdcCodec;
import io.smcj.cdc.CdcConfig;
import io.smcj.cdc.CdcConnection;
import io.smcj.cdc.CdcMessage;
import io.smcj.cdc.CdcResult;
import io.smcj.cdc.CdcSnapshot;
import io.smcj.cdc.RdmaWriteSegment;
import io.smcj.cdc.SmcCloseState;
import io.smcj.cdc.Transmission;
import io.smcj.protocol.AlertToken;
import io.smcj.transport.rdma.ScatterGatherEntry;
import io.smcj.transport.tcp.stream.TcpStream;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The data path of one SMC-R connection ({@code struct smc_connection}; smc_tx.c, smc_rx.c,
 * smc_cdc.c, smc_close.c glue): the {@code cdc/} core over our RMBE and send buffer, posting its
 * {@link Transmission}s (RDMA WRITEs into the peer's RMBE, then the CDC as an IB SEND) on the
 * connection's link ({@code conn->lnk}, see {@link LinkGroup#assignLink()}); after a link failure
 * the agent moves it to a surviving link ({@link #failover}). Application threads call
 * {@link #write}/{@link #read} under the connection lock (the kernel's socket lock) and wait on its
 * condition; the engine agent delivers CDCs and send completions under the same lock. Every blocking wait has a timeout or is woken by close,
 * abort or link-group loss.
 */
final class SmcConnection {
    static final boolean DEBUG = Boolean.getBoolean("smcj.debug.cdc");
    final SmcEngine engine;
    final LinkGroup lgr;
    final TcpStream tcp;
    final SmcStats.Role role;
    final AlertToken localToken;
    final AlertToken peerToken;
    final RdmaBuffer rmb;
    final RdmaBuffer sndbuf;
    final long peerRmbAddr;
    /** The peer's RMB rkey per link number (CLC gives the first; ADD LINK CONT / CONFIRM RKEY the others). */
    final java.util.Map<Integer, Integer> peerRkeys = new java.util.concurrent.ConcurrentHashMap<>();
    /** {@code conn->lnk}: every CDC and RDMA WRITE of this connection goes over this link. */
    private volatile Link link;
    /**
     * Counts link switches; a send completion of a CDC posted before the last switch is ignored
     * (the core forgot those CDCs when it rewound, {@code CdcConnection.switchLink}).
     */
    private int linkEpoch;
    final int peerRmbeSize;
    final SmcStatus status;
    private final CdcConnection core;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private IOException failure;
    private boolean appClosed;
    private boolean inputShutdown;
    private boolean released;
    private boolean releasePending;
    private boolean releaseWithReset;
    private boolean peerFullCounted;
    private long bytesSent;
    private long bytesReceived;

    SmcConnection(SmcEngine engine, LinkGroup lgr, TcpStream tcp, SmcStats.Role role, AlertToken localToken,
                  AlertToken peerToken, RdmaBuffer rmb, RdmaBuffer sndbuf, long peerRmbAddr, int clcLinkNum,
                  int peerRkey, int peerRmbeSize, SmcStatus status) {
        this.engine = engine;
        this.lgr = lgr;
        this.tcp = tcp;
        this.role = role;
        this.localToken = localToken;
        this.peerToken = peerToken;
        this.rmb = rmb;
        this.sndbuf = sndbuf;
        this.peerRmbAddr = peerRmbAddr;
        this.peerRkeys.put(clcLinkNum, peerRkey);
        this.peerRmbeSize = peerRmbeSize;
        this.status = status;
        CdcConfig cfg = CdcConfig.defaults(localToken, peerToken).withAutocorkingSize(engine.config.autocorkingSize());
        // snapshots are read under the connection lock only: none is built on the data path
        this.core = new CdcConnection(cfg, sndbuf.segment, rmb.segment, peerRmbeSize).snapshotOnDemand();
    }

    /** The core's cursors and flags now; safe from any thread. */
    CdcSnapshot snapshot() {
        lock.lock();
        try {
            return core.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /** Sets {@code conn->lnk} ({@code smcr_lgr_conn_assign_link}; the client: the Accept's link). */
    void assignLink(Link l) {
        lock.lock();
        try {
            link = l;
        } finally {
            lock.unlock();
        }
    }

    /** The link this connection sends on ({@code conn->lnk}); safe from any thread. */
    Link link() {
        return link;
    }

    /** Failover-validation CDCs sent and accepted from the peer ({@code CdcConnection} counters). */
    int[] validations() {
        lock.lock();
        try {
            return new int[] {core.validationsSent(), core.validationsReceived()};
        } finally {
            lock.unlock();
        }
    }

    long bytesSent() {
        return bytesSent;
    }

    long bytesReceived() {
        return bytesReceived;
    }

    // ------------------------------------------------------------------ application side

    /** {@code smc_tx_sendmsg}: copies all bytes into the send buffer, waiting for space. */
    void write(byte[] b, int off, int len, boolean urgent) throws IOException {
        lock.lock();
        try {
            int flags = urgent ? CdcConnection.MSG_OOB : 0;
            while (len > 0) {
                checkFailure();
                int n = core.write(b, off, len, flags);
                if (DEBUG) {
                    engine.trace.line(engine.name + " write " + len + " -> " + n + " " + core.snapshot());
                }
                if (n == CdcConnection.EPIPE) {
                    throw new SocketException("Socket output is shutdown");
                }
                if (n == CdcConnection.ECONNRESET) {
                    throw new SocketException("Connection reset by peer (SMC-R close or abort)");
                }
                if (n > 0) {
                    off += n;
                    len -= n;
                    bytesSent += n;
                    engine.stats.sent(n);
                    if (urgent && len == 0) {
                        engine.stats.urgentData();
                    }
                    pump();
                    continue;
                }
                engine.stats.sndbufFull();
                pump();
                awaitChange(TimeUnit.MILLISECONDS.toNanos(200));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code smc_rx_recvmsg}: at least one byte, -1 at end of stream.
     *
     * @param timeoutMillis 0 = wait forever (SO_TIMEOUT semantics)
     */
    int read(byte[] b, int off, int len, int timeoutMillis) throws IOException {
        if (len == 0) {
            return 0;
        }
        long deadline = timeoutMillis > 0 ? engine.runtime.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
        lock.lock();
        try {
            while (true) {
                if (inputShutdown) {
                    return -1;
                }
                int n = core.read(b, off, len);
                if (n > 0) {
                    bytesReceived += n;
                    engine.stats.received(n);
                    pump(); // a consumer-cursor update may be due (smc_rx_update_consumer)
                    return n;
                }
                if (n == CdcConnection.EOF) {
                    if (core.closeState().rxFlags().peerConnAbort()) {
                        // smc_rx_recvmsg: the peer's abort is ECONNRESET, not an end of stream
                        throw new SocketException("Connection reset: the peer aborted the SMC-R connection");
                    }
                    return -1;
                }
                checkFailure();
                if (core.state() == SmcCloseState.PROCESSABORT || core.closeState().rxFlags().peerConnAbort()) {
                    throw new SocketException("Connection reset: the peer aborted the SMC-R connection");
                }
                long wait = TimeUnit.MILLISECONDS.toNanos(200);
                if (deadline != 0) {
                    long left = deadline - engine.runtime.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    wait = Math.min(wait, left);
                }
                awaitChange(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    int available() {
        lock.lock();
        try {
            return core.readable();
        } finally {
            lock.unlock();
        }
    }

    /** {@code recv(MSG_OOB)}. */
    int readUrgent() {
        lock.lock();
        try {
            var r = core.readUrgent();
            pump();
            return r.isPresent() ? r.getAsInt() : -1;
        } finally {
            lock.unlock();
        }
    }

    void shutdownOutput() throws IOException {
        lock.lock();
        try {
            checkFailure();
            core.shutdownWrite();
            pump();
        } finally {
            lock.unlock();
        }
    }

    /** Local only, as shutdown(SHUT_RD) in the kernel: later reads return EOF. */
    void shutdownInput() {
        lock.lock();
        try {
            inputShutdown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isInputShutdown() {
        lock.lock();
        try {
            return inputShutdown || core.closeState().receiveShutdown();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code smc_close_active}: requests the close; the close CDC goes out once the send buffer has
     * drained; resources are freed once the peer closed too.
     */
    void close(long lingerMillis) {
        lock.lock();
        try {
            if (appClosed) {
                return;
            }
            appClosed = true;
            inputShutdown = true;
            if (failure == null) {
                core.close();
                // like TCP, close() does not wait: the close CDC follows the data once the send
                // buffer has drained (pumped on the peer's consumer updates by the agent)
                pump();
            }
            changed.signalAll();
            maybeRelease();
        } finally {
            lock.unlock();
        }
    }

    /** Abortive close: a CDC with peer_conn_abort, then everything is freed and the TCP socket reset. */
    void abort() {
        lock.lock();
        try {
            appClosed = true;
            if (failure == null) {
                core.abort();
                pump();
                failure = new SocketException("Socket closed (aborted)");
            }
            changed.signalAll();
            releaseNow(true);
        } finally {
            lock.unlock();
        }
    }

    SmcCloseState state() {
        return core.state();
    }

    // ------------------------------------------------------------------ agent side

    void onCdc(CdcMessage m) {
        lock.lock();
        try {
            CdcResult r = core.onCdc(m);
            if (DEBUG) {
                engine.trace.line(engine.name + " CDC rx " + m + " -> " + r);
            }
            if (r instanceof CdcResult.Aborted a) {
                engine.trace.line(engine.name + " connection " + localToken + " aborted: " + a.violation() + " "
                        + a.detail());
            } else if (r instanceof CdcResult.Ignored i && i.reason() == CdcResult.IgnoreReason.FAILOVER_VALIDATION_OK) {
                engine.trace.line(engine.name + " connection " + localToken + " failover validation ok: " + i.detail());
            }
            pump();
            changed.signalAll();
            maybeRelease();
        } finally {
            lock.unlock();
        }
    }

    /** A CDC send completed; {@code epoch}: the link switch count when it was posted. */
    private void onCdcSendComplete(int epoch) {
        lock.lock();
        try {
            if (epoch != linkEpoch || released) {
                // posted on a link we left: the core already forgot it (it will be re-sent or
                // the peer has it; either way the peer ignores the duplicate)
                return;
            }
            core.onCdcSendComplete();
            pump();
            changed.signalAll();
            maybeRelease();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code smc_switch_conns} for this connection: its link {@code failed} is gone, it moves to
     * {@code to}. Called by the agent after it handled the completions the failed link delivered
     * (successful CDC completions count; flushed ones, {@code WR_FLUSH_ERR}, do not). The core
     * rewinds to the last completed CDC ({@code smc_switch_cursor}); the next posts on {@code to}
     * are the failover-validation CDC and then the rewound data.
     */
    void failover(Link failed, Link to) {
        lock.lock();
        try {
            if (released || link != failed) {
                return;
            }
            link = to;
            linkEpoch++;
            boolean validate = core.switchLink();
            engine.trace.line(engine.name + " connection " + localToken + " moves to link_num " + to.linkNum + " ("
                    + core.state() + (validate ? ", failover validation seqno " + core.sender().seqFin()
                    + ", re-send " + core.sender().resendPending() + " bytes from " + core.sender().txCursSent() : "")
                    + ")");
            if (failure == null) {
                pump();
            }
            changed.signalAll();
            maybeRelease();
        } finally {
            lock.unlock();
        }
    }

    /** The link group lost its last link ({@code smc_conn_kill}): the connection fails. */
    void linkGroupLost(String why) {
        lock.lock();
        try {
            if (failure == null) {
                failure = new LinkDownException("SMC-R link group lost: " + why);
            }
            changed.signalAll();
            releaseNow(true);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ posting

    /**
     * Posts everything the core has ready on the connection's link: RDMA WRITEs then the CDC
     * ({@code smc_tx_sndbuf_nonempty}). Nothing is posted while that link is down: the agent
     * moves the connection first ({@link #failover}), so nothing new goes out on a failed link
     * and the validation CDC is the first thing on the new one.
     */
    private void pump() {
        if (released) {
            return;
        }
        while (true) {
            Link l = link;
            if (l != null && !l.isActive() && !lgr.links.contains(l) && lgr.activeLink() != null) {
                // the agent already moved the group's connections off l (after draining it), but
                // this one joined after that: move it now
                failover(l, lgr.activeLink());
                return;
            }
            if (l == null || !l.isActive()) {
                if (lgr.activeLink() == null) {
                    if (failure == null) {
                        failure = new LinkDownException("SMC-R link group lost: no active link in link group " + lgr.id);
                    }
                    changed.signalAll();
                }
                return; // the agent moves this connection to a surviving link
            }
            if (!core.transmissionMayBeDue()) {
                break; // nothing to send: no slot taken and given back (autocorked writes, most reads)
            }
            int slot;
            try {
                // take the CDC slot before the core commits cursors (smc_cdc_get_free_slot first)
                slot = l.tryAcquireSlot(slotWaiter);
            } catch (LinkDownException e) {
                if (lgr.activeLink() == null && failure == null) {
                    failure = e;
                    changed.signalAll();
                }
                return;
            }
            if (slot < 0) {
                return; // the agent calls slotWaiter when a slot is free
            }
            Optional<Transmission> next = core.poll();
            if (next.isEmpty()) {
                l.unusedSlot(slot);
                break;
            }
            try {
                post(l, slot, next.get());
            } catch (LinkDownException e) {
                // committed in the core: pending there until the failover rewinds over it
                if (lgr.hasOtherActiveLink(l)) {
                    engine.trace.line(engine.name + " connection " + localToken + " waits for failover: " + e.getMessage());
                    return;
                }
                if (failure == null) {
                    failure = e;
                }
                changed.signalAll();
                return;
            }
        }
        boolean peerFull = core.sender().peerRmbeSpace() == 0 && core.sender().sndbufSpace() < sndbuf.size();
        if (peerFull && !peerFullCounted) {
            engine.stats.peerRmbFull();
        }
        peerFullCounted = peerFull;
    }

    /** Agent: a send slot became free after we found none. */
    private final Runnable slotWaiter = () -> {
        lock.lock();
        try {
            pump();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    };

    private void post(Link link, int slot, Transmission t) throws LinkDownException {
        Integer rkey = peerRkeys.get(link.linkNum);
        if (rkey == null) {
            link.unusedSlot(slot);
            throw new LinkDownException("no rkey of the peer's RMB for link " + link.linkNum);
        }
        var sndMr = sndbuf.mrFor(link.pd);
        List<RdmaWriteSegment> segs = t.writes();
        List<Link.Write> writes = new ArrayList<>(2);
        for (int wr = 0; wr <= 1; wr++) {
            List<ScatterGatherEntry> sg = new ArrayList<>(2);
            int remote = -1;
            for (RdmaWriteSegment s : segs) {
                if (s.wrIndex() == wr) {
                    if (remote < 0) {
                        remote = s.remoteOffset();
                    }
                    sg.add(ScatterGatherEntry.of(sndMr, s.localOffset(), s.length()));
                }
            }
            if (!sg.isEmpty()) {
                writes.add(new Link.Write(sg, peerRmbAddr + remote, rkey));
            }
        }
        if (DEBUG) {
            engine.trace.line(engine.name + " CDC tx " + t.cdc() + " writes " + segs);
        }
        int epoch = linkEpoch;
        link.sendInSlot(slot, writes, CdcCodec.encode(t.cdc()), () -> onCdcSendComplete(epoch));
    }

    // ------------------------------------------------------------------ helpers

    private void awaitChange(long nanos) throws IOException {
        try {
            engine.runtime.awaitNanos(lock, changed, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private void checkFailure() throws IOException {
        if (failure != null) {
            throw failure instanceof LinkDownException l ? new LinkDownException(l.getMessage())
                    : new SocketException(failure.getMessage());
        }
    }

    private void maybeRelease() {
        if (releasePending) {
            releaseNow(releaseWithReset);
        } else if (appClosed && core.state() == SmcCloseState.CLOSED) {
            releaseNow(false);
        }
    }

    /** Frees RMB, send buffer and the token, closes the TCP socket ({@code smc_conn_free}). */
    private void releaseNow(boolean resetTcp) {
        if (released) {
            return;
        }
        if (core.sender().pendingCdcCount() > 0 && lgr.activeLink() != null) {
            // RDMA WRITEs from the send buffer may still be in flight: free after their CDC completed
            releasePending = true;
            releaseWithReset = resetTcp;
            return;
        }
        released = true;
        releasePending = false;
        lgr.removeConnection(this);
        rmb.close();
        sndbuf.close();
        if (resetTcp) {
            tcp.abort();
        } else {
            tcp.close();
        }
        engine.connectionReleased(this);
    }

    /** The handshake failed after the connection was set up: free buffers, keep the TCP stream (fallback). */
    void discard() {
        lock.lock();
        try {
            released = true;
            failure = new SocketException("handshake failed");
            lgr.removeConnection(this);
            rmb.close();
            sndbuf.close();
        } finally {
            lock.unlock();
        }
    }

    boolean isReleased() {
        lock.lock();
        try {
            return released;
        } finally {
            lock.unlock();
        }
    }
}
