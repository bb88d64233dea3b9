package io.smcj.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The externally driven deterministic mode: await waits through the driver's hook and runs no event itself. */
@Timeout(10)
class ExternallyDrivenSchedulerTest {

    @Test
    void awaitWaitsThroughTheHookWithTheVirtualTimeLeftAndRunsNoEvent() throws Exception {
        SimFabric fabric = SimFabric.deterministic(7);
        DeterministicScheduler s = fabric.deterministicScheduler();
        boolean[] ran = new boolean[1];
        s.schedule(1_000_000, () -> ran[0] = true);
        List<Long> waits = new ArrayList<>();
        // a driver that owns the clock: it moves time by what the waiter asked for (no event is due)
        s.driveExternally((lock, cond, nanos) -> {
            assertTrue(lock.isHeldByCurrentThread());
            waits.add(nanos);
            s.advanceTo(s.nanoTime() + Math.min(nanos, 4_000));
        });
        Condition c = s.lock().newCondition();
        assertFalse(s.await(c, Duration.ofNanos(10_000), () -> false));
        assertEquals(List.of(10_000L, 6_000L, 2_000L), waits, "virtual time left at each wait");
        assertEquals(10_000, s.nanoTime());
        assertFalse(ran[0], "the event at 1 ms is the driver's business");
        assertEquals(1, s.pending());
        // a producer's state change ends the wait at once
        int[] calls = new int[1];
        assertTrue(s.await(c, Duration.ofSeconds(1), () -> calls[0]++ > 0));
        assertEquals(2, calls[0]);
        // "forever" stays forever (no overflow into the past): the hook sees Long.MAX_VALUE - now
        waits.clear();
        int[] calls2 = new int[1];
        long before = s.nanoTime();
        assertTrue(s.await(c, Duration.ofSeconds(Long.MAX_VALUE), () -> calls2[0]++ > 0));
        assertEquals(List.of(Long.MAX_VALUE - before), waits);
        s.driveExternally(null);
        assertTrue(s.await(c, Duration.ofMillis(2), () -> ran[0]), "without a driver await runs events again");
        fabric.close();
    }
}
