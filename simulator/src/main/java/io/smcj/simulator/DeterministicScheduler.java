package io.smcj.simulator;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A seeded scheduler over a virtual clock. Nothing runs by itself: {@link #runUntilIdle()},
 * {@link #advance(Duration)} and {@link #runNext()} execute due events in (time, insertion)
 * order on the calling thread. Randomness (wire latency jitter) comes only from the seed, so
 * the same seed and the same calls give the same order of events.
 */
public final class DeterministicScheduler implements SimScheduler {

    private record Event(long time, long seq, Runnable task) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** Upper bound on events run by one runUntilIdle, so a modelling bug cannot hang a test. */
    public static final long MAX_EVENTS_PER_RUN = 50_000_000L;

    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final SplittableRandom random;
    private final ReentrantLock fabricLock;
    private final long seed;
    private long now;
    private long seq;
    private volatile ExternalDriver driver;

    DeterministicScheduler(long seed, ReentrantLock fabricLock) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.fabricLock = fabricLock;
    }

    public long seed() {
        return seed;
    }

    /**
     * Switches to externally driven mode: {@link #await} no longer runs events on the calling
     * thread but waits on its condition with a virtual timeout through {@code d}; the driver runs
     * the events ({@link #runNext()}, {@link #nextEventTime()}, {@link #advanceTo(long)}) and the
     * producers signal the conditions as in fast mode. Null switches back.
     */
    public void driveExternally(ExternalDriver d) {
        driver = d;
    }

    /** The external driver, or null when {@link #await} runs events itself. */
    public ExternalDriver externalDriver() {
        return driver;
    }

    @Override
    public long nanoTime() {
        fabricLock.lock();
        try {
            return now;
        } finally {
            fabricLock.unlock();
        }
    }

    @Override
    public void schedule(long delayNanos, Runnable task) {
        fabricLock.lock();
        try {
            queue.add(new Event(now + Math.max(0, delayNanos), seq++, task));
        } finally {
            fabricLock.unlock();
        }
    }

    /** A seeded random value in [0, bound). */
    long nextLong(long bound) {
        return bound <= 0 ? 0 : random.nextLong(bound);
    }

    @Override
    public boolean isDeterministic() {
        return true;
    }

    @Override
    public void shutdown() {
        fabricLock.lock();
        try {
            queue.clear();
        } finally {
            fabricLock.unlock();
        }
    }

    /** Runs the earliest event, moving the clock to its time; false when none is pending. */
    public boolean runNext() {
        fabricLock.lock();
        try {
            Event e = queue.poll();
            if (e == null) {
                return false;
            }
            now = Math.max(now, e.time);
            e.task.run();
            return true;
        } finally {
            fabricLock.unlock();
        }
    }

    /** Time of the earliest pending event, or -1. */
    public long nextEventTime() {
        fabricLock.lock();
        try {
            Event e = queue.peek();
            return e == null ? -1 : e.time;
        } finally {
            fabricLock.unlock();
        }
    }

    /** Runs events until none is pending (parked waits such as infinite RNR do not count). */
    public void runUntilIdle() {
        long n = 0;
        while (runNext()) {
            if (++n > MAX_EVENTS_PER_RUN) {
                throw new IllegalStateException("simulation did not become idle after " + n + " events");
            }
        }
    }

    /** Runs every event due within {@code d} of virtual time, then sets the clock to now + d. */
    public void advance(Duration d) {
        advanceTo(nanoTime() + d.toNanos());
    }

    /** Runs events due at or before {@code deadline} and moves the clock there. */
    public void advanceTo(long deadline) {
        while (true) {
            long t = nextEventTime();
            if (t < 0 || t > deadline) {
                break;
            }
            runNext();
        }
        fabricLock.lock();
        try {
            now = Math.max(now, deadline);
        } finally {
            fabricLock.unlock();
        }
    }

    @Override
    public ReentrantLock lock() {
        return fabricLock;
    }

    @Override
    public boolean await(java.util.concurrent.locks.Condition cond, Duration timeout,
                         java.util.function.BooleanSupplier ready) {
        ExternalDriver d = driver;
        if (d != null) {
            long now0 = nanoTime();
            long t = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
            long deadline = t > Long.MAX_VALUE - now0 ? Long.MAX_VALUE : now0 + t; // saturating: "forever" stays forever
            fabricLock.lock();
            try {
                while (!ready.getAsBoolean()) {
                    long left = deadline - now;
                    if (left <= 0) {
                        return false;
                    }
                    d.awaitNanos(fabricLock, cond, left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ready.getAsBoolean();
            } finally {
                fabricLock.unlock();
            }
        }
        long deadline = nanoTime() + timeout.toNanos();
        while (true) {
            fabricLock.lock();
            try {
                if (ready.getAsBoolean()) {
                    return true;
                }
            } finally {
                fabricLock.unlock();
            }
            long t = nextEventTime();
            if (t < 0 || t > deadline) {
                advanceTo(deadline);
                fabricLock.lock();
                try {
                    return ready.getAsBoolean();
                } finally {
                    fabricLock.unlock();
                }
            }
            runNext();
        }
    }

    /** Pending events. */
    public int pending() {
        fabricLock.lock();
        try {
            return queue.size();
        } finally {
            fabricLock.unlock();
        }
    }
}
