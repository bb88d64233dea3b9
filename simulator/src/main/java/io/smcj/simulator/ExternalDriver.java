package io.smcj.simulator;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Waiting in an externally driven deterministic simulation (see
 * {@link DeterministicScheduler#driveExternally}): something else (the engine's deterministic
 * runtime) runs the events and owns the threads, so a blocking call of the simulator waits on its
 * condition with a <em>virtual</em> timeout supplied by that driver instead of running events itself.
 */
@FunctionalInterface
public interface ExternalDriver {

    /**
     * Like {@code cond.awaitNanos(nanos)} with {@code nanos} of virtual time; the caller holds
     * {@code lock} and re-checks its predicate and deadline.
     */
    void awaitNanos(ReentrantLock lock, Condition cond, long nanos) throws InterruptedException;
}
