package io.smcj.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.transport.rdma.AsyncEventType;
import io.smcj.transport.rdma.GidEntry;
import io.smcj.transport.rdma.GidType;
import io.smcj.transport.rdma.Mtu;
import io.smcj.transport.rdma.QpState;
import io.smcj.transport.rdma.RecvWorkRequest;
import io.smcj.transport.rdma.SendWorkRequest;
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.VerbsException;
import io.smcj.transport.rdma.VerbsGid;
import io.smcj.transport.rdma.WcStatus;
import io.smcj.transport.rdma.WorkCompletion;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Simulator specifics beyond the SPI conformance suite: GID layout, counters, scripted faults, virtual time. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SimFabricTest {

    private static SimFabric twoDevices(SimFabric f) {
        f.addDevice(SimDeviceConfig.of("d0", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, SimTestBed.ip("192.168.1.1")));
        f.addDevice(new SimDeviceConfig("d1", List.of(new SimPortConfig("eth9", new byte[] {2, 0, 0, 0, 0, 2}, 9000,
                List.of(SimTestBed.ip("192.168.1.2"), SimTestBed.ip("fd00::2"))))));
        return f;
    }

    @Test
    void gidTableFollowsTheRoceLayout() {
        try (SimFabric f = twoDevices(SimFabric.fast())) {
            assertEquals(List.of("d0", "d1"), f.deviceNames());
            VerbsContext d1 = f.openDevice("d1");
            List<GidEntry> gids = d1.queryGids(1);
            assertEquals(6, gids.size());
            assertEquals(VerbsGid.fromMac(new byte[] {2, 0, 0, 0, 0, 2}), gids.get(0).gid());
            assertEquals("fe80000000000000000000fffe000002", gids.get(0).gid().toString());
            assertEquals(GidType.ROCE_V2, gids.get(3).type());
            assertEquals("00000000000000000000ffffc0a80102", gids.get(3).gid().toString());
            assertEquals(SimTestBed.ip("fd00::2"), gids.get(5).gid().toInetAddress());
            assertEquals("eth9", d1.netdev(1));
            assertEquals(Mtu.MTU_4096, d1.queryPort(1).activeMtu());
            assertEquals(Mtu.MTU_1024, f.openDevice("d0").queryPort(1).activeMtu());
            assertEquals(VerbsException.Errno.ENODEV,
                    assertThrows(VerbsException.class, () -> f.openDevice("nope")).errno());
        }
    }

    @Test
    void countersTrackPostsCompletionsBytesAndErrors() throws Exception {
        try (SimFabric f = twoDevices(SimFabric.fast()); Arena arena = Arena.ofConfined()) {
            SimHarness.Side a = SimHarness.side(f.openDevice("d0"), arena, 1 << 16);
            SimHarness.Side b = SimHarness.side(f.openDevice("d1"), arena, 1 << 16);
            SimHarness.connect(a, b, 14, 7, 7);
            b.qp().postRecv(RecvWorkRequest.of(1, b.sge(0, 100)));
            a.qp().postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 1000)), b.mr().address(), b.mr().rkey()));
            a.qp().postSend(SendWorkRequest.send(2, List.of(a.sge(0, 100))));
            a.qp().postSend(SendWorkRequest.rdmaWrite(3, List.of(a.sge(0, 8)), 0, 0)); // bad rkey
            SimCounters qa = f.counters(a.qp());
            assertEquals(new SimCounters(3, 0, 3, 1, 1100, 0), qa);
            SimCounters qb = f.counters(b.qp());
            // b: one receive completed, then flushed nothing else (no more receives), bytes landed 1100
            assertEquals(new SimCounters(0, 1, 1, 0, 0, 1100), qb);
            assertEquals(qa, f.counters("d0"));
            String report = f.statsReport();
            assertTrue(report.contains("device d0 posted-send=3 posted-recv=0 completions=3 errors=1 bytes-sent=1100"),
                    report);
            assertTrue(report.contains("  qp 0x" + Integer.toHexString(a.qp().qpNum()) + " ERROR posted-send=3"), report);
        }
    }

    @Test
    void scriptedLinkFlapAtVirtualTime() throws Exception {
        try (SimFabric f = twoDevices(SimFabric.deterministic(3)); Arena arena = Arena.ofConfined()) {
            VerbsContext c0 = f.openDevice("d0");
            SimHarness.Side a = SimHarness.side(c0, arena, 1 << 16);
            SimHarness.Side b = SimHarness.side(f.openDevice("d1"), arena, 1 << 16);
            SimHarness.connect(a, b, 10, 3, 7); // ACK timeout 4.2 ms, 3 retries
            f.at(Duration.ofMillis(1), () -> f.linkDown("d0", 1));
            f.at(Duration.ofMillis(6), () -> f.linkUp("d0", 1));
            a.qp().postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 8)), b.mr().address(), b.mr().rkey()));
            f.advance(Duration.ofMillis(2));
            assertEquals(AsyncEventType.PORT_ERR, c0.pollAsyncEvent().type());
            // sent during the outage: lost once, retried after the link is back
            a.qp().postSend(SendWorkRequest.rdmaWrite(2, List.of(a.sge(0, 8)), b.mr().address(), b.mr().rkey()));
            f.runUntilIdle();
            assertEquals(AsyncEventType.PORT_ACTIVE, c0.pollAsyncEvent().type());
            WorkCompletion[] wcs = new WorkCompletion[4];
            assertEquals(2, a.cq().poll(wcs));
            assertEquals(WcStatus.SUCCESS, wcs[0].status());
            assertEquals(WcStatus.SUCCESS, wcs[1].status());
            assertTrue(f.deterministicScheduler().nanoTime() > TimeUnit.MILLISECONDS.toNanos(6));
        }
    }

    @Test
    void injectedDelayAppliesToEveryRequest() throws Exception {
        try (SimFabric f = twoDevices(SimFabric.deterministic(9)); Arena arena = Arena.ofConfined()) {
            SimHarness.Side a = SimHarness.side(f.openDevice("d0"), arena, 1 << 16);
            SimHarness.Side b = SimHarness.side(f.openDevice("d1"), arena, 1 << 16);
            SimHarness.connect(a, b, 14, 7, 7);
            f.setDelay(a.qp(), Duration.ofMillis(1));
            for (int i = 0; i < 5; i++) {
                a.qp().postSend(SendWorkRequest.rdmaWrite(i, List.of(a.sge(0, 8)), b.mr().address(), b.mr().rkey()));
            }
            f.advance(Duration.ofMillis(4));
            WorkCompletion[] wcs = new WorkCompletion[8];
            assertEquals(3, a.cq().poll(wcs), "one request per millisecond, plus wire latency");
            f.runUntilIdle();
            assertEquals(2, a.cq().poll(wcs));
            assertTrue(f.deterministicScheduler().nanoTime() >= TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void infiniteRnrParksInsteadOfSpinning() throws Exception {
        try (SimFabric f = twoDevices(SimFabric.deterministic(5)); Arena arena = Arena.ofConfined()) {
            SimHarness.Side a = SimHarness.side(f.openDevice("d0"), arena, 1 << 16);
            SimHarness.Side b = SimHarness.side(f.openDevice("d1"), arena, 1 << 16);
            SimHarness.connect(a, b, 14, 7, 7);
            a.qp().postSend(SendWorkRequest.send(1, List.of(a.sge(0, 8))));
            f.runUntilIdle(); // terminates: the request is parked, not ticking for ever
            assertEquals(0, f.deterministicScheduler().pending());
            assertFalse(a.cq().await(Duration.ofSeconds(1)));
            b.qp().postRecv(RecvWorkRequest.of(9, b.sge(0, 8)));
            assertTrue(a.cq().await(Duration.ofMillis(5)));
        }
    }

    @Test
    void completionListenerAndQpFatal() throws Exception {
        try (SimFabric f = twoDevices(SimFabric.fast()); Arena arena = Arena.ofConfined()) {
            VerbsContext c0 = f.openDevice("d0");
            SimHarness.Side a = SimHarness.side(c0, arena, 1 << 16);
            SimHarness.Side b = SimHarness.side(f.openDevice("d1"), arena, 1 << 16);
            SimHarness.connect(a, b, 14, 7, 7);
            AtomicInteger calls = new AtomicInteger();
            a.cq().setCompletionListener(calls::incrementAndGet);
            a.qp().postRecv(RecvWorkRequest.of(1, a.sge(0, 8)));
            f.failQp(a.qp());
            assertEquals(QpState.ERROR, a.qp().state());
            assertEquals(AsyncEventType.QP_FATAL, c0.awaitAsyncEvent(Duration.ofSeconds(1)).type());
            assertEquals(1, calls.get());
            WorkCompletion[] wcs = new WorkCompletion[2];
            assertEquals(1, a.cq().poll(wcs));
            assertEquals(WcStatus.WR_FLUSH_ERR, wcs[0].status());
        }
    }

    @Test
    void fastModeCompletesBeforePostReturns() throws Exception {
        try (SimFabric f = twoDevices(SimFabric.fast()); Arena arena = Arena.ofConfined()) {
            SimHarness.Side a = SimHarness.side(f.openDevice("d0"), arena, 1 << 16);
            SimHarness.Side b = SimHarness.side(f.openDevice("d1"), arena, 1 << 16);
            SimHarness.connect(a, b, 14, 7, 7);
            List<String> trace = new ArrayList<>();
            f.addTraceSink(e -> trace.add(e.line()));
            a.qp().postSend(SendWorkRequest.rdmaWrite(1, List.of(a.sge(0, 8)), b.mr().address(), b.mr().rkey()));
            assertEquals(1, a.cq().poll(new WorkCompletion[1]));
            assertEquals(3, trace.size(), trace::toString);
            assertTrue(trace.get(0).contains("POST_SEND d0"), trace.get(0));
            assertTrue(trace.get(2).contains("COMPLETE d0") && trace.get(2).contains("SUCCESS RDMA_WRITE len=8"));
        }
    }
}
