package io.smcj.engine;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;

/**
 * Time, threads, timed waits and randomness of the engine: every clock read, thread start, timed
 * wait and random draw of the engine goes through one of these, so a run can be made
 * reproducible. {@link #REAL} is the production runtime (platform agent thread,
 * {@code System.nanoTime}, {@code ThreadLocalRandom}); {@link DeterministicRuntime} runs every
 * engine thread as a virtual thread on one driver thread over the simulator's virtual clock.
 */
public interface EngineRuntime {

    /** The real runtime: exactly what the engine did before the SPI existed. */
    EngineRuntime REAL = new Real();

    /** Current time in nanoseconds (virtual in deterministic mode). */
    long nanoTime();

    /**
     * Starts an engine thread. {@code daemonPlatform}: the real runtime starts a platform daemon
     * thread (agent, acceptor) instead of a virtual one (listen work, ADD LINK work).
     */
    Thread startThread(String name, boolean daemonPlatform, Runnable body);

    /**
     * {@code cond.awaitNanos(nanos)}; the caller holds {@code lock} (the condition's lock) and
     * re-checks its predicate and deadline in a loop, as with {@link Condition#awaitNanos}.
     */
    long awaitNanos(Lock lock, Condition cond, long nanos) throws InterruptedException;

    /** {@code LockSupport.parkNanos}: the agent's idle park, woken early by {@link LockSupport#unpark}. */
    void parkNanos(long nanos);

    /** {@code queue.poll(nanos)}. */
    <T> T poll(BlockingQueue<T> queue, long nanos) throws InterruptedException;

    /** {@code thread.join(millis)}. */
    void join(Thread thread, long millis) throws InterruptedException;

    /** Random source for PSNs, alert tokens, peer ids, LLC uids, MACs (seeded in deterministic mode). */
    RandomGenerator random();

    /** The production runtime. */
    final class Real implements EngineRuntime {
        private Real() {
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Thread startThread(String name, boolean daemonPlatform, Runnable body) {
            return daemonPlatform ? Thread.ofPlatform().daemon().name(name).start(body)
                    : Thread.ofVirtual().name(name).start(body);
        }

        @Override
        public long awaitNanos(Lock lock, Condition cond, long nanos) throws InterruptedException {
            return cond.awaitNanos(nanos);
        }

        @Override
        public void parkNanos(long nanos) {
            LockSupport.parkNanos(nanos);
        }

        @Override
        public <T> T poll(BlockingQueue<T> queue, long nanos) throws InterruptedException {
            return queue.poll(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void join(Thread thread, long millis) throws InterruptedException {
            thread.join(millis);
        }

        @Override
        public RandomGenerator random() {
            return ThreadLocalRandom.current();
        }

        @Override
        public String toString() {
            return "real";
        }
    }
}
