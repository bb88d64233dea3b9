package io.smcj.simulator;

/** Time and deferred work for the simulator: real time (fast mode) or a virtual clock (deterministic mode). */
public interface SimScheduler {

    /** Current time in nanoseconds (virtual in deterministic mode). */
    long nanoTime();

    /** Runs {@code task} after {@code delayNanos}; tasks always run holding the fabric lock. */
    void schedule(long delayNanos, Runnable task);

    boolean isDeterministic();

    /** The lock guarding all simulated state; scheduled tasks run holding it. */
    java.util.concurrent.locks.ReentrantLock lock();

    /**
     * Waits until {@code ready} holds (checked under {@link #lock()}) or the timeout elapses. In
     * deterministic mode the timeout is virtual and waiting runs the scheduler's events; in fast
     * mode it waits on {@code cond} (a condition of the lock), which producers signal.
     *
     * @return whether {@code ready} holds
     */
    boolean await(java.util.concurrent.locks.Condition cond, java.time.Duration timeout,
                  java.util.function.BooleanSupplier ready) throws InterruptedException;

    /** Releases threads (fast mode timer). */
    void shutdown();
}
