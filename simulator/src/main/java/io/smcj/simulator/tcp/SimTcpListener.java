package io.smcj.simulator.tcp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;

/** A listening socket of the simulated network. */
public final class SimTcpListener implements AutoCloseable {

    private final SimNetwork net;
    private final InetSocketAddress address;
    final boolean smcEnabled;
    private final ArrayDeque<SimTcpConnection> backlog = new ArrayDeque<>();
    private final Condition cond;
    private Runnable acceptListener;
    /** {@code limit_smc_hs}: while set, SYN-ACKs leave the SMC option out (guarded by the network lock). */
    boolean smcHsCongested;
    boolean closed;

    SimTcpListener(SimNetwork net, InetSocketAddress address, boolean smcEnabled) {
        this.net = net;
        this.address = address;
        this.smcEnabled = smcEnabled;
        this.cond = net.lock.newCondition();
    }

    public InetSocketAddress address() {
        return address;
    }

    public boolean smcEnabled() {
        return smcEnabled;
    }

    /**
     * {@code limit_smc_hs}: while {@code congested}, this listener answers SYNs that carry the SMC
     * option with a SYN-ACK without it (kernel {@code tcp_openreq_init}: {@code ireq->smc_ok} is
     * cleared when the listener's {@code smc_hs_congested()} says so).
     */
    public void setSmcHsCongested(boolean congested) {
        net.lock.lock();
        try {
            smcHsCongested = congested;
        } finally {
            net.lock.unlock();
        }
    }

    public boolean smcHsCongested() {
        net.lock.lock();
        try {
            return smcHsCongested;
        } finally {
            net.lock.unlock();
        }
    }

    void enqueue(SimTcpConnection c) {
        backlog.add(c);
        cond.signalAll();
        if (acceptListener != null) {
            acceptListener.run();
        }
    }

    /** The next established connection, or null (non-blocking). */
    public SimTcpConnection accept() {
        net.lock.lock();
        try {
            return backlog.poll();
        } finally {
            net.lock.unlock();
        }
    }

    /** Waits for a connection; null after the timeout (virtual in deterministic mode). */
    public SimTcpConnection accept(Duration timeout) throws InterruptedException {
        net.scheduler.await(cond, timeout, () -> !backlog.isEmpty() || closed);
        return accept();
    }

    /** Called (under the simulation lock) when a connection is queued. */
    public void setAcceptListener(Runnable r) {
        net.lock.lock();
        try {
            acceptListener = r;
        } finally {
            net.lock.unlock();
        }
    }

    @Override
    public void close() {
        net.lock.lock();
        try {
            closed = true;
            net.unbind(this);
            for (SimTcpConnection c : backlog) {
                c.reset();
            }
            backlog.clear();
            cond.signalAll();
        } finally {
            net.lock.unlock();
        }
    }
}
