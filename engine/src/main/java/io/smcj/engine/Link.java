package io.smcj.engine;

import io.smcj.cdc.CdcCodec;
import io.smcj.cdc.CdcMessage;
import io.smcj.protocol.SmcConstants;
import io.smcj.transport.rdma.AccessFlags;
import io.smcj.transport.rdma.CompletionQueue;
import io.smcj.transport.rdma.Mtu;
import io.smcj.transport.rdma.ProtectionDomain;
import io.smcj.transport.rdma.QpAttributes;
import io.smcj.transport.rdma.QpInitAttributes;
import io.smcj.transport.rdma.QpState;
import io.smcj.transport.rdma.QueuePair;
import io.smcj.transport.rdma.RecvWorkRequest;
import io.smcj.transport.rdma.ScatterGatherEntry;
import io.smcj.transport.rdma.SendWorkRequest;
import io.smcj.transport.rdma.VerbsException;
import io.smcj.transport.rdma.VerbsGid;
import io.smcj.transport.rdma.WcStatus;
import io.smcj.transport.rdma.WorkCompletion;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SMC-R link ({@code struct smc_link}, smc_ib.c + smc_wr.c): an RC QP with its CQ, the receive
 * slots ({@code smcr_max_recv_wr}) and send slots ({@code smcr_max_send_wr}) for CDC and LLC
 * messages. Received messages are demultiplexed by their first byte (0xFE CDC, else LLC).
 * Completions are polled by the engine agent ({@link #pollCompletions()}).
 */
final class Link {
    enum State { ACTIVATING, ACTIVE, FAILED, CLOSED }

    /** Callbacks to the link group. */
    interface Events {
        void onCdc(Link link, CdcMessage m);

        void onLlc(Link link, byte[] payload);

        void onLinkError(Link link, String why);

        /** A handler threw: reported, the rest of the completion batch is still handled. */
        void onHandlerError(Link link, RuntimeException e);

        /** Clock, waits and randomness of the engine this link belongs to. */
        default EngineRuntime runtime() {
            return EngineRuntime.REAL;
        }
    }

    private static final long KIND_RECV = 1L << 60;
    private static final long KIND_SEND = 2L << 60;
    private static final long KIND_WRITE = 3L << 60;
    private static final long KIND_MASK = 0xFL << 60;

    final int linkId;
    final RdmaDevice device;
    final ProtectionDomain pd;
    final CompletionQueue cq;
    final QueuePair qp;
    final int psn;
    final int slotSize;
    private final Events events;
    private final RdmaBuffer recvArea;
    private final RdmaBuffer sendArea;
    private final int recvSlots;
    private final int sendSlots;
    private final boolean[] sendBusy;
    private final Runnable[] sendDone;
    private final ReentrantLock slotLock = new ReentrantLock();
    private final Condition slotFree = slotLock.newCondition();
    private final java.util.Set<Runnable> slotWaiters = new java.util.LinkedHashSet<>();
    private final java.util.ArrayDeque<byte[]> pendingLlc = new java.util.ArrayDeque<>();
    private final WorkCompletion[] wcs = new WorkCompletion[64];
    volatile State state = State.ACTIVATING;
    volatile String failure;
    /** The peer told us with DELETE LINK (no DELETE LINK back). */
    volatile boolean deletedByPeer;
    int peerQpn;
    VerbsGid peerGid;
    int peerPsn;
    Mtu mtu;
    /** Link number in the link group (LLC link_num). */
    int linkNum;
    /** The peer's MAC for this link (CLC or ADD LINK), for the kernel's "same peer port" checks. */
    volatile io.smcj.protocol.MacAddress peerMac;
    /** {@code link_is_asym}: tagged by {@code smcr_lgr_set_type_asym}, cleared by every type change. */
    volatile boolean asym;
    /**
     * An asymmetric link being deleted ({@code smc_llc_delete_asym_link}): no longer chosen for new
     * sends, but still polled until its sends completed and the peer confirmed the DELETE LINK.
     */
    volatile boolean retiring;
    /** The peer deleted this link as the group's asymmetric link (the group keeps its type). */
    volatile boolean asymDeletedByPeer;
    long lastRecvNanos;

    Link(int linkId, RdmaDevice device, ProtectionDomain pd, int maxSendWr, int maxRecvWr, int slotSize,
         java.util.concurrent.atomic.AtomicLong inUse, Events events) {
        this.linkId = linkId;
        this.device = device;
        this.pd = pd;
        this.events = events;
        this.lastRecvNanos = events.runtime().nanoTime();
        this.slotSize = slotSize;
        this.recvSlots = maxRecvWr;
        this.sendSlots = maxSendWr;
        this.sendBusy = new boolean[maxSendWr];
        this.sendDone = new Runnable[maxSendWr];
        // send queue: CDC/LLC sends plus up to two RDMA WRITEs per CDC (the kernel sizes it 3x too)
        this.cq = device.ctx.createCq(maxSendWr * 3 + maxRecvWr + 16);
        this.qp = pd.createQp(new QpInitAttributes(cq, cq, maxSendWr * 3, maxRecvWr, 2, 1, 0, false));
        this.recvArea = RdmaBuffer.allocate(pd, maxRecvWr * slotSize, false, inUse, Long.MAX_VALUE);
        this.sendArea = RdmaBuffer.allocate(pd, maxSendWr * slotSize, false, inUse, Long.MAX_VALUE);
        this.psn = events.runtime().random().nextInt(1, 0xFFFFFF);
        qp.modifyToInit(new QpAttributes.Init(device.port, 0, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE));
        for (int i = 0; i < recvSlots; i++) {
            postRecv(i);
        }
    }

    int qpn() {
        return qp.qpNum();
    }

    /**
     * INIT&rarr;RTR&rarr;RTS with the peer's values from CLC ({@code smc_ib_ready_link}).
     *
     * @param peerMtuIbv the peer's qp_mtu (IB enum value); the path MTU is the smaller of it and ours
     */
    void connect(int peerQpn, VerbsGid peerGid, int peerPsn, int peerMtuIbv) {
        this.peerQpn = peerQpn;
        this.peerGid = peerGid;
        this.peerPsn = peerPsn;
        Mtu ours = device.activeMtu();
        Mtu theirs = peerMtuIbv >= 1 && peerMtuIbv <= 5 ? Mtu.fromIbvValue(peerMtuIbv) : ours;
        this.mtu = ours.ibvValue() <= theirs.ibvValue() ? ours : theirs;
        // smc_ib.c: SMC_QP_MIN_RNR_TIMER 5, SMC_QP_TIMEOUT 15 (~134 ms), SMC_QP_RETRY_CNT 7,
        // SMC_QP_RNR_RETRY 7 (infinite)
        qp.modifyToRtr(new QpAttributes.Rtr(peerQpn, peerGid, device.gidEntry.index(), peerPsn, mtu, 1, 5));
        qp.modifyToRts(new QpAttributes.Rts(psn, 15, 7, 7, 1));
        state = State.ACTIVE;
    }

    boolean isActive() {
        return state == State.ACTIVE && !retiring;
    }

    /** {@code smc_link_usable}: set up or active, not failed or cleared. */
    boolean isUsable() {
        State st = state;
        return st == State.ACTIVATING || st == State.ACTIVE;
    }

    /** Whether a send slot is still in use ({@code smc_wr_tx_wait_no_pending_sends} waits for none). */
    boolean sendsPending() {
        slotLock.lock();
        try {
            for (boolean b : sendBusy) {
                if (b) {
                    return true;
                }
            }
            return false;
        } finally {
            slotLock.unlock();
        }
    }

    private void postRecv(int slot) {
        qp.postRecv(RecvWorkRequest.of(KIND_RECV | slot,
                ScatterGatherEntry.of(recvArea.mr, (long) slot * slotSize, slotSize)));
    }

    /**
     * Sends one CDC or LLC message from a send slot (IB SEND, signaled). Waits up to 10 s for a
     * free slot ({@code smc_wr_tx_get_free_slot}); {@code onDone} runs on the agent when the send completed.
     *
     * @throws LinkDownException the link is not usable
     */
    void send(byte[] msg, Runnable onDone) throws LinkDownException {
        sendAfterWrites(List.of(), msg, onDone);
    }

    /** One RDMA WRITE work request of a transmission: gather list, target address, rkey. */
    record Write(List<ScatterGatherEntry> sg, long remoteAddr, int rkey) {
    }

    /**
     * The kernel's order in {@code smc_tx_sndbuf_nonempty}: take a CDC send slot first (so the send
     * queue never holds more than 3 requests per slot), post the RDMA WRITEs, then the CDC.
     */
    void sendAfterWrites(List<Write> writes, byte[] msg, Runnable onDone) throws LinkDownException {
        sendInSlot(acquireSlot(), writes, msg, onDone);
    }

    /**
     * A free send slot without waiting, or -1 ({@code waiter} is then called from the agent once a
     * slot is free again). Connections use this under their lock: waiting for a slot there would
     * block the agent that frees slots.
     */
    int tryAcquireSlot(Runnable waiter) throws LinkDownException {
        slotLock.lock();
        try {
            if (state == State.FAILED || state == State.CLOSED) {
                throw new LinkDownException("link " + linkId + " is " + state + (failure != null ? ": " + failure : ""));
            }
            for (int i = 0; i < sendSlots; i++) {
                if (!sendBusy[i]) {
                    sendBusy[i] = true;
                    return i;
                }
            }
            slotWaiters.add(waiter);
            return -1;
        } finally {
            slotLock.unlock();
        }
    }

    /** Gives back a slot taken with {@link #tryAcquireSlot} that was not used. */
    void unusedSlot(int slot) {
        releaseSlot(slot); // waiters run on the agent (never here, under a connection lock)
    }

    /**
     * Sends an LLC message without ever blocking (the agent sends LLC responses): when no slot is
     * free it is queued and sent by the agent as soon as one is.
     */
    void sendLlc(byte[] msg) throws LinkDownException {
        int slot = tryAcquireSlot(NO_WAITER);
        if (slot >= 0) {
            sendInSlot(slot, List.of(), msg, null);
            return;
        }
        slotLock.lock();
        try {
            slotWaiters.remove(NO_WAITER);
            pendingLlc.add(msg);
        } finally {
            slotLock.unlock();
        }
    }

    private static final Runnable NO_WAITER = () -> { };

    private void flushPendingLlc() {
        while (true) {
            byte[] msg;
            int slot;
            slotLock.lock();
            try {
                msg = pendingLlc.peek();
                if (msg == null) {
                    return;
                }
                slot = -1;
                for (int i = 0; i < sendSlots; i++) {
                    if (!sendBusy[i]) {
                        sendBusy[i] = true;
                        slot = i;
                        break;
                    }
                }
                if (slot < 0) {
                    return;
                }
                pendingLlc.poll();
            } finally {
                slotLock.unlock();
            }
            try {
                sendInSlot(slot, List.of(), msg, null);
            } catch (LinkDownException e) {
                return;
            }
        }
    }

    private void runSlotWaiters() {
        flushPendingLlc();
        List<Runnable> ws;
        slotLock.lock();
        try {
            if (slotWaiters.isEmpty()) {
                return;
            }
            ws = List.copyOf(slotWaiters);
            slotWaiters.clear();
        } finally {
            slotLock.unlock();
        }
        for (Runnable r : ws) {
            r.run();
        }
    }

    /** Posts the writes and the message in an already acquired slot. */
    void sendInSlot(int slot, List<Write> writes, byte[] msg, Runnable onDone) throws LinkDownException {
        if (msg.length > slotSize) {
            releaseSlot(slot);
            throw new IllegalArgumentException("message of " + msg.length + " bytes exceeds the send slot");
        }
        for (Write w : writes) {
            try {
                qp.postSend(SendWorkRequest.rdmaWrite(KIND_WRITE, w.sg(), w.remoteAddr(), w.rkey()));
            } catch (VerbsException e) {
                releaseSlot(slot);
                fail("post RDMA WRITE failed: " + e.getMessage());
                throw new LinkDownException("link " + linkId + ": " + e.getMessage());
            }
        }
        MemorySegment.copy(msg, 0, sendArea.segment, ValueLayout.JAVA_BYTE, (long) slot * slotSize, msg.length);
        slotLock.lock();
        try {
            sendDone[slot] = onDone;
        } finally {
            slotLock.unlock();
        }
        try {
            qp.postSend(SendWorkRequest.send(KIND_SEND | slot,
                    List.of(ScatterGatherEntry.of(sendArea.mr, (long) slot * slotSize, msg.length))));
        } catch (VerbsException e) {
            releaseSlot(slot);
            fail("post send failed: " + e.getMessage());
            throw new LinkDownException("link " + linkId + ": " + e.getMessage());
        }
    }

    /** RDMA WRITE into the peer's RMBE (signaled so the send queue accounting stays simple). */
    void rdmaWrite(List<ScatterGatherEntry> sg, long remoteAddr, int rkey) throws LinkDownException {
        if (state != State.ACTIVE) {
            throw new LinkDownException("link " + linkId + " is " + state);
        }
        try {
            qp.postSend(SendWorkRequest.rdmaWrite(KIND_WRITE, sg, remoteAddr, rkey));
        } catch (VerbsException e) {
            fail("post RDMA WRITE failed: " + e.getMessage());
            throw new LinkDownException("link " + linkId + ": " + e.getMessage());
        }
    }

    private int acquireSlot() throws LinkDownException {
        long deadline = events.runtime().nanoTime() + TimeUnit.SECONDS.toNanos(10);
        slotLock.lock();
        try {
            while (true) {
                if (state == State.FAILED || state == State.CLOSED) {
                    throw new LinkDownException("link " + linkId + " is " + state
                            + (failure != null ? ": " + failure : ""));
                }
                for (int i = 0; i < sendSlots; i++) {
                    if (!sendBusy[i]) {
                        sendBusy[i] = true;
                        return i;
                    }
                }
                long left = deadline - events.runtime().nanoTime();
                if (left <= 0) {
                    throw new LinkDownException("link " + linkId + ": no free send slot for 10 s");
                }
                events.runtime().awaitNanos(slotLock, slotFree, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LinkDownException("interrupted waiting for a send slot");
        } finally {
            slotLock.unlock();
        }
    }

    private Runnable releaseSlot(int slot) {
        slotLock.lock();
        try {
            Runnable r = sendDone[slot];
            sendDone[slot] = null;
            sendBusy[slot] = false;
            slotFree.signalAll();
            return r;
        } finally {
            slotLock.unlock();
        }
    }

    /** Agent: polls and handles completions. @return the number handled */
    int pollCompletions() {
        if (state == State.CLOSED || polling) {
            return 0; // polling: re-entered from a handler (LinkGroup.onCdc for a failover validation)
        }
        polling = true;
        try {
            return pollCompletionsNow();
        } finally {
            polling = false;
        }
    }

    /** Agent thread only. */
    private boolean polling;

    private int pollCompletionsNow() {
        runSlotWaiters();
        int total = 0;
        while (true) {
            int n;
            try {
                n = cq.poll(wcs);
            } catch (VerbsException e) {
                fail("CQ failed: " + e.getMessage());
                return total;
            }
            if (n == 0) {
                return total;
            }
            total += n;
            for (int i = 0; i < n; i++) {
                try {
                    handle(wcs[i]);
                } catch (RuntimeException e) {
                    // a connection's bookkeeping failed: report it, keep handling the batch
                    events.onHandlerError(this, e);
                }
                wcs[i] = null;
            }
        }
    }

    private void handle(WorkCompletion wc) {
        long kind = wc.wrId() & KIND_MASK;
        int slot = (int) (wc.wrId() & 0xFFFFFFFFL);
        if (kind == KIND_SEND) {
            Runnable r = releaseSlot(slot);
            if (wc.isSuccess() && r != null) {
                r.run();
            }
            runSlotWaiters();
        }
        if (!wc.isSuccess()) {
            if (wc.status() != WcStatus.WR_FLUSH_ERR || state == State.ACTIVE) {
                fail("work completion " + wc.status() + " (" + (kind == KIND_RECV ? "receive" : kind == KIND_SEND
                        ? "send" : "RDMA WRITE") + ")");
            }
            return;
        }
        if (kind != KIND_RECV) {
            return;
        }
        lastRecvNanos = events.runtime().nanoTime();
        byte[] msg = new byte[wc.byteLen()];
        MemorySegment.copy(recvArea.segment, ValueLayout.JAVA_BYTE, (long) slot * slotSize, msg, 0, msg.length);
        if (state == State.ACTIVE || state == State.ACTIVATING) {
            try {
                postRecv(slot);
            } catch (VerbsException e) {
                fail("re-posting a receive failed: " + e.getMessage());
            }
        }
        if (msg.length > 0 && (msg[0] & 0xFF) == CdcMessage.TYPE) {
            CdcMessage m;
            try {
                m = CdcCodec.decode(msg);
            } catch (RuntimeException e) {
                // a CDC we cannot parse: the kernel would drop it; it can't be attributed to a connection
                return;
            }
            events.onCdc(this, m);
        } else if (msg.length > 0) {
            events.onLlc(this, msg);
        }
    }

    /** Marks the link failed (QP to ERROR) and tells the link group once. */
    void fail(String why) {
        synchronized (this) {
            if (state == State.FAILED || state == State.CLOSED) {
                return;
            }
            state = State.FAILED;
            failure = why;
        }
        slotLock.lock();
        try {
            slotFree.signalAll();
        } finally {
            slotLock.unlock();
        }
        try {
            if (qp.state() != QpState.ERROR) {
                qp.modifyToError();
            }
        } catch (RuntimeException ignored) {
            // already gone
        }
        events.onLinkError(this, why);
    }

    /** Destroys the QP, CQ and slot buffers ({@code smcr_link_clear}). */
    void destroy() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        slotLock.lock();
        try {
            slotFree.signalAll();
        } finally {
            slotLock.unlock();
        }
        quietly(qp::modifyToError);
        quietly(qp::close);
        quietly(cq::close);
        quietly(recvArea::close);
        quietly(sendArea::close);
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // teardown continues
        }
    }

    static Duration timeout(long ms) {
        return Duration.ofMillis(ms);
    }

    @Override
    public String toString() {
        return "link" + linkId + "[" + device + " qp 0x" + Integer.toHexString(qpn()) + " -> 0x"
                + Integer.toHexString(peerQpn) + " " + state + "]";
    }

    static final int SLOT_V1 = SmcConstants.WR_BUF_SIZE;
}
