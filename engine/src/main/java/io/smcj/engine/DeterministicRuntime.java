package io.smcj.engine;

import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

/**
 * Deterministic runtime: every engine thread (agent, acceptor, listen work, ADD LINK work, the test
 * body itself) is a virtual thread whose continuations run one at a time, in FIFO order, on the
 * thread that called {@link #run}. Time is the simulator's virtual clock: when no thread can run,
 * the driver moves the clock to the earliest simulator event or runtime timer (timed waits, idle
 * parks) and runs it. Randomness comes from the seed only. The same seed and the same test body
 * therefore give the same interleaving, the same traces and the same failures.
 *
 * <p>Virtual threads with our own scheduler need the JDK's package-private
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)}, reached by reflection: run the
 * JVM with {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
 *
 * <p>Rules for code running here: never use real-time waits ({@code Thread.sleep}, timed
 * {@code parkNanos}, {@code Condition.awaitNanos}, {@code BlockingQueue.poll(timeout)}) directly;
 * the engine routes them through {@link EngineRuntime}, tests use {@link #sleep(Duration)}.
 */
public final class DeterministicRuntime implements EngineRuntime {

    /** The simulator's event queue and clock, seen through lambdas (engine does not depend on simulator). */
    public interface EventSource {
        /** Virtual time now (ns). */
        long now();

        /** Time of the earliest pending event, or -1. */
        long nextEventTime();

        /** Runs the earliest pending event (moving the clock to its time). */
        void runNext();

        /** Moves the clock forward to {@code time} (no event is due before it). */
        void advanceTo(long time);
    }

    /** Test body (runs in a virtual thread of this runtime). */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** A deadlock, a virtual-time limit or a step limit; the message lists every live runtime thread. */
    public static final class SimulationStuckException extends RuntimeException {
        SimulationStuckException(String m) {
            super(m);
        }
    }

    private static final class Timer implements Comparable<Timer> {
        final long time;
        final long seq;
        final Runnable action;
        boolean cancelled;

        Timer(long time, long seq, Runnable action) {
            this.time = time;
            this.seq = seq;
            this.action = action;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** A thread parked until a non-blocking predicate holds (a queue got an element, a thread ended). */
    private record Watch(java.util.function.BooleanSupplier ready, Thread thread) {
    }

    private final long seed;
    private final SplittableRandom random;
    private final EventSource source;
    private final Object qlock = new Object();
    private final ArrayDeque<Runnable> runnable = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Watch> watches = new ArrayList<>();
    private final Constructor<?> builderCtor;
    private final Executor executor = this::submit;
    private long timerSeq;
    private long maxVirtualNanos = Duration.ofMinutes(30).toNanos();
    private long maxSteps = 200_000_000L;
    private long steps;
    private long simEvents;
    private long foreignSubmits;
    private volatile Thread driver;

    public DeterministicRuntime(long seed, EventSource source) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.source = source;
        try {
            Class<?> c = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            builderCtor = c.getDeclaredConstructor(Executor.class);
            builderCtor.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("deterministic mode needs virtual threads with a custom scheduler: run the JVM"
                    + " with --add-opens java.base/java.lang=ALL-UNNAMED (" + e + ")", e);
        }
    }

    public long seed() {
        return seed;
    }

    /** Fails the run when virtual time passes {@code d} (default 30 min). */
    public DeterministicRuntime maxVirtualTime(Duration d) {
        maxVirtualNanos = d.toNanos();
        return this;
    }

    /** Fails the run after this many continuation steps and events (default 200 million). */
    public DeterministicRuntime maxSteps(long n) {
        maxSteps = n;
        return this;
    }

    /** Continuation steps run so far. */
    public long steps() {
        return steps;
    }

    /** Continuations made runnable by a platform thread other than the driver (JDK monitor unblocker); ideally 0. */
    public long foreignWakeups() {
        synchronized (qlock) {
            return foreignSubmits;
        }
    }

    /** Simulator events run so far. */
    public long simulatorEvents() {
        return simEvents;
    }

    // ------------------------------------------------------------------ scheduler

    private void submit(Runnable continuation) {
        synchronized (qlock) {
            Thread t = Thread.currentThread();
            if (!t.isVirtual() && t != driver) {
                foreignSubmits++; // a platform thread, e.g. the JDK's monitor unblocker
            }
            runnable.add(continuation);
            qlock.notifyAll();
        }
    }

    private Runnable nextRunnable() {
        synchronized (qlock) {
            return runnable.poll();
        }
    }

    private Timer addTimer(long time, Runnable action) {
        synchronized (qlock) {
            Timer t = new Timer(time, timerSeq++, action);
            timers.add(t);
            return t;
        }
    }

    private Timer nextTimer() {
        synchronized (qlock) {
            Timer t;
            while ((t = timers.peek()) != null && t.cancelled) {
                timers.poll();
            }
            return t;
        }
    }

    private Thread newVirtual(String name, Runnable body) {
        try {
            Thread.Builder.OfVirtual b = (Thread.Builder.OfVirtual) builderCtor.newInstance(executor);
            Thread t = b.name(name).unstarted(body);
            synchronized (qlock) {
                threads.add(t);
            }
            t.start();
            return t;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private void requireRuntimeThread(String what) {
        Thread t = Thread.currentThread();
        if (!t.isVirtual() || driver == null) {
            throw new IllegalStateException(what + " called outside a thread of the deterministic runtime ("
                    + t + "): start it inside DeterministicRuntime.run");
        }
    }

    /**
     * Runs {@code body} as a virtual thread of this runtime and drives everything (engine threads,
     * simulator events, timers) on the calling platform thread until the body returns. Rethrows
     * what the body threw; throws {@link SimulationStuckException} on deadlock or a limit.
     */
    public void run(Body body) throws Exception {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("DeterministicRuntime.run must be called on a platform thread");
        }
        if (driver != null) {
            throw new IllegalStateException("DeterministicRuntime.run is not reentrant");
        }
        driver = Thread.currentThread();
        Throwable[] failure = new Throwable[1];
        boolean[] done = new boolean[1];
        long start = source.now();
        try {
            newVirtual("smcj-test-body", () -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure[0] = e;
                } finally {
                    done[0] = true;
                }
            });
            while (true) {
                Runnable r;
                while ((r = nextRunnable()) != null) {
                    if (++steps > maxSteps) {
                        throw stuck("step limit of " + maxSteps + " reached");
                    }
                    r.run();
                }
                if (done[0]) {
                    break;
                }
                if (Thread.interrupted()) {
                    throw stuck("driver interrupted (test timeout?)");
                }
                if (waitForForeignWakeup() || wakeWatchers()) {
                    continue;
                }
                long te = source.nextEventTime();
                Timer tm = nextTimer();
                if (te < 0 && tm == null) {
                    throw stuck("deadlock: no runnable thread, no simulator event, no timer");
                }
                long t = te >= 0 && (tm == null || te <= tm.time) ? te : tm.time;
                if (t - start > maxVirtualNanos) {
                    throw stuck("virtual time limit of " + Duration.ofNanos(maxVirtualNanos) + " reached");
                }
                if (te >= 0 && te == t) {
                    simEvents++;
                    // in a virtual thread: an event (or a listener it calls) may block on a lock
                    newVirtual("smcj-sim-event", source::runNext);
                } else {
                    synchronized (qlock) {
                        timers.poll();
                    }
                    source.advanceTo(tm.time);
                    tm.action.run();
                }
            }
        } finally {
            driver = null;
        }
        if (failure[0] instanceof Exception e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
    }

    /**
     * Before the clock moves: wakes (in registration order) every thread whose predicate now
     * holds, so a poller sees a queued element at the virtual instant it was queued. True when one woke.
     */
    private boolean wakeWatchers() {
        List<Thread> wake = new ArrayList<>();
        synchronized (qlock) {
            for (var it = watches.iterator(); it.hasNext(); ) {
                Watch w = it.next();
                if (w.ready().getAsBoolean()) {
                    it.remove();
                    wake.add(w.thread());
                }
            }
        }
        wake.forEach(LockSupport::unpark);
        return !wake.isEmpty();
    }

    /** Parks the calling runtime thread until {@code ready} holds (checked by the driver) or {@code nanos} pass. */
    private void parkUntil(java.util.function.BooleanSupplier ready, long nanos) {
        Watch w = new Watch(ready, Thread.currentThread());
        synchronized (qlock) {
            watches.add(w);
        }
        try {
            parkNanos(nanos);
        } finally {
            synchronized (qlock) {
                watches.remove(w);
            }
        }
    }

    /**
     * A virtual thread blocked entering a monitor is made runnable by the JDK's unblocker thread,
     * not by the thread that exits the monitor: wait (real time, bounded) for that submission
     * instead of moving the clock. True when something became runnable.
     */
    private boolean waitForForeignWakeup() {
        List<Thread> blocked = new ArrayList<>();
        synchronized (qlock) {
            threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
            for (Thread t : threads) {
                if (t.getState() == Thread.State.BLOCKED) {
                    blocked.add(t);
                }
            }
            if (blocked.isEmpty()) {
                return false;
            }
            long until = System.nanoTime() + 2_000_000_000L;
            while (runnable.isEmpty() && System.nanoTime() < until) {
                try {
                    qlock.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !runnable.isEmpty();
        }
    }

    private SimulationStuckException stuck(String why) {
        StringBuilder sb = new StringBuilder();
        sb.append("deterministic run (seed ").append(seed).append(") stuck at virtual t=")
                .append(source.now()).append(" ns: ").append(why).append("; ").append(steps).append(" steps, ")
                .append(simEvents).append(" simulator events, pending simulator event at ")
                .append(source.nextEventTime()).append(", foreign wakeups ").append(foreignSubmits)
                .append("\nlive runtime threads:");
        List<Thread> live;
        synchronized (qlock) {
            live = new ArrayList<>(threads);
        }
        for (Thread t : live) {
            if (!t.isAlive()) {
                continue;
            }
            sb.append("\n  \"").append(t.getName()).append("\" ").append(t.getState());
            for (StackTraceElement e : t.getStackTrace()) {
                sb.append("\n      at ").append(e);
            }
        }
        return new SimulationStuckException(sb.toString());
    }

    // ------------------------------------------------------------------ EngineRuntime

    @Override
    public long nanoTime() {
        return source.now();
    }

    /** now + nanos, saturating (a "forever" timeout must not wrap into the past). */
    private long later(long nanos) {
        long now = nanoTime();
        return nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    }

    @Override
    public Thread startThread(String name, boolean daemonPlatform, Runnable body) {
        return newVirtual(name, body);
    }

    @Override
    public long awaitNanos(Lock lock, Condition cond, long nanos) throws InterruptedException {
        if (nanos <= 0) {
            return nanos;
        }
        requireRuntimeThread("awaitNanos");
        long deadline = later(nanos);
        // when due, a tiny virtual thread takes the lock and signals (the driver never blocks on it)
        Timer t = addTimer(deadline, () -> newVirtual("smcj-timeout", () -> {
            lock.lock();
            try {
                cond.signalAll();
            } finally {
                lock.unlock();
            }
        }));
        try {
            cond.await();
        } finally {
            t.cancelled = true;
        }
        return deadline - nanoTime();
    }

    @Override
    public void parkNanos(long nanos) {
        if (nanos <= 0) {
            return;
        }
        requireRuntimeThread("parkNanos");
        Thread me = Thread.currentThread();
        Timer t = addTimer(later(nanos), () -> LockSupport.unpark(me));
        LockSupport.park();
        t.cancelled = true;
    }

    /** Sleeps for {@code d} of virtual time (for test bodies). */
    public void sleep(Duration d) {
        long deadline = later(d.toNanos());
        long left;
        while ((left = deadline - nanoTime()) > 0) {
            parkNanos(left);
        }
    }

    @Override
    public <T> T poll(BlockingQueue<T> queue, long nanos) throws InterruptedException {
        long deadline = later(nanos);
        while (true) {
            T x = queue.poll();
            if (x != null) {
                return x;
            }
            long left = deadline - nanoTime();
            if (left <= 0) {
                return null;
            }
            // the producer does not signal us: the driver looks before it moves the clock
            // (isEmpty must not block: true of LinkedBlockingQueue, an atomic count)
            parkUntil(() -> !queue.isEmpty(), left);
        }
    }

    @Override
    public void join(Thread thread, long millis) throws InterruptedException {
        long deadline = later(TimeUnit.MILLISECONDS.toNanos(millis)); // saturating
        while (thread.isAlive()) {
            long left = deadline - nanoTime();
            if (left <= 0) {
                return;
            }
            parkUntil(() -> !thread.isAlive(), left);
        }
    }

    @Override
    public RandomGenerator random() {
        return random;
    }

    @Override
    public String toString() {
        return "deterministic(seed " + seed + ")";
    }
}
