package io.smcj.simulator;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Real-time scheduler of the fast mode: zero-delay work runs inline on the posting thread;
 * delayed work (RNR and ACK-timeout retries, injected delays) runs on one daemon timer thread.
 */
final class FastScheduler implements SimScheduler {

    private final ReentrantLock fabricLock;
    private ScheduledThreadPoolExecutor timer;

    FastScheduler(ReentrantLock fabricLock) {
        this.fabricLock = fabricLock;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void schedule(long delayNanos, Runnable task) {
        fabricLock.lock();
        try {
            if (delayNanos <= 0) {
                task.run();
                return;
            }
            if (timer == null) {
                timer = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "smcj-sim-timer");
                    t.setDaemon(true);
                    return t;
                });
                timer.setRemoveOnCancelPolicy(true);
            }
            timer.schedule(() -> {
                fabricLock.lock();
                try {
                    task.run();
                } finally {
                    fabricLock.unlock();
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        } finally {
            fabricLock.unlock();
        }
    }

    @Override
    public boolean isDeterministic() {
        return false;
    }

    @Override
    public ReentrantLock lock() {
        return fabricLock;
    }

    @Override
    public boolean await(java.util.concurrent.locks.Condition cond, java.time.Duration timeout,
                         java.util.function.BooleanSupplier ready) throws InterruptedException {
        long nanos = timeout.toNanos();
        fabricLock.lock();
        try {
            while (!ready.getAsBoolean()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = cond.awaitNanos(nanos);
            }
            return true;
        } finally {
            fabricLock.unlock();
        }
    }

    @Override
    public void shutdown() {
        fabricLock.lock();
        try {
            if (timer != null) {
                timer.shutdownNow();
                timer = null;
            }
        } finally {
            fabricLock.unlock();
        }
    }
}
