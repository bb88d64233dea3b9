package io.smcj.simulator;

/** Time and deferred work for the simulator: real time (fast mode) or a virtual clock (deterministic mode). */
public interface SimScheduler {

    /** Current time in nanoseconds (virtual in deterministic mode). */
    long nanoTime();

    /** Runs {@code task} after {@code delayNanos}; tasks always run holding the fabric lock. */
    void schedule(long delayNanos, Runnable task);

    boolean isDeterministic();

    /** Releases threads (fast mode timer). */
    void shutdown();
}
