package io.smcj.simulator.tcp;

import io.smcj.simulator.SimFabric;
import io.smcj.simulator.SimScheduler;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A simulated IP network carrying TCP connections in memory. It shares the scheduler (and lock)
 * of a {@link SimFabric}, so RDMA and TCP events of a deterministic run interleave on one virtual
 * clock. The handshake is atomic at connect time (its options pass the {@link Middlebox});
 * data, FIN and window updates travel with the network's one-way delay.
 */
public final class SimNetwork {

    /** Default receive buffer per connection side. */
    public static final int DEFAULT_RECEIVE_BUFFER = 64 * 1024;

    final SimFabric fabric;
    final SimScheduler scheduler;
    final ReentrantLock lock;
    private final Map<InetSocketAddress, SimTcpListener> listeners = new HashMap<>();
    private Middlebox middlebox = Middlebox.NONE;
    long delayNanos;
    int receiveBuffer = DEFAULT_RECEIVE_BUFFER;
    private int nextEphemeral = 32768;

    public SimNetwork(SimFabric fabric) {
        this.fabric = fabric;
        this.scheduler = fabric.scheduler();
        this.lock = scheduler.lock();
    }

    public SimScheduler scheduler() {
        return scheduler;
    }

    /** Rewrites handshake options of every new connection. */
    public void setMiddlebox(Middlebox m) {
        lock.lock();
        try {
            this.middlebox = m == null ? Middlebox.NONE : m;
        } finally {
            lock.unlock();
        }
    }

    /** One-way delay of data, FIN and window updates (virtual in deterministic mode). */
    public void setDelay(Duration d) {
        lock.lock();
        try {
            this.delayNanos = d.toNanos();
        } finally {
            lock.unlock();
        }
    }

    /** Receive buffer of connections created from now on (bounds unread + in-flight bytes). */
    public void setReceiveBuffer(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("receive buffer " + bytes);
        }
        lock.lock();
        try {
            this.receiveBuffer = bytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Listens on an address. An SMC-enabled listener answers a SYN that carries the SMC option
     * with a SYN-ACK that carries it too.
     */
    public SimTcpListener listen(InetSocketAddress address, boolean smcEnabled) {
        lock.lock();
        try {
            if (listeners.containsKey(address)) {
                throw new IllegalStateException("address in use: " + address);
            }
            SimTcpListener l = new SimTcpListener(this, address, smcEnabled);
            listeners.put(address, l);
            return l;
        } finally {
            lock.unlock();
        }
    }

    void unbind(SimTcpListener l) {
        listeners.remove(l.address(), l);
    }

    /**
     * Connects from {@code local} (an IP; an ephemeral port is chosen) to {@code remote}, with
     * these SYN options.
     *
     * @throws ConnectException "Connection refused" when nobody listens there
     */
    public SimTcpConnection connect(InetAddress local, InetSocketAddress remote, List<TcpOption> synOptions)
            throws ConnectException {
        lock.lock();
        try {
            SimTcpListener l = listeners.get(remote);
            if (l == null || l.closed) {
                fabric.traceTcp(local.getHostAddress() + ">" + remote, "syn " + synOptions + " refused");
                throw new ConnectException("Connection refused: " + remote);
            }
            List<TcpOption> synSent = List.copyOf(synOptions);
            List<TcpOption> synArrived = List.copyOf(middlebox.onSyn(synSent));
            // tcp_openreq_init: smc_ok = SYN had the option && !(listener's smc_hs_congested())
            boolean congested = l.smcEnabled && l.smcHsCongested && TcpOption.containsSmc(synArrived);
            List<TcpOption> synAckSent = l.smcEnabled && TcpOption.containsSmc(synArrived) && !congested
                    ? List.of(TcpOption.SMC) : List.of();
            List<TcpOption> synAckArrived = List.copyOf(middlebox.onSynAck(synAckSent));
            InetSocketAddress localAddr = new InetSocketAddress(local, nextEphemeral);
            nextEphemeral = nextEphemeral == 60999 ? 32768 : nextEphemeral + 1; // Linux ip_local_port_range
            SimTcpConnection client = new SimTcpConnection(this, localAddr, remote, new SynInfo(synSent, synAckArrived));
            SimTcpConnection server = new SimTcpConnection(this, remote, localAddr, new SynInfo(synAckSent, synArrived,
                    congested));
            fabric.traceTcp(SimTcpConnection.flow(localAddr, remote), "syn " + synSent + " arrived " + synArrived
                    + " syn-ack " + synAckSent + (congested ? " (listener congested: limit_smc_hs)" : "")
                    + " arrived " + synAckArrived);
            client.peer = server;
            server.peer = client;
            l.enqueue(server);
            return client;
        } finally {
            lock.unlock();
        }
    }
}
