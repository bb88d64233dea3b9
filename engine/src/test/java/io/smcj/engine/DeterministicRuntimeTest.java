package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The driver itself: virtual clock, FIFO interleaving, timed waits, deadlock and limit reports. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeterministicRuntimeTest {

    /** An event source with no events: only the runtime's own timers move the clock. */
    static final class Clock implements DeterministicRuntime.EventSource {
        long now;

        @Override
        public long now() {
            return now;
        }

        @Override
        public long nextEventTime() {
            return -1;
        }

        @Override
        public void runNext() {
            throw new IllegalStateException("no events");
        }

        @Override
        public void advanceTo(long time) {
            now = Math.max(now, time);
        }
    }

    @Test
    void timedWaitsSleepsAndThreadsRunInVirtualTime() throws Exception {
        Clock clock = new Clock();
        DeterministicRuntime rt = new DeterministicRuntime(1, clock);
        List<String> log = new ArrayList<>();
        rt.run(() -> {
            ReentrantLock lock = new ReentrantLock();
            Condition cond = lock.newCondition();
            Thread a = rt.startThread("a", true, () -> {
                rt.sleep(Duration.ofSeconds(3));
                log.add("a@" + rt.nanoTime());
                lock.lock();
                try {
                    cond.signalAll();
                } finally {
                    lock.unlock();
                }
            });
            rt.startThread("b", false, () -> {
                rt.sleep(Duration.ofSeconds(1));
                log.add("b@" + rt.nanoTime());
            });
            lock.lock();
            try {
                long left = rt.awaitNanos(lock, cond, Duration.ofSeconds(10).toNanos());
                log.add("signalled@" + rt.nanoTime() + " left " + left);
                left = rt.awaitNanos(lock, cond, Duration.ofMillis(250).toNanos());
                log.add("timeout@" + rt.nanoTime() + " left " + left);
            } finally {
                lock.unlock();
            }
            rt.join(a, 1000);
            assertTrue(!a.isAlive());
        });
        assertEquals(List.of("b@1000000000", "a@3000000000", "signalled@3000000000 left 7000000000",
                "timeout@3250000000 left 0"), log);
    }

    @Test
    void deadlockIsReportedWithEveryParkedThreadAndItsStack() {
        DeterministicRuntime rt = new DeterministicRuntime(2, new Clock());
        DeterministicRuntime.SimulationStuckException e = assertThrows(DeterministicRuntime.SimulationStuckException.class,
                () -> rt.run(() -> {
                    ReentrantLock l1 = new ReentrantLock();
                    ReentrantLock l2 = new ReentrantLock();
                    rt.startThread("holder-of-l2", false, () -> {
                        l2.lock();
                        rt.sleep(Duration.ofMillis(1));
                        l1.lock();
                    });
                    l1.lock();
                    rt.sleep(Duration.ofMillis(1));
                    l2.lock();
                }));
        String m = e.getMessage();
        assertTrue(m.contains("seed 2") && m.contains("deadlock"), m);
        assertTrue(m.contains("\"smcj-test-body\" WAITING") && m.contains("\"holder-of-l2\" WAITING"), m);
        assertTrue(m.contains("DeterministicRuntimeTest"), "stacks point at the test code: " + m);
    }

    @Test
    void aBlockedTestEndsAtTheVirtualTimeLimit() throws Exception {
        DeterministicRuntime.SimulationStuckException e = assertThrows(DeterministicRuntime.SimulationStuckException.class,
                () -> DetSim.run(5, false, SimPair.v2Config(), SimPair.v2Config(), Duration.ofSeconds(20), sim -> {
                    try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                        SmcSocket[] x = DeterministicEngineTest.connect(sim, ss);
                        x[0].getInputStream().read(); // nobody writes
                    }
                }));
        String m = e.getMessage();
        assertTrue(m.contains("virtual time limit of PT20S"), m);
        assertTrue(m.contains("SmcConnection.read"), "the reader's stack is shown: " + m);
        assertTrue(m.contains("\"smcj-agent-client\""), m);
    }

    @Test
    void engineCallsOutsideTheRuntimeFailLoudly() {
        DeterministicRuntime rt = new DeterministicRuntime(3, new Clock());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rt.parkNanos(1000));
        assertTrue(e.getMessage().contains("outside a thread of the deterministic runtime"), e.getMessage());
    }
}
