package io.smcj.simulator;

import io.smcj.transport.rdma.AccessFlags;
import io.smcj.transport.rdma.AsyncEvent;
import io.smcj.transport.rdma.AsyncEventType;
import io.smcj.transport.rdma.QpAttributes;
import io.smcj.transport.rdma.QpInitAttributes;
import io.smcj.transport.rdma.QpState;
import io.smcj.transport.rdma.QueuePair;
import io.smcj.transport.rdma.RecvWorkRequest;
import io.smcj.transport.rdma.ScatterGatherEntry;
import io.smcj.transport.rdma.SendWorkRequest;
import io.smcj.transport.rdma.VerbsException;
import io.smcj.transport.rdma.VerbsException.Errno;
import io.smcj.transport.rdma.WcOpcode;
import io.smcj.transport.rdma.WcStatus;
import io.smcj.transport.rdma.WorkCompletion;
import io.smcj.transport.rdma.WrOpcode;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A simulated RC queue pair. The send queue executes strictly in order: the head request is
 * transmitted, and only when it is acknowledged (or fails) does the next one go. Outcomes of a
 * transmission mirror the IB responder: ACK, RNR NAK (no receive posted: retry after the
 * responder's min_rnr_timer, rnr_retry times, 7 = wait for ever), NAK remote access / invalid
 * request / remote operational error (both QPs to ERROR), or silence (packet lost, peer gone or
 * not ready: retry after the ACK timeout, retry_cnt times, then RETRY_EXC_ERR).
 */
final class SimQp implements QueuePair {

    private static final class SendSlot {
        final SendWorkRequest wr;
        final MemorySegment inline; // inline payload captured at post time, else null
        int retries;
        int rnrRetries;

        SendSlot(SendWorkRequest wr, MemorySegment inline) {
            this.wr = wr;
            this.inline = inline;
        }
    }

    private enum Outcome { ACK, RNR, LOST, FAILED }

    final SimDevice device;
    final SimDevice.Pd pd;
    private final int qpNum;
    private final QpInitAttributes init;
    private final SimDevice.Cq sendCq;
    private final SimDevice.Cq recvCq;
    final SimCounters.Mutable counters = new SimCounters.Mutable();
    private final ArrayDeque<SendSlot> sq = new ArrayDeque<>();
    private final ArrayDeque<RecvWorkRequest> rq = new ArrayDeque<>();
    /** Requesters parked on this QP (infinite RNR retry) until a receive is posted here. */
    private final Set<SimQp> rnrWaiters = new LinkedHashSet<>();
    private QpState state = QpState.RESET;
    private QpAttributes.Init initAttr;
    private QpAttributes.Rtr rtr;
    private QpAttributes.Rts rts;
    /** A transmission of the head is scheduled (or parked): no new transmission may start. */
    private boolean busy;
    private boolean destroyed;
    /** Bumped on ERROR/RESET so that stale scheduled transmissions do nothing. */
    private long epoch;
    long delayNanos;
    int dropNext;
    /** Failure status the responder side reports to the requester, set by deliver(). */
    private WcStatus nakStatus;

    SimQp(SimDevice.Pd pd, int qpNum, QpInitAttributes init, SimDevice.Cq sendCq, SimDevice.Cq recvCq) {
        this.device = pd.device;
        this.pd = pd;
        this.qpNum = qpNum;
        this.init = init;
        this.sendCq = sendCq;
        this.recvCq = recvCq;
    }

    @Override
    public int qpNum() {
        return qpNum;
    }

    @Override
    public QpState state() {
        device.lock();
        try {
            return state;
        } finally {
            device.unlock();
        }
    }

    @Override
    public QpInitAttributes initAttributes() {
        return init;
    }

    // ------------------------------------------------------------ transitions

    @Override
    public void modifyToInit(QpAttributes.Init a) {
        device.lock();
        try {
            checkUsable();
            expect(QpState.RESET, "INIT");
            device.port(a.portNum());
            AccessFlags.check(a.accessFlags());
            initAttr = a;
            setState(QpState.INIT);
        } finally {
            device.unlock();
        }
    }

    @Override
    public void modifyToRtr(QpAttributes.Rtr a) {
        device.lock();
        try {
            checkUsable();
            expect(QpState.INIT, "RTR");
            SimDevice.Port port = device.port(initAttr.portNum());
            if (a.pathMtu().bytes() > port.activeMtu.bytes()) {
                throw new VerbsException(Errno.EINVAL, "path MTU " + a.pathMtu().bytes() + " above active MTU "
                        + port.activeMtu.bytes());
            }
            if (a.sgidIndex() < 0 || a.sgidIndex() >= port.gids.size()) {
                throw new VerbsException(Errno.EINVAL, "no GID index " + a.sgidIndex());
            }
            if ((a.remoteQpn() & ~0xffffff) != 0 || (a.rqPsn() & ~0xffffff) != 0) {
                throw new VerbsException(Errno.EINVAL, "QPN/PSN are 24 bit");
            }
            QpAttributes.rnrTimerNanos(a.minRnrTimer());
            rtr = a;
            setState(QpState.RTR);
        } finally {
            device.unlock();
        }
    }

    @Override
    public void modifyToRts(QpAttributes.Rts a) {
        device.lock();
        try {
            checkUsable();
            expect(QpState.RTR, "RTS");
            if (a.timeout() < 0 || a.timeout() > 31 || a.retryCnt() < 0 || a.retryCnt() > 7 || a.rnrRetry() < 0
                    || a.rnrRetry() > 7 || (a.sqPsn() & ~0xffffff) != 0) {
                throw new VerbsException(Errno.EINVAL, "bad RTS attributes " + a);
            }
            rts = a;
            setState(QpState.RTS);
        } finally {
            device.unlock();
        }
    }

    @Override
    public void modifyToError() {
        device.lock();
        try {
            checkUsable();
            toError(null, null);
        } finally {
            device.unlock();
        }
    }

    @Override
    public void modifyToReset() {
        device.lock();
        try {
            checkUsable();
            epoch++;
            sq.clear();
            rq.clear();
            busy = false;
            initAttr = null;
            rtr = null;
            rts = null;
            setState(QpState.RESET);
            wakeRnrWaiters();
        } finally {
            device.unlock();
        }
    }

    private void expect(QpState from, String to) {
        if (state != from) {
            throw new VerbsException(Errno.EINVAL, "QP 0x" + Integer.toHexString(qpNum) + ": " + state + " -> " + to
                    + " not allowed (needs " + from + ")");
        }
    }

    private void checkUsable() {
        device.checkAlive();
        if (destroyed) {
            throw new VerbsException(Errno.EINVAL, "QP destroyed");
        }
    }

    private void setState(QpState s) {
        state = s;
        device.fabric.trace(TraceEvent.Kind.QP_STATE, device.name(), qpNum, 0, s.name());
    }

    // ------------------------------------------------------------ posting

    @Override
    public void postSend(SendWorkRequest wr) {
        device.lock();
        try {
            checkUsable();
            if (state != QpState.RTS && state != QpState.ERROR) {
                throw new VerbsException(Errno.EINVAL, "post_send in state " + state);
            }
            if (wr.sgList().size() > init.maxSendSge()) {
                throw new VerbsException(Errno.EINVAL, wr.sgList().size() + " SGEs > max_send_sge " + init.maxSendSge());
            }
            if (sq.size() >= init.maxSendWr()) {
                throw new VerbsException(Errno.ENOMEM, "send queue full (max_send_wr " + init.maxSendWr() + ")");
            }
            long len = wr.totalLength();
            if (len > Integer.MAX_VALUE) {
                throw new VerbsException(Errno.EINVAL, "message longer than 2^31");
            }
            MemorySegment inline = null;
            if (wr.has(SendWorkRequest.INLINE)) {
                if (len > init.maxInlineData()) {
                    throw new VerbsException(Errno.EINVAL, "inline " + len + " bytes > max_inline_data " + init.maxInlineData());
                }
                inline = captureInline(wr);
            }
            counters.postedSends++;
            device.counters.postedSends++;
            device.fabric.trace(TraceEvent.Kind.POST_SEND, device.name(), qpNum, wr.wrId(),
                    wr.opcode() + " len=" + len + (wr.has(SendWorkRequest.INLINE) ? " inline" : ""));
            if (state == QpState.ERROR) {
                complete(sendCq, wr.wrId(), WcStatus.WR_FLUSH_ERR, wr.opcode().completionOpcode(), 0, 0, false, true);
                return;
            }
            sq.add(new SendSlot(wr, inline));
            kick();
        } finally {
            device.unlock();
        }
    }

    /** Inline data is read at post time from wherever the SGEs point (registration not required). */
    @SuppressWarnings("restricted")
    private MemorySegment captureInline(SendWorkRequest wr) {
        byte[] data = new byte[(int) wr.totalLength()];
        int off = 0;
        for (ScatterGatherEntry e : wr.sgList()) {
            MemorySegment src = findRegistered(e.addr(), e.length());
            if (src == null) {
                // unregistered memory, as inline allows on hardware; reading needs native access
                src = MemorySegment.ofAddress(e.addr()).reinterpret(e.length());
            }
            MemorySegment.copy(src, 0, MemorySegment.ofArray(data), off, e.length());
            off += e.length();
        }
        return MemorySegment.ofArray(data);
    }

    private MemorySegment findRegistered(long addr, int len) {
        for (SimDevice.Mr mr : device.mrsByKey.values()) {
            if (mr.contains(addr, len)) {
                return mr.segment.asSlice(addr - mr.address(), len);
            }
        }
        return null;
    }

    @Override
    public void postRecv(RecvWorkRequest wr) {
        device.lock();
        try {
            checkUsable();
            if (state == QpState.RESET) {
                throw new VerbsException(Errno.EINVAL, "post_recv in state RESET");
            }
            if (wr.sgList().size() > init.maxRecvSge()) {
                throw new VerbsException(Errno.EINVAL, wr.sgList().size() + " SGEs > max_recv_sge " + init.maxRecvSge());
            }
            if (rq.size() >= init.maxRecvWr()) {
                throw new VerbsException(Errno.ENOMEM, "receive queue full (max_recv_wr " + init.maxRecvWr() + ")");
            }
            counters.postedRecvs++;
            device.counters.postedRecvs++;
            device.fabric.trace(TraceEvent.Kind.POST_RECV, device.name(), qpNum, wr.wrId(), "len=" + wr.totalLength());
            if (state == QpState.ERROR) {
                complete(recvCq, wr.wrId(), WcStatus.WR_FLUSH_ERR, WcOpcode.RECV, 0, 0, false, true);
                return;
            }
            rq.add(wr);
            wakeRnrWaiters();
        } finally {
            device.unlock();
        }
    }

    private void wakeRnrWaiters() {
        if (rnrWaiters.isEmpty()) {
            return;
        }
        List<SimQp> waiters = new ArrayList<>(rnrWaiters);
        rnrWaiters.clear();
        long tick = device.fabric.isDeterministic() && rtr != null ? QpAttributes.rnrTimerNanos(rtr.minRnrTimer()) : 0;
        for (SimQp w : waiters) {
            w.scheduleTransmit(tick);
        }
    }

    // ------------------------------------------------------------ execution

    /** Starts transmitting the head request if nothing is in flight. */
    private void kick() {
        if (busy || sq.isEmpty() || state != QpState.RTS) {
            return;
        }
        SendSlot head = sq.peek();
        SimDevice.Port local = device.port(initAttr.portNum());
        SimDevice.Port remote = device.fabric.portByGid(rtr.remoteGid());
        scheduleTransmit(device.fabric.latency(local, remote, this, head.wr.totalLength()));
    }

    /** Injected delay on this QP's path (fast mode: no modelled latency otherwise). */
    private long transferDelay() {
        SimDevice.Port local = device.port(initAttr.portNum());
        SimDevice.Port remote = device.fabric.portByGid(rtr.remoteGid());
        return (local.delayNanos) + (remote == null ? 0 : remote.delayNanos) + delayNanos;
    }

    private void scheduleTransmit(long delay) {
        if (delay <= 0 && !device.fabric.isDeterministic()) {
            busy = false;
            transmitHead(); // fast mode: execute on the posting thread
            return;
        }
        busy = true;
        long myEpoch = epoch;
        device.fabric.scheduler().schedule(delay, () -> {
            if (epoch != myEpoch || destroyed || device.crashed) {
                return;
            }
            busy = false;
            transmitHead();
        });
    }

    /** Transmits the head request once and acts on the responder's answer; in fast mode drains the queue. */
    private void transmitHead() {
        while (state == QpState.RTS && !sq.isEmpty() && !busy) {
            SendSlot slot = sq.peek();
            SendWorkRequest wr = slot.wr;
            device.fabric.trace(TraceEvent.Kind.EXECUTE, device.name(), qpNum, wr.wrId(), wr.opcode() + " try="
                    + slot.retries + "/" + slot.rnrRetries);
            Outcome o = execute(slot);
            switch (o) {
                case ACK -> {
                    sq.poll();
                    slot.retries = 0;
                    if (init.sqSigAll() || wr.has(SendWorkRequest.SIGNALED)) {
                        complete(sendCq, wr.wrId(), WcStatus.SUCCESS, wr.opcode().completionOpcode(),
                                (int) wr.totalLength(), 0, false, false);
                    }
                    if (device.fabric.isDeterministic() || transferDelay() > 0) {
                        kick(); // the next request takes its own (virtual or injected) latency
                        return;
                    }
                }
                case RNR -> {
                    SimQp target = target();
                    if (rts.rnrRetry() == 7) {
                        // infinite: park until the responder posts a receive
                        busy = true;
                        target.rnrWaiters.add(this);
                        device.fabric.trace(TraceEvent.Kind.RNR, device.name(), qpNum, wr.wrId(), "park");
                        return;
                    }
                    if (slot.rnrRetries >= rts.rnrRetry()) {
                        toError(slot, WcStatus.RNR_RETRY_EXC_ERR);
                        return;
                    }
                    slot.rnrRetries++;
                    device.fabric.trace(TraceEvent.Kind.RNR, device.name(), qpNum, wr.wrId(), "retry=" + slot.rnrRetries);
                    scheduleTransmit(QpAttributes.rnrTimerNanos(target.rtr.minRnrTimer()));
                    return;
                }
                case LOST -> {
                    long timeout = QpAttributes.timeoutNanos(rts.timeout());
                    if (timeout < 0) {
                        busy = true; // infinite timeout: waits for ever, as hardware does
                        return;
                    }
                    if (slot.retries >= rts.retryCnt()) {
                        toError(slot, WcStatus.RETRY_EXC_ERR);
                        return;
                    }
                    slot.retries++;
                    device.fabric.trace(TraceEvent.Kind.RETRY, device.name(), qpNum, wr.wrId(), "retry=" + slot.retries);
                    scheduleTransmit(timeout);
                    return;
                }
                case FAILED -> {
                    toError(slot, nakStatus);
                    return;
                }
            }
        }
    }

    private SimQp target() {
        SimDevice.Port p = device.fabric.portByGid(rtr.remoteGid());
        return p == null ? null : p.device.qps.get(rtr.remoteQpn());
    }

    /** One transmission of a request. */
    private Outcome execute(SendSlot slot) {
        SendWorkRequest wr = slot.wr;
        // gather: local SGEs must name live MRs of this PD and lie inside them
        List<MemorySegment> src = new ArrayList<>(wr.sgList().size());
        if (slot.inline != null) {
            src.add(slot.inline);
        } else {
            for (ScatterGatherEntry e : wr.sgList()) {
                SimDevice.Mr mr = device.mrsByKey.get(e.lkey());
                if (mr == null || mr.pd != pd || !mr.contains(e.addr(), e.length())) {
                    nakStatus = WcStatus.LOC_PROT_ERR;
                    return Outcome.FAILED;
                }
                src.add(mr.segment.asSlice(e.addr() - mr.address(), e.length()));
            }
        }
        // route
        SimDevice.Port local = device.port(initAttr.portNum());
        SimDevice.Port remotePort = device.fabric.portByGid(rtr.remoteGid());
        if (dropNext > 0) {
            dropNext--;
            return Outcome.LOST;
        }
        if (!local.passes() || remotePort == null || !remotePort.passes()) {
            return Outcome.LOST;
        }
        SimQp t = remotePort.device.qps.get(rtr.remoteQpn());
        if (t == null || t.destroyed || (t.state != QpState.RTR && t.state != QpState.RTS)
                || t.initAttr.portNum() != remotePort.num) {
            return Outcome.LOST; // responder silently drops packets for a QP that cannot receive
        }
        long len = wr.totalLength();
        switch (wr.opcode()) {
            case RDMA_WRITE, RDMA_WRITE_WITH_IMM -> {
                SimDevice.Mr mr = t.device.mrsByKey.get(wr.rkey());
                if (mr == null || mr.pd != t.pd || !AccessFlags.has(mr.access, AccessFlags.REMOTE_WRITE)
                        || !AccessFlags.has(t.initAttr.accessFlags(), AccessFlags.REMOTE_WRITE)
                        || !mr.contains(wr.remoteAddr(), len)) {
                    t.responderError(AsyncEventType.QP_ACCESS_ERR);
                    nakStatus = WcStatus.REM_ACCESS_ERR;
                    return Outcome.FAILED;
                }
                RecvWorkRequest recv = null;
                if (wr.opcode() == WrOpcode.RDMA_WRITE_WITH_IMM) {
                    recv = t.rq.peek();
                    if (recv == null) {
                        return Outcome.RNR;
                    }
                    t.rq.poll();
                }
                long off = wr.remoteAddr() - mr.address();
                for (MemorySegment s : src) {
                    MemorySegment.copy(s, 0, mr.segment, off, s.byteSize());
                    off += s.byteSize();
                }
                account(t, len);
                if (recv != null) {
                    t.complete(t.recvCq, recv.wrId(), WcStatus.SUCCESS, WcOpcode.RECV_RDMA_WITH_IMM, (int) len,
                            wr.immData(), true, false);
                }
                return Outcome.ACK;
            }
            case SEND -> {
                RecvWorkRequest recv = t.rq.peek();
                if (recv == null) {
                    return Outcome.RNR;
                }
                t.rq.poll();
                if (recv.totalLength() < len) {
                    t.complete(t.recvCq, recv.wrId(), WcStatus.LOC_LEN_ERR, WcOpcode.RECV, 0, 0, false, true);
                    t.responderError(AsyncEventType.QP_REQ_ERR);
                    nakStatus = WcStatus.REM_INV_REQ_ERR;
                    return Outcome.FAILED;
                }
                List<MemorySegment> dst = new ArrayList<>(recv.sgList().size());
                for (ScatterGatherEntry e : recv.sgList()) {
                    SimDevice.Mr mr = t.device.mrsByKey.get(e.lkey());
                    if (mr == null || mr.pd != t.pd || !AccessFlags.has(mr.access, AccessFlags.LOCAL_WRITE)
                            || !mr.contains(e.addr(), e.length())) {
                        t.complete(t.recvCq, recv.wrId(), WcStatus.LOC_PROT_ERR, WcOpcode.RECV, 0, 0, false, true);
                        t.responderError(null);
                        nakStatus = WcStatus.REM_OP_ERR;
                        return Outcome.FAILED;
                    }
                    dst.add(mr.segment.asSlice(e.addr() - mr.address(), e.length()));
                }
                scatter(src, dst, len);
                account(t, len);
                t.complete(t.recvCq, recv.wrId(), WcStatus.SUCCESS, WcOpcode.RECV, (int) len, 0, false, false);
                return Outcome.ACK;
            }
            default -> throw new IllegalStateException(wr.opcode().toString());
        }
    }

    private void account(SimQp t, long len) {
        counters.bytesSent += len;
        device.counters.bytesSent += len;
        t.counters.bytesReceived += len;
        t.device.counters.bytesReceived += len;
    }

    private static void scatter(List<MemorySegment> src, List<MemorySegment> dst, long len) {
        int si = 0;
        int di = 0;
        long so = 0;
        long dOff = 0;
        long left = len;
        while (left > 0) {
            MemorySegment s = src.get(si);
            MemorySegment d = dst.get(di);
            long n = Math.min(Math.min(s.byteSize() - so, d.byteSize() - dOff), left);
            MemorySegment.copy(s, so, d, dOff, n);
            so += n;
            dOff += n;
            left -= n;
            if (so == s.byteSize()) {
                si++;
                so = 0;
            }
            if (dOff == d.byteSize()) {
                di++;
                dOff = 0;
            }
        }
    }

    /** The responder detected a fatal error: it moves to ERROR (flushing) and raises the event. */
    private void responderError(AsyncEventType event) {
        toError(null, null);
        if (event != null) {
            device.raise(new AsyncEvent(event, 0, qpNum));
        }
    }

    /**
     * Moves to ERROR: the failed request (if any) completes with {@code status}, every other
     * outstanding send and receive request with WR_FLUSH_ERR, in queue order.
     */
    void toError(Object failedSlot, WcStatus status) {
        if (state == QpState.ERROR) {
            return;
        }
        epoch++;
        busy = false;
        setState(QpState.ERROR);
        for (SendSlot s : sq) {
            WcStatus st = s == failedSlot ? status : WcStatus.WR_FLUSH_ERR;
            complete(sendCq, s.wr.wrId(), st, s.wr.opcode().completionOpcode(), 0, 0, false, true);
        }
        sq.clear();
        for (RecvWorkRequest r : rq) {
            complete(recvCq, r.wrId(), WcStatus.WR_FLUSH_ERR, WcOpcode.RECV, 0, 0, false, true);
        }
        rq.clear();
        wakeRnrWaiters();
    }

    /** The host crashed: no completions, no answers. */
    void vanish() {
        epoch++;
        busy = false;
        sq.clear();
        rq.clear();
        state = QpState.ERROR;
        wakeRnrWaiters();
    }

    private void complete(SimDevice.Cq cq, long wrId, WcStatus st, WcOpcode op, int len, int imm, boolean hasImm,
                          boolean error) {
        WorkCompletion wc = new WorkCompletion(wrId, st, op, st == WcStatus.SUCCESS ? len : 0, imm, hasImm, qpNum, 0);
        counters.completions++;
        device.counters.completions++;
        if (error) {
            counters.errors++;
            device.counters.errors++;
        }
        device.fabric.trace(TraceEvent.Kind.COMPLETE, device.name(), qpNum, wrId, st + " " + op + " len=" + wc.byteLen()
                + (hasImm ? " imm=0x" + Integer.toHexString(imm) : ""));
        cq.add(wc);
    }

    @Override
    public void close() {
        device.lock();
        try {
            if (destroyed) {
                return;
            }
            epoch++;
            destroyed = true;
            sq.clear();
            rq.clear();
            wakeRnrWaiters();
            device.qps.remove(qpNum);
            sendCq.users--;
            recvCq.users--;
            pd.users--;
        } finally {
            device.unlock();
        }
    }

    @Override
    public String toString() {
        return "sim-qp[" + device.name() + " 0x" + Integer.toHexString(qpNum) + " " + state + "]";
    }
}
