package io.smcj.transport.rdma.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.smcj.transport.rdma.AccessFlags;
import io.smcj.transport.rdma.AsyncEvent;
import io.smcj.transport.rdma.AsyncEventType;
import io.smcj.transport.rdma.CompletionQueue;
import io.smcj.transport.rdma.GidEntry;
import io.smcj.transport.rdma.GidType;
import io.smcj.transport.rdma.MemoryRegion;
import io.smcj.transport.rdma.Mtu;
import io.smcj.transport.rdma.PortAttributes;
import io.smcj.transport.rdma.PortState;
import io.smcj.transport.rdma.ProtectionDomain;
import io.smcj.transport.rdma.QpAttributes;
import io.smcj.transport.rdma.QpInitAttributes;
import io.smcj.transport.rdma.QpState;
import io.smcj.transport.rdma.QueuePair;
import io.smcj.transport.rdma.RecvWorkRequest;
import io.smcj.transport.rdma.ScatterGatherEntry;
import io.smcj.transport.rdma.SendWorkRequest;
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.VerbsException;
import io.smcj.transport.rdma.VerbsException.Errno;
import io.smcj.transport.rdma.WcOpcode;
import io.smcj.transport.rdma.WcStatus;
import io.smcj.transport.rdma.WorkCompletion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backend-independent conformance tests of the verbs SPI: RC semantics as libibverbs gives them
 * on real RoCE hardware. Written against SPI types only. A backend's test extends this class and
 * provides {@link #createTestBed()}; tests whose fault its {@link FaultControl} cannot inject are
 * skipped (assumption, with a SKIP-WARNING line on stderr).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class VerbsConformanceSuite {

    /** The backend under test. Called once per test. */
    protected abstract VerbsTestBed createTestBed();

    /** How long to wait for an expected completion (virtual time for a deterministic backend). */
    protected Duration completionTimeout() {
        return Duration.ofSeconds(10);
    }

    /** How long to watch for a completion that must not come. */
    protected Duration quietPeriod() {
        return Duration.ofMillis(200);
    }

    /** ACK timeout encoding used by the fault tests: 4.096 us * 2^10 = 4.2 ms. */
    protected static final int FAULT_TIMEOUT = 10;

    protected static final int BUF = 1 << 20;

    protected VerbsTestBed bed;
    protected Arena arena;

    @BeforeEach
    void setUpBed() {
        bed = createTestBed();
        arena = Arena.ofShared();
    }

    @AfterEach
    void tearDownBed() {
        bed.close();
        arena.close();
    }

    // ------------------------------------------------------------------ endpoint helpers

    /** One side: PD, CQs, a QP and a registered buffer. */
    protected final class Endpoint {
        final VerbsContext ctx;
        final int port;
        final ProtectionDomain pd;
        final CompletionQueue scq;
        final CompletionQueue rcq;
        final QueuePair qp;
        final MemorySegment buf;
        final MemoryRegion mr;

        Endpoint(VerbsContext ctx, int port, int depth, int cqSize) {
            this.ctx = ctx;
            this.port = port;
            this.pd = ctx.allocPd();
            this.scq = ctx.createCq(cqSize);
            this.rcq = ctx.createCq(cqSize);
            this.qp = pd.createQp(new QpInitAttributes(scq, rcq, depth, depth, 4, 4, 64, true));
            this.buf = arena.allocate(BUF, 4096);
            this.mr = pd.registerMemory(buf, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE);
        }

        /** Shares another endpoint's PD, CQs and buffer, with its own QP. */
        Endpoint(Endpoint base, QueuePair qp) {
            this.ctx = base.ctx;
            this.port = base.port;
            this.pd = base.pd;
            this.scq = base.scq;
            this.rcq = base.rcq;
            this.qp = qp;
            this.buf = base.buf;
            this.mr = base.mr;
        }

        GidEntry gid() {
            for (GidEntry g : ctx.queryGids(port)) {
                if (g.type() == GidType.ROCE_V2 && g.ipAddress() != null) {
                    return g;
                }
            }
            throw new AssertionError("no RoCE v2 GID with an IP on " + ctx.deviceName());
        }

        ScatterGatherEntry sge(long off, int len) {
            return ScatterGatherEntry.of(mr, off, len);
        }
    }

    protected Endpoint endpointA() {
        return new Endpoint(bed.deviceA(), bed.portA(), 256, 1024);
    }

    protected Endpoint endpointB() {
        return new Endpoint(bed.deviceB(), bed.portB(), 256, 1024);
    }

    /** Connects a QP to a peer QP through RESET, INIT, RTR and RTS. */
    protected static void bringUp(Endpoint self, Endpoint peer, int timeout, int retry, int rnrRetry) {
        Mtu mtu = minMtu(self, peer);
        self.qp.modifyToInit(new QpAttributes.Init(self.port, 0, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE));
        self.qp.modifyToRtr(new QpAttributes.Rtr(peer.qp.qpNum(), peer.gid().gid(), self.gid().index(), 0x1000,
                mtu, 1, 1));
        self.qp.modifyToRts(new QpAttributes.Rts(0x1000, timeout, retry, rnrRetry, 1));
    }

    private static Mtu minMtu(Endpoint a, Endpoint b) {
        Mtu x = a.ctx.queryPort(a.port).activeMtu();
        Mtu y = b.ctx.queryPort(b.port).activeMtu();
        return x.bytes() <= y.bytes() ? x : y;
    }

    /** Two connected endpoints: ACK timeout 14, 7 retries, infinite RNR retry (as SMC-R uses). */
    protected Endpoint[] connected() {
        return connected(14, 7, 7);
    }

    protected Endpoint[] connected(int timeout, int retry, int rnrRetry) {
        Endpoint a = endpointA();
        Endpoint b = endpointB();
        bringUp(a, b, timeout, retry, rnrRetry);
        bringUp(b, a, timeout, retry, rnrRetry);
        return new Endpoint[] {a, b};
    }

    protected WorkCompletion next(CompletionQueue cq) throws InterruptedException {
        WorkCompletion[] one = new WorkCompletion[1];
        long deadline = System.nanoTime() + completionTimeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            if (cq.poll(one) == 1) {
                return one[0];
            }
            if (!cq.await(completionTimeout()) || System.nanoTime() > deadline) {
                if (cq.poll(one) == 1) {
                    return one[0];
                }
                fail("no completion within " + completionTimeout());
            }
        }
    }

    protected List<WorkCompletion> next(CompletionQueue cq, int n) throws InterruptedException {
        List<WorkCompletion> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(next(cq));
        }
        return out;
    }

    protected void expectNone(CompletionQueue cq) throws InterruptedException {
        assertFalse(cq.await(quietPeriod()), "unexpected completion");
        WorkCompletion[] one = new WorkCompletion[1];
        assertEquals(0, cq.poll(one), () -> "unexpected completion " + one[0]);
    }

    protected AsyncEvent nextEvent(VerbsContext ctx, AsyncEventType type) throws InterruptedException {
        while (true) {
            AsyncEvent e = ctx.awaitAsyncEvent(completionTimeout());
            assertNotNull(e, "no async event " + type);
            if (e.type() == type) {
                return e;
            }
        }
    }

    protected void assumeFault(FaultControl.Fault f) {
        if (!bed.faults().supports(f)) {
            System.err.println("SKIP-WARNING: " + getClass().getSimpleName() + ": backend cannot inject " + f);
            Assumptions.abort("backend cannot inject " + f);
        }
    }

    private static void fill(MemorySegment seg, long off, int len, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < len; i++) {
            seg.set(ValueLayout.JAVA_BYTE, off + i, (byte) r.nextInt());
        }
    }

    private static byte[] bytes(MemorySegment seg, long off, int len) {
        return seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
    }

    private static void assertWc(WorkCompletion wc, long wrId, WcStatus status) {
        assertEquals(status, wc.status(), () -> "completion " + wc);
        assertEquals(wrId, wc.wrId(), () -> "completion " + wc);
    }

    // ------------------------------------------------------------------ device and QP setup

    @Test
    void deviceReportsPortsGidsMacAndNetdev() {
        VerbsContext a = bed.deviceA();
        assertTrue(a.queryDevice().portCount() >= bed.portA());
        PortAttributes pa = a.queryPort(bed.portA());
        assertEquals(PortState.ACTIVE, pa.state());
        assertTrue(pa.activeMtu().bytes() >= 1024);
        assertEquals(6, a.macAddress(bed.portA()).length);
        assertFalse(a.netdev(bed.portA()).isEmpty());
        List<GidEntry> gids = a.queryGids(bed.portA());
        assertTrue(gids.stream().anyMatch(g -> g.type() == GidType.ROCE_V2 && g.ipAddress() != null));
        for (GidEntry g : gids) {
            if (g.type() == GidType.ROCE_V2 && g.ipAddress() != null) {
                assertEquals(g.ipAddress(), g.gid().toInetAddress(), "RoCE v2 GID derives from its IP");
            }
        }
    }

    @Test
    void registrationRejectsHeapUnalignedAndBadFlags() {
        ProtectionDomain pd = bed.deviceA().allocPd();
        VerbsException heap = assertThrows(VerbsException.class,
                () -> pd.registerMemory(MemorySegment.ofArray(new byte[4096]), AccessFlags.LOCAL_WRITE));
        assertEquals(Errno.EINVAL, heap.errno());
        MemorySegment seg = arena.allocate(8192, 4096);
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class,
                () -> pd.registerMemory(seg.asSlice(8), AccessFlags.LOCAL_WRITE)).errno());
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class,
                () -> pd.registerMemory(seg, AccessFlags.REMOTE_WRITE)).errno());
        MemoryRegion mr = pd.registerMemory(seg, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE);
        assertEquals(seg.address(), mr.address());
        assertEquals(8192, mr.length());
        assertTrue(mr.isRegistered());
        assertEquals(Errno.EBUSY, assertThrows(VerbsException.class, pd::close).errno());
        mr.deregister();
        assertFalse(mr.isRegistered());
        pd.close();
    }

    @Test
    void qpTransitionsAreExplicitAndChecked() {
        Endpoint a = endpointA();
        Endpoint b = endpointB();
        assertEquals(QpState.RESET, a.qp.state());
        // RESET -> RTR skips INIT
        assertThrows(VerbsException.class, () -> a.qp.modifyToRtr(new QpAttributes.Rtr(b.qp.qpNum(), b.gid().gid(),
                a.gid().index(), 0, Mtu.MTU_1024, 1, 1)));
        a.qp.modifyToInit(new QpAttributes.Init(a.port, 0, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE));
        assertEquals(QpState.INIT, a.qp.state());
        // post_send needs RTS; post_recv is allowed from INIT
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class,
                () -> a.qp.postSend(SendWorkRequest.send(1, List.of(a.sge(0, 8))))).errno());
        a.qp.postRecv(RecvWorkRequest.of(2, a.sge(0, 64)));
        // a path MTU above the port's active MTU is refused
        Mtu active = a.ctx.queryPort(a.port).activeMtu();
        if (active != Mtu.MTU_4096) {
            assertEquals(Errno.EINVAL, assertThrows(VerbsException.class, () -> a.qp.modifyToRtr(new QpAttributes.Rtr(
                    b.qp.qpNum(), b.gid().gid(), a.gid().index(), 0, Mtu.MTU_4096, 1, 1))).errno());
        }
        a.qp.modifyToRtr(new QpAttributes.Rtr(b.qp.qpNum(), b.gid().gid(), a.gid().index(), 0, Mtu.MTU_1024, 1, 1));
        assertEquals(QpState.RTR, a.qp.state());
        a.qp.modifyToRts(new QpAttributes.Rts(0, 14, 7, 7, 1));
        assertEquals(QpState.RTS, a.qp.state());
        assertThrows(VerbsException.class, () -> a.qp.modifyToRts(new QpAttributes.Rts(0, 14, 7, 7, 1)));
    }

    // ------------------------------------------------------------------ data path

    @Test
    void rdmaWriteLandsInTargetMemory() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        fill(a.buf, 0, 4000, 1);
        a.qp.postSend(SendWorkRequest.rdmaWrite(7, List.of(a.sge(0, 4000)), b.mr.address() + 100, b.mr.rkey()));
        WorkCompletion wc = next(a.scq);
        assertWc(wc, 7, WcStatus.SUCCESS);
        assertEquals(WcOpcode.RDMA_WRITE, wc.opcode());
        assertEquals(a.qp.qpNum(), wc.qpNum());
        assertArrayEquals(bytes(a.buf, 0, 4000), bytes(b.buf, 100, 4000));
        expectNone(b.rcq); // a plain write consumes no receive and is silent at the target
    }

    @Test
    void writesCompleteInPostOrderAndLandInOrder() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        int n = 200;
        for (int i = 0; i < n; i++) {
            a.buf.set(ValueLayout.JAVA_INT, 4L * i, i);
            // every write hits the same target word: the last one must win
            a.qp.postSend(SendWorkRequest.rdmaWrite(i, List.of(a.sge(4L * i, 4)), b.mr.address(), b.mr.rkey()));
        }
        for (int i = 0; i < n; i++) {
            assertWc(next(a.scq), i, WcStatus.SUCCESS);
        }
        assertEquals(n - 1, b.buf.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void writeWithImmediateConsumesReceiveAndReportsImmediate() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        b.qp.postRecv(RecvWorkRequest.of(50));
        fill(a.buf, 0, 300, 2);
        a.qp.postSend(SendWorkRequest.rdmaWriteWithImm(9, List.of(a.sge(0, 300)), b.mr.address() + 4096,
                b.mr.rkey(), 0xCAFEBABE));
        assertWc(next(a.scq), 9, WcStatus.SUCCESS);
        WorkCompletion r = next(b.rcq);
        assertWc(r, 50, WcStatus.SUCCESS);
        assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, r.opcode());
        assertTrue(r.hasImm());
        assertEquals(0xCAFEBABE, r.immData());
        assertEquals(300, r.byteLen());
        assertEquals(b.qp.qpNum(), r.qpNum());
        assertArrayEquals(bytes(a.buf, 0, 300), bytes(b.buf, 4096, 300));
    }

    @Test
    void sendGathersAndScattersAcrossEntries() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        fill(a.buf, 0, 100, 3);
        fill(a.buf, 1000, 60, 4);
        b.qp.postRecv(RecvWorkRequest.of(1, b.sge(0, 70), b.sge(5000, 200)));
        b.qp.postRecv(RecvWorkRequest.of(2, b.sge(9000, 64)));
        a.qp.postSend(SendWorkRequest.send(11, List.of(a.sge(0, 100), a.sge(1000, 60))));
        a.qp.postSend(SendWorkRequest.send(12, List.of(a.sge(2000, 0))));
        assertWc(next(a.scq), 11, WcStatus.SUCCESS);
        assertWc(next(a.scq), 12, WcStatus.SUCCESS);
        WorkCompletion r1 = next(b.rcq);
        assertWc(r1, 1, WcStatus.SUCCESS);
        assertEquals(WcOpcode.RECV, r1.opcode());
        assertEquals(160, r1.byteLen());
        assertFalse(r1.hasImm());
        byte[] sent = new byte[160];
        System.arraycopy(bytes(a.buf, 0, 100), 0, sent, 0, 100);
        System.arraycopy(bytes(a.buf, 1000, 60), 0, sent, 100, 60);
        byte[] got = new byte[160];
        System.arraycopy(bytes(b.buf, 0, 70), 0, got, 0, 70);
        System.arraycopy(bytes(b.buf, 5000, 90), 0, got, 70, 90);
        assertArrayEquals(sent, got);
        WorkCompletion r2 = next(b.rcq);
        assertWc(r2, 2, WcStatus.SUCCESS);
        assertEquals(0, r2.byteLen());
    }

    @Test
    void inlineSendCopiesAtPostTime() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        b.qp.postRecv(RecvWorkRequest.of(1, b.sge(0, 64)));
        // inline data needs no registration: use unregistered native memory
        MemorySegment loose = arena.allocate(44);
        fill(loose, 0, 44, 5);
        byte[] expected = bytes(loose, 0, 44);
        a.qp.postSend(SendWorkRequest.sendInline(3, List.of(new ScatterGatherEntry(loose.address(), 44, 0))));
        loose.fill((byte) 0); // reusing the buffer right after post is allowed for inline
        assertWc(next(a.scq), 3, WcStatus.SUCCESS);
        assertWc(next(b.rcq), 1, WcStatus.SUCCESS);
        assertArrayEquals(expected, bytes(b.buf, 0, 44));
        // above max_inline_data (64) the post itself fails
        VerbsException e = assertThrows(VerbsException.class, () -> a.qp.postSend(
                SendWorkRequest.sendInline(4, List.of(a.sge(0, 65)))));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void unsignaledWritesCompleteSilently() throws Exception {
        Endpoint a = endpointA();
        Endpoint b = endpointB();
        // rebuild A's QP with sq_sig_all = false
        QueuePair qp = a.pd.createQp(new QpInitAttributes(a.scq, a.rcq, 16, 16, 2, 2, 0, false));
        Endpoint a2 = new Endpoint(a, qp);
        bringUp(a2, b, 14, 7, 7);
        bringUp(b, a2, 14, 7, 7);
        a2.buf.set(ValueLayout.JAVA_LONG, 0, 0x1122334455667788L);
        a2.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(a2.sge(0, 8)), b.mr.address(), b.mr.rkey()).withFlags(0));
        a2.qp.postSend(SendWorkRequest.rdmaWrite(2, List.of(a2.sge(0, 8)), b.mr.address() + 8, b.mr.rkey()));
        assertWc(next(a2.scq), 2, WcStatus.SUCCESS);
        expectNone(a2.scq);
        assertEquals(0x1122334455667788L, b.buf.get(ValueLayout.JAVA_LONG, 0));
        assertEquals(0x1122334455667788L, b.buf.get(ValueLayout.JAVA_LONG, 8));
    }


    // ------------------------------------------------------------------ errors

    @Test
    void remoteAccessErrorFailsBothQpsAndFlushes() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        b.qp.postRecv(RecvWorkRequest.of(100, b.sge(0, 64)));
        a.qp.postRecv(RecvWorkRequest.of(200, a.sge(0, 64)));
        a.qp.postRecv(RecvWorkRequest.of(201, a.sge(64, 64)));
        a.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey() ^ 0x5500));
        for (int i = 2; i <= 4; i++) {
            a.qp.postSend(SendWorkRequest.rdmaWrite(i, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        }
        assertWc(next(a.scq), 1, WcStatus.REM_ACCESS_ERR);
        for (int i = 2; i <= 4; i++) {
            assertWc(next(a.scq), i, WcStatus.WR_FLUSH_ERR);
        }
        assertWc(next(a.rcq), 200, WcStatus.WR_FLUSH_ERR);
        assertWc(next(a.rcq), 201, WcStatus.WR_FLUSH_ERR);
        assertEquals(QpState.ERROR, a.qp.state());
        // the responder detected the violation: it is in ERROR too, its receives flushed
        WorkCompletion br = next(b.rcq);
        assertWc(br, 100, WcStatus.WR_FLUSH_ERR);
        assertEquals(QpState.ERROR, b.qp.state());
        assertEquals(AsyncEventType.QP_ACCESS_ERR, nextEvent(b.ctx, AsyncEventType.QP_ACCESS_ERR).type());
        // in ERROR, new requests are flushed at once
        a.qp.postSend(SendWorkRequest.rdmaWrite(9, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        assertWc(next(a.scq), 9, WcStatus.WR_FLUSH_ERR);
        a.qp.postRecv(RecvWorkRequest.of(202, a.sge(0, 8)));
        assertWc(next(a.rcq), 202, WcStatus.WR_FLUSH_ERR);
    }

    @Test
    void writeWithoutRemoteWriteAccessFails() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        MemorySegment ro = arena.allocate(4096, 4096);
        MemoryRegion roMr = b.pd.registerMemory(ro, AccessFlags.LOCAL_WRITE);
        a.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 8)), roMr.address(), roMr.rkey()));
        assertWc(next(a.scq), 1, WcStatus.REM_ACCESS_ERR);
        assertEquals(0L, ro.get(ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void largeWritesFitExactlyButNotAcrossTheMrEnd() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        fill(a.buf, 0, BUF, 6);
        // 1 MiB gathered from 3 entries, exactly filling the target MR
        a.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 1000), a.sge(1000, BUF / 2 - 1000),
                a.sge(BUF / 2, BUF / 2)), b.mr.address(), b.mr.rkey()));
        assertWc(next(a.scq), 1, WcStatus.SUCCESS);
        assertArrayEquals(bytes(a.buf, 0, BUF), bytes(b.buf, 0, BUF));
        b.buf.set(ValueLayout.JAVA_BYTE, BUF - 1, (byte) 0x5a);
        // one byte past the end: refused as a whole, nothing written
        a.buf.fill((byte) 0);
        a.qp.postSend(SendWorkRequest.rdmaWrite(2, List.of(a.sge(0, 4096)), b.mr.address() + BUF - 4095, b.mr.rkey()));
        assertWc(next(a.scq), 2, WcStatus.REM_ACCESS_ERR);
        assertEquals((byte) 0x5a, b.buf.get(ValueLayout.JAVA_BYTE, BUF - 1));
    }

    @Test
    void writeBelowMrStartFails() throws Exception {
        Endpoint[] ep = connected();
        ep[0].qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(ep[0].sge(0, 8)), ep[1].mr.address() - 8,
                ep[1].mr.rkey()));
        assertWc(next(ep[0].scq), 1, WcStatus.REM_ACCESS_ERR);
    }

    @Test
    void writeToDeregisteredTargetMrFails() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        a.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        assertWc(next(a.scq), 1, WcStatus.SUCCESS);
        b.mr.deregister(); // the registration goes away while the peer still uses its rkey
        a.qp.postSend(SendWorkRequest.rdmaWrite(2, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        assertWc(next(a.scq), 2, WcStatus.REM_ACCESS_ERR);
    }

    @Test
    void localProtectionErrors() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        // lkey of nothing
        a.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(new ScatterGatherEntry(a.mr.address(), 8,
                a.mr.lkey() ^ 0x7700)), b.mr.address(), b.mr.rkey()));
        assertWc(next(a.scq), 1, WcStatus.LOC_PROT_ERR);
        assertEquals(QpState.ERROR, a.qp.state());

        Endpoint[] ep2 = connected();
        // SGE reaching past the end of its MR
        ep2[0].qp.postSend(SendWorkRequest.send(2, List.of(ep2[0].sge(BUF - 8, 16))));
        assertWc(next(ep2[0].scq), 2, WcStatus.LOC_PROT_ERR);

        Endpoint[] ep3 = connected();
        // deregistered local MR
        ep3[0].mr.deregister();
        ep3[0].qp.postSend(SendWorkRequest.rdmaWrite(3, List.of(ep3[0].sge(0, 8)), ep3[1].mr.address(),
                ep3[1].mr.rkey()));
        assertWc(next(ep3[0].scq), 3, WcStatus.LOC_PROT_ERR);
    }

    @Test
    void receiveTooSmallFailsBothSides() throws Exception {
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        b.qp.postRecv(RecvWorkRequest.of(1, b.sge(0, 16)));
        b.qp.postRecv(RecvWorkRequest.of(2, b.sge(16, 16)));
        a.qp.postSend(SendWorkRequest.send(5, List.of(a.sge(0, 17))));
        assertWc(next(a.scq), 5, WcStatus.REM_INV_REQ_ERR);
        assertWc(next(b.rcq), 1, WcStatus.LOC_LEN_ERR);
        assertWc(next(b.rcq), 2, WcStatus.WR_FLUSH_ERR);
        assertEquals(QpState.ERROR, a.qp.state());
        assertEquals(QpState.ERROR, b.qp.state());
    }

    @Test
    void sendWithoutReceiveFailsAfterFiniteRnrRetries() throws Exception {
        Endpoint[] ep = connected(14, 7, 2);
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        a.qp.postSend(SendWorkRequest.send(1, List.of(a.sge(0, 8))));
        a.qp.postSend(SendWorkRequest.send(2, List.of(a.sge(0, 8))));
        assertWc(next(a.scq), 1, WcStatus.RNR_RETRY_EXC_ERR);
        assertWc(next(a.scq), 2, WcStatus.WR_FLUSH_ERR);
        assertEquals(QpState.ERROR, a.qp.state());
        assertEquals(QpState.RTS, b.qp.state(), "RNR does not hurt the responder");
    }

    @Test
    void writeWithImmediateWithoutReceiveIsRnr() throws Exception {
        Endpoint[] ep = connected(14, 7, 1);
        ep[0].qp.postSend(SendWorkRequest.rdmaWriteWithImm(1, List.of(ep[0].sge(0, 8)), ep[1].mr.address(),
                ep[1].mr.rkey(), 1));
        assertWc(next(ep[0].scq), 1, WcStatus.RNR_RETRY_EXC_ERR);
    }

    @Test
    void infiniteRnrRetryWaitsForAReceive() throws Exception {
        Endpoint[] ep = connected(14, 7, 7);
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        a.buf.set(ValueLayout.JAVA_LONG, 0, 42);
        a.qp.postSend(SendWorkRequest.send(1, List.of(a.sge(0, 8))));
        a.qp.postSend(SendWorkRequest.rdmaWrite(2, List.of(a.sge(0, 8)), b.mr.address() + 64, b.mr.rkey()));
        expectNone(a.scq);
        // the write behind the blocked send waits too (per-QP ordering)
        assertEquals(0L, b.buf.get(ValueLayout.JAVA_LONG, 64));
        b.qp.postRecv(RecvWorkRequest.of(10, b.sge(0, 8)));
        assertWc(next(a.scq), 1, WcStatus.SUCCESS);
        assertWc(next(a.scq), 2, WcStatus.SUCCESS);
        assertWc(next(b.rcq), 10, WcStatus.SUCCESS);
        assertEquals(42L, b.buf.get(ValueLayout.JAVA_LONG, 0));
        assertEquals(42L, b.buf.get(ValueLayout.JAVA_LONG, 64));
    }

    @Test
    void modifyToErrorFlushesEverythingInOrder() throws Exception {
        Endpoint[] ep = connected(14, 7, 7);
        Endpoint a = ep[0];
        for (int i = 0; i < 5; i++) {
            a.qp.postRecv(RecvWorkRequest.of(100 + i, a.sge(64L * i, 64)));
        }
        // blocked on RNR (the peer has no receive), so these stay outstanding
        a.qp.postSend(SendWorkRequest.send(1, List.of(a.sge(0, 8))));
        a.qp.postSend(SendWorkRequest.send(2, List.of(a.sge(0, 8))));
        expectNone(a.scq);
        a.qp.modifyToError();
        assertEquals(QpState.ERROR, a.qp.state());
        assertWc(next(a.scq), 1, WcStatus.WR_FLUSH_ERR);
        assertWc(next(a.scq), 2, WcStatus.WR_FLUSH_ERR);
        for (int i = 0; i < 5; i++) {
            WorkCompletion wc = next(a.rcq);
            assertWc(wc, 100 + i, WcStatus.WR_FLUSH_ERR);
            assertEquals(WcOpcode.RECV, wc.opcode());
        }
    }

    @Test
    void queueDepthsAreEnforced() throws Exception {
        Endpoint a = endpointA();
        Endpoint b = endpointB();
        QueuePair small = a.pd.createQp(new QpInitAttributes(a.scq, a.rcq, 4, 3, 1, 1, 0, true));
        Endpoint s = new Endpoint(a, small);
        bringUp(s, b, 14, 7, 7);
        bringUp(b, s, 14, 7, 7);
        for (int i = 0; i < 3; i++) {
            s.qp.postRecv(RecvWorkRequest.of(i, s.sge(0, 8)));
        }
        assertEquals(Errno.ENOMEM, assertThrows(VerbsException.class,
                () -> s.qp.postRecv(RecvWorkRequest.of(9, s.sge(0, 8)))).errno());
        // the first send blocks on RNR (infinite), so the send queue fills up
        for (int i = 0; i < 4; i++) {
            s.qp.postSend(SendWorkRequest.send(i, List.of(s.sge(0, 8))));
        }
        assertEquals(Errno.ENOMEM, assertThrows(VerbsException.class,
                () -> s.qp.postSend(SendWorkRequest.send(9, List.of(s.sge(0, 8))))).errno());
        // too many SGEs
        assertEquals(Errno.EINVAL, assertThrows(VerbsException.class,
                () -> s.qp.postSend(SendWorkRequest.send(9, List.of(s.sge(0, 8), s.sge(8, 8))))).errno());
        // receives on the peer drain the queue, then posting works again
        for (int i = 0; i < 4; i++) {
            b.qp.postRecv(RecvWorkRequest.of(50 + i, b.sge(0, 64)));
        }
        for (int i = 0; i < 4; i++) {
            assertWc(next(s.scq), i, WcStatus.SUCCESS);
        }
        s.qp.postSend(SendWorkRequest.rdmaWrite(10, List.of(s.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        assertWc(next(s.scq), 10, WcStatus.SUCCESS);
    }

    @Test
    void completionQueueOverrunIsReported() throws Exception {
        Endpoint a = endpointA();
        Endpoint b = endpointB();
        CompletionQueue tiny = a.ctx.createCq(4);
        QueuePair qp = a.pd.createQp(new QpInitAttributes(tiny, a.rcq, 16, 16, 1, 1, 0, true));
        Endpoint t = new Endpoint(a, qp);
        bringUp(t, b, 14, 7, 7);
        bringUp(b, t, 14, 7, 7);
        for (int i = 0; i < 6; i++) {
            t.qp.postSend(SendWorkRequest.rdmaWrite(i, List.of(t.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        }
        nextEvent(a.ctx, AsyncEventType.CQ_ERR);
        assertEquals(Errno.EIO, assertThrows(VerbsException.class, () -> tiny.poll(new WorkCompletion[8])).errno());
    }

    @Test
    void concurrentPostersKeepPerQpOrder() throws Exception {
        Endpoint a = endpointA();
        Endpoint b = endpointB();
        int threads = 4;
        int perThread = 300;
        CompletionQueue cq = a.ctx.createCq(threads * perThread * 2 + 16);
        // two QPs, each shared by two threads
        QueuePair q1 = a.pd.createQp(new QpInitAttributes(cq, a.rcq, 2 * perThread, 4, 1, 1, 0, true));
        QueuePair q2 = a.pd.createQp(new QpInitAttributes(cq, a.rcq, 2 * perThread, 4, 1, 1, 0, true));
        Endpoint[] posters = {new Endpoint(a, q1), new Endpoint(a, q2)};
        Endpoint b2 = new Endpoint(bed.deviceB(), bed.portB(), 16, 64);
        bringUp(posters[0], b, 14, 7, 7);
        bringUp(b, posters[0], 14, 7, 7);
        bringUp(posters[1], b2, 14, 7, 7);
        bringUp(b2, posters[1], 14, 7, 7);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Endpoint p = posters[t % 2];
                Endpoint target = t % 2 == 0 ? b : b2;
                fs.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long wrId = ((long) id << 32) | i;
                        p.qp.postSend(SendWorkRequest.rdmaWrite(wrId, List.of(p.sge(8L * id, 8)),
                                target.mr.address() + 8L * id, target.mr.rkey()));
                    }
                    return null;
                }));
            }
            for (int t = 0; t < threads; t++) {
                a.buf.set(ValueLayout.JAVA_LONG, 8L * t, 1000 + t);
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int[] nextSeq = new int[threads];
        for (int k = 0; k < threads * perThread; k++) {
            WorkCompletion wc = next(cq);
            assertEquals(WcStatus.SUCCESS, wc.status(), wc::toString);
            int id = (int) (wc.wrId() >>> 32);
            int seq = (int) wc.wrId();
            assertEquals(nextSeq[id]++, seq, "per-thread post order is per-QP completion order");
        }
        expectNone(cq);
        for (int t = 0; t < threads; t++) {
            assertEquals(perThread, nextSeq[t]);
            Endpoint target = t % 2 == 0 ? b : b2;
            assertEquals(1000 + t, target.buf.get(ValueLayout.JAVA_LONG, 8L * t));
        }
    }

    // ------------------------------------------------------------------ faults

    @Test
    void linkDownRaisesPortEventAndFailsTrafficWithRetryExceeded() throws Exception {
        assumeFault(FaultControl.Fault.LINK_DOWN);
        Endpoint[] ep = connected(FAULT_TIMEOUT, 2, 7);
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        b.qp.postRecv(RecvWorkRequest.of(70, b.sge(0, 8)));
        bed.faults().linkDown(a.ctx, a.port);
        assertEquals(a.port, nextEvent(a.ctx, AsyncEventType.PORT_ERR).portNum());
        assertEquals(PortState.DOWN, a.ctx.queryPort(a.port).state());
        a.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        a.qp.postSend(SendWorkRequest.send(2, List.of(a.sge(0, 8))));
        assertWc(next(a.scq), 1, WcStatus.RETRY_EXC_ERR);
        assertWc(next(a.scq), 2, WcStatus.WR_FLUSH_ERR);
        assertEquals(QpState.ERROR, a.qp.state());
        bed.faults().linkUp(a.ctx, a.port);
        nextEvent(a.ctx, AsyncEventType.PORT_ACTIVE);
        assertEquals(PortState.ACTIVE, a.ctx.queryPort(a.port).state());
        // a fresh pair works again over the same port
        Endpoint[] again = connected(FAULT_TIMEOUT, 2, 7);
        again[0].qp.postSend(SendWorkRequest.rdmaWrite(3, List.of(again[0].sge(0, 8)), again[1].mr.address(),
                again[1].mr.rkey()));
        assertWc(next(again[0].scq), 3, WcStatus.SUCCESS);
    }

    @Test
    void crashedPeerLeadsToRetryExceeded() throws Exception {
        assumeFault(FaultControl.Fault.CRASH_PEER);
        Endpoint[] ep = connected(FAULT_TIMEOUT, 3, 7);
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        a.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        assertWc(next(a.scq), 1, WcStatus.SUCCESS);
        // a send waits for a receive (infinite RNR) when the peer vanishes
        a.qp.postSend(SendWorkRequest.send(2, List.of(a.sge(0, 8))));
        a.qp.postSend(SendWorkRequest.rdmaWrite(3, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        expectNone(a.scq);
        bed.faults().crash(b.ctx);
        assertWc(next(a.scq), 2, WcStatus.RETRY_EXC_ERR);
        assertWc(next(a.scq), 3, WcStatus.WR_FLUSH_ERR);
    }

    @Test
    void droppedPacketsAreRetriedThenExhaustRetries() throws Exception {
        assumeFault(FaultControl.Fault.DROP);
        Endpoint[] ep = connected(FAULT_TIMEOUT, 3, 7);
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        a.buf.set(ValueLayout.JAVA_LONG, 0, 77);
        bed.faults().dropNext(a.qp, 3); // within retry_cnt: recovered
        a.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        assertWc(next(a.scq), 1, WcStatus.SUCCESS);
        assertEquals(77L, b.buf.get(ValueLayout.JAVA_LONG, 0));
        bed.faults().dropNext(a.qp, 4); // first try + 3 retries all lost
        a.qp.postSend(SendWorkRequest.rdmaWrite(2, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey()));
        assertWc(next(a.scq), 2, WcStatus.RETRY_EXC_ERR);
        assertEquals(QpState.ERROR, a.qp.state());
        assertEquals(QpState.RTS, b.qp.state(), "the responder never saw the lost request");
    }

    @Test
    void delayedQpStillCompletesInOrder() throws Exception {
        assumeFault(FaultControl.Fault.DELAY);
        Endpoint[] ep = connected();
        Endpoint a = ep[0];
        Endpoint b = ep[1];
        bed.faults().delay(a.qp, Duration.ofMillis(2));
        for (int i = 0; i < 5; i++) {
            b.qp.postRecv(RecvWorkRequest.of(100 + i, b.sge(0, 64)));
        }
        for (int i = 0; i < 5; i++) {
            a.qp.postSend(i % 2 == 0 ? SendWorkRequest.send(i, List.of(a.sge(0, 8)))
                    : SendWorkRequest.rdmaWriteWithImm(i, List.of(a.sge(0, 8)), b.mr.address(), b.mr.rkey(), i));
        }
        for (int i = 0; i < 5; i++) {
            assertWc(next(a.scq), i, WcStatus.SUCCESS);
            WorkCompletion r = next(b.rcq);
            assertWc(r, 100 + i, WcStatus.SUCCESS);
            assertEquals(i % 2 == 1, r.hasImm());
        }
    }
}
