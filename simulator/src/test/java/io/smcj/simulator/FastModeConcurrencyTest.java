package io.smcj.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smcj.transport.rdma.CompletionQueue;
import io.smcj.transport.rdma.QpInitAttributes;
import io.smcj.transport.rdma.QueuePair;
import io.smcj.transport.rdma.SendWorkRequest;
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.WcStatus;
import io.smcj.transport.rdma.WorkCompletion;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Engine-style use of the fast mode from several threads: two posters with credit-based flow
 * control, one consumer blocked in CompletionQueue.await on a shared CQ, and a third thread that
 * deregisters a target MR mid-stream. Nothing is lost, duplicated or reordered, and the broken
 * pair fails exactly once, then flushes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FastModeConcurrencyTest {

    private static final int PER_POSTER = 20_000;
    private static final int CREDITS = 64;

    @Test
    void postersConsumerAndInvalidationRace() throws Exception {
        try (SimFabric f = SimFabric.fast(); Arena arena = Arena.ofShared()) {
            f.addDevice(SimDeviceConfig.of("c0", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, SimTestBed.ip("10.3.0.1")));
            f.addDevice(SimDeviceConfig.of("c1", "eth0", new byte[] {2, 0, 0, 0, 0, 2}, SimTestBed.ip("10.3.0.2")));
            VerbsContext c0 = f.openDevice("c0");
            VerbsContext c1 = f.openDevice("c1");
            CompletionQueue shared = c0.createCq(2 * CREDITS);
            SimHarness.Side[] posters = new SimHarness.Side[2];
            SimHarness.Side[] targets = new SimHarness.Side[2];
            for (int i = 0; i < 2; i++) {
                SimHarness.Side base = SimHarness.side(c0, arena, 1 << 16);
                QueuePair qp = base.pd().createQp(new QpInitAttributes(shared, shared, CREDITS, 1, 1, 1, 0, true));
                posters[i] = new SimHarness.Side(c0, base.pd(), shared, qp, base.buf(), base.mr());
                targets[i] = SimHarness.side(c1, arena, 1 << 16);
                SimHarness.connect(posters[i], targets[i], 14, 7, 7);
            }
            AtomicLongArray completed = new AtomicLongArray(2);
            List<List<WorkCompletion>> seen = List.of(new ArrayList<>(), new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                CountDownLatch halfway = new CountDownLatch(1);
                Future<?> consumer = pool.submit(() -> {
                    WorkCompletion[] wcs = new WorkCompletion[32];
                    long total = 0;
                    while (total < 2L * PER_POSTER) {
                        if (!shared.await(Duration.ofSeconds(10))) {
                            throw new AssertionError("consumer starved at " + total);
                        }
                        int n = shared.poll(wcs);
                        for (int k = 0; k < n; k++) {
                            int p = (int) (wcs[k].wrId() >>> 32);
                            seen.get(p).add(wcs[k]);
                            completed.incrementAndGet(p);
                        }
                        total += n;
                    }
                    return null;
                });
                List<Future<?>> producers = new ArrayList<>();
                for (int p = 0; p < 2; p++) {
                    int id = p;
                    producers.add(pool.submit(() -> {
                        SimHarness.Side s = posters[id];
                        SimHarness.Side t = targets[id];
                        for (int i = 0; i < PER_POSTER; i++) {
                            while (i - completed.get(id) >= CREDITS) {
                                Thread.onSpinWait();
                            }
                            s.qp().postSend(SendWorkRequest.rdmaWrite(((long) id << 32) | i,
                                    List.of(s.sge(8L * (i % 64), 8)), t.mr().address() + 8L * (i % 64), t.mr().rkey()));
                            if (id == 1 && i == PER_POSTER / 2) {
                                halfway.countDown();
                            }
                        }
                        return null;
                    }));
                }
                Future<?> breaker = pool.submit(() -> {
                    halfway.await();
                    f.invalidate(targets[1].mr());
                    return null;
                });
                breaker.get(30, TimeUnit.SECONDS);
                for (Future<?> fu : producers) {
                    fu.get(30, TimeUnit.SECONDS);
                }
                consumer.get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            List<WorkCompletion> ok = seen.get(0);
            assertEquals(PER_POSTER, ok.size());
            for (int i = 0; i < PER_POSTER; i++) {
                assertEquals(i, (int) ok.get(i).wrId());
                assertEquals(WcStatus.SUCCESS, ok.get(i).status());
            }
            List<WorkCompletion> broken = seen.get(1);
            assertEquals(PER_POSTER, broken.size());
            int phase = 0; // 0 success, 1 after the access error
            int accessErrors = 0;
            for (int i = 0; i < PER_POSTER; i++) {
                WorkCompletion wc = broken.get(i);
                assertEquals(i, (int) wc.wrId(), "post order");
                if (phase == 0 && wc.status() == WcStatus.REM_ACCESS_ERR) {
                    phase = 1;
                    accessErrors++;
                } else if (phase == 0) {
                    assertEquals(WcStatus.SUCCESS, wc.status());
                } else {
                    assertEquals(WcStatus.WR_FLUSH_ERR, wc.status());
                }
            }
            assertEquals(1, accessErrors);
            assertEquals(WcStatus.SUCCESS, broken.get(PER_POSTER / 2).status(), "posted before the invalidation");
        }
    }
}
