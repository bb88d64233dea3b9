package io.smcj.simulator;

import io.smcj.transport.rdma.AsyncEvent;
import io.smcj.transport.rdma.AsyncEventType;
import io.smcj.transport.rdma.MemoryRegion;
import io.smcj.transport.rdma.PortState;
import io.smcj.transport.rdma.QueuePair;
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.VerbsException;
import io.smcj.transport.rdma.VerbsGid;
import io.smcj.transport.rdma.VerbsProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The soft-RDMA fabric: simulated RoCE devices whose ports all reach each other (one L2/L3
 * network), with RC queue pairs, memory regions and completion queues implementing the verbs SPI.
 *
 * <p>Two modes. {@link #fast()}: a post executes the transfer at once on the posting thread
 * ({@code MemorySegment.copy}) and queues the completion; only retries and injected delays use a
 * timer thread. {@link #deterministic(long)}: posts enqueue events on a seeded scheduler with a
 * virtual clock ({@link #runUntilIdle()}, {@link #advance(Duration)}); each transfer takes a wire
 * latency with seeded jitter, so the order of completions across QPs depends only on the seed.
 *
 * <p>All state is guarded by one fabric lock: simple and race free; concurrent posters serialize.
 *
 * <p>Fault injection ({@code linkDown}, {@code setDelay}, {@code setDrop}, {@code dropNext},
 * {@code crash}, {@code invalidate}, {@code failQp}) may be called at any time, or scripted at a
 * virtual time with {@link #at(Duration, Runnable)}.
 */
public final class SimFabric implements VerbsProvider, AutoCloseable {

    final ReentrantLock lock = new ReentrantLock();
    private final SimScheduler scheduler;
    private final Map<String, SimDevice> devices = new LinkedHashMap<>();
    private final Map<VerbsGid, SimDevice.Port> portsByGid = new HashMap<>();
    private final List<Consumer<TraceEvent>> traceSinks = new ArrayList<>();
    /** Base one-way latency of a transfer in deterministic mode. */
    private long baseLatencyNanos = 1_000;
    /** Seeded jitter bound added to each transfer in deterministic mode. */
    private long jitterNanos = 2_000;
    /** Modelled link speed in deterministic mode: bytes per nanosecond (12.5 = 100 Gb/s). */
    private double bytesPerNano = 12.5;
    private long traceSeq;

    private SimFabric(boolean deterministic, long seed) {
        this.scheduler = deterministic ? new DeterministicScheduler(seed, lock) : new FastScheduler(lock);
    }

    /** A fabric in fast mode (throughput; real time; thread-safe posting). */
    public static SimFabric fast() {
        return new SimFabric(false, 0);
    }

    /** A fabric in deterministic mode (seeded scheduler, virtual clock). */
    public static SimFabric deterministic(long seed) {
        return new SimFabric(true, seed);
    }

    @Override
    public String name() {
        return scheduler.isDeterministic() ? "sim-deterministic" : "sim-fast";
    }

    public boolean isDeterministic() {
        return scheduler.isDeterministic();
    }

    public SimScheduler scheduler() {
        return scheduler;
    }

    /** The deterministic scheduler; ISE in fast mode. */
    public DeterministicScheduler deterministicScheduler() {
        if (scheduler instanceof DeterministicScheduler d) {
            return d;
        }
        throw new IllegalStateException("fabric is in fast mode");
    }

    /** Deterministic mode: runs events until none is pending. */
    public void runUntilIdle() {
        deterministicScheduler().runUntilIdle();
    }

    /** Deterministic mode: runs events due within d and advances the virtual clock by d. */
    public void advance(Duration d) {
        deterministicScheduler().advance(d);
    }

    /** Runs a fault (or any action) at virtual/real time now + delay, under the fabric lock. */
    public void at(Duration delay, Runnable action) {
        scheduler.schedule(delay.toNanos(), action);
    }

    /** Latency model of deterministic mode. */
    public void setLatencyModel(Duration base, Duration jitter, double bytesPerNanosecond) {
        lock.lock();
        try {
            this.baseLatencyNanos = base.toNanos();
            this.jitterNanos = jitter.toNanos();
            this.bytesPerNano = bytesPerNanosecond;
        } finally {
            lock.unlock();
        }
    }

    /** Adds a device; its GIDs must be unique on the fabric. */
    public SimFabric addDevice(SimDeviceConfig config) {
        lock.lock();
        try {
            if (devices.containsKey(config.name())) {
                throw new IllegalArgumentException("duplicate device " + config.name());
            }
            SimDevice d = new SimDevice(this, config, devices.size());
            for (SimDevice.Port p : d.ports) {
                for (var g : p.gids) {
                    if (portsByGid.containsKey(g.gid()) && portsByGid.get(g.gid()) != p) {
                        throw new IllegalArgumentException("GID " + g.gid() + " already on the fabric");
                    }
                    portsByGid.put(g.gid(), p);
                }
            }
            devices.put(config.name(), d);
            return this;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<String> deviceNames() {
        lock.lock();
        try {
            return List.copyOf(devices.keySet());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public VerbsContext openDevice(String name) {
        lock.lock();
        try {
            SimDevice d = devices.get(name);
            if (d == null) {
                throw new VerbsException(VerbsException.Errno.ENODEV, "no simulated device " + name);
            }
            if (d.crashed) {
                throw new VerbsException(VerbsException.Errno.ENODEV, "device " + name + " crashed");
            }
            return d.open();
        } finally {
            lock.unlock();
        }
    }

    /** Receives every trace event (under the fabric lock: keep it fast). */
    public void addTraceSink(Consumer<TraceEvent> sink) {
        lock.lock();
        try {
            traceSinks.add(sink);
        } finally {
            lock.unlock();
        }
    }

    /** Counters of a device (sum over its QPs, alive or destroyed). */
    public SimCounters counters(String device) {
        lock.lock();
        try {
            return device(device).counters.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /** Counters of one QP. */
    public SimCounters counters(QueuePair qp) {
        lock.lock();
        try {
            return simQp(qp).counters.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A stats dump, one line per device and per live QP:
     * {@code device <name> <counters>} and {@code   qp 0x<qpn> <state> <counters>}.
     */
    public String statsReport() {
        lock.lock();
        try {
            StringBuilder sb = new StringBuilder();
            for (SimDevice d : devices.values()) {
                sb.append("device ").append(d.name()).append(d.crashed ? " CRASHED " : " ")
                        .append(d.counters.snapshot()).append('\n');
                for (SimQp q : d.qps.values()) {
                    sb.append("  qp 0x").append(Integer.toHexString(q.qpNum())).append(' ').append(q.state())
                            .append(' ').append(q.counters.snapshot()).append('\n');
                }
            }
            return sb.toString();
        } finally {
            lock.unlock();
        }
    }

    // ---- faults ----

    /** Link down: port state DOWN, PORT_ERR event; traffic through the port is lost (retries, then RETRY_EXC_ERR). */
    public void linkDown(String device, int port) {
        setPortState(device, port, PortState.DOWN, AsyncEventType.PORT_ERR);
    }

    /** Link up: port state ACTIVE, PORT_ACTIVE event; pending retries get through. */
    public void linkUp(String device, int port) {
        setPortState(device, port, PortState.ACTIVE, AsyncEventType.PORT_ACTIVE);
    }

    private void setPortState(String device, int port, PortState state, AsyncEventType event) {
        lock.lock();
        try {
            SimDevice d = device(device);
            SimDevice.Port p = d.port(port);
            if (p.state == state) {
                return;
            }
            p.state = state;
            trace(TraceEvent.Kind.FAULT, d.name(), 0, 0, "port=" + port + " " + state);
            d.raise(new AsyncEvent(event, port, 0));
        } finally {
            lock.unlock();
        }
    }

    /** Adds one-way delay to everything sent or received through a port. */
    public void setDelay(String device, int port, Duration delay) {
        lock.lock();
        try {
            SimDevice d = device(device);
            d.port(port).delayNanos = delay.toNanos();
            trace(TraceEvent.Kind.FAULT, d.name(), 0, 0, "port=" + port + " delay=" + delay.toNanos());
        } finally {
            lock.unlock();
        }
    }

    /** Drops every packet through a port (while the port stays ACTIVE) until cleared. */
    public void setDrop(String device, int port, boolean drop) {
        lock.lock();
        try {
            SimDevice d = device(device);
            d.port(port).dropping = drop;
            trace(TraceEvent.Kind.FAULT, d.name(), 0, 0, "port=" + port + " drop=" + drop);
        } finally {
            lock.unlock();
        }
    }

    /** Adds one-way delay to the transfers of one QP. */
    public void setDelay(QueuePair qp, Duration delay) {
        lock.lock();
        try {
            SimQp q = simQp(qp);
            q.delayNanos = delay.toNanos();
            trace(TraceEvent.Kind.FAULT, q.device.name(), q.qpNum(), 0, "delay=" + delay.toNanos());
        } finally {
            lock.unlock();
        }
    }

    /** Drops the next {@code count} transmissions of a QP's requests (each retry is a transmission). */
    public void dropNext(QueuePair qp, int count) {
        lock.lock();
        try {
            SimQp q = simQp(qp);
            q.dropNext = count;
            trace(TraceEvent.Kind.FAULT, q.device.name(), q.qpNum(), 0, "drop-next=" + count);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Remote crash: the device's host vanishes. Its QPs stop responding (peers retry, then fail
     * with RETRY_EXC_ERR); its own outstanding work is discarded without completions; opening it
     * or posting on it fails with ENODEV.
     */
    public void crash(String device) {
        lock.lock();
        try {
            SimDevice d = device(device);
            trace(TraceEvent.Kind.FAULT, d.name(), 0, 0, "crash");
            d.crash();
        } finally {
            lock.unlock();
        }
    }

    /** Deregisters an MR behind its owner's back (corrupted registration while in use). */
    public void invalidate(MemoryRegion mr) {
        lock.lock();
        try {
            if (!(mr instanceof SimDevice.Mr m)) {
                throw new IllegalArgumentException("not a simulated MR");
            }
            trace(TraceEvent.Kind.FAULT, m.pd.device.name(), 0, 0, "invalidate-mr rkey=0x" + Integer.toHexString(m.rkey));
            m.deregister();
        } finally {
            lock.unlock();
        }
    }

    /** A local fatal QP error: the QP moves to ERROR, flushes, and QP_FATAL is raised. */
    public void failQp(QueuePair qp) {
        lock.lock();
        try {
            SimQp q = simQp(qp);
            trace(TraceEvent.Kind.FAULT, q.device.name(), q.qpNum(), 0, "qp-fatal");
            q.toError(null, null);
            q.device.raise(new AsyncEvent(AsyncEventType.QP_FATAL, 0, q.qpNum()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        scheduler.shutdown();
    }

    // ---- internals ----

    SimDevice device(String name) {
        SimDevice d = devices.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no simulated device " + name);
        }
        return d;
    }

    static SimQp simQp(QueuePair qp) {
        if (qp instanceof SimQp q) {
            return q;
        }
        throw new IllegalArgumentException("not a simulated QP");
    }

    SimDevice.Port portByGid(VerbsGid gid) {
        return portsByGid.get(gid);
    }

    /** One-way latency of a transfer of {@code bytes}. */
    long latency(SimDevice.Port from, SimDevice.Port to, SimQp qp, long bytes) {
        long extra = (from == null ? 0 : from.delayNanos) + (to == null ? 0 : to.delayNanos) + qp.delayNanos;
        if (scheduler instanceof DeterministicScheduler d) {
            return baseLatencyNanos + d.nextLong(jitterNanos + 1) + (long) (bytes / bytesPerNano) + extra;
        }
        return extra;
    }

    /** Records a simulated TCP event (used by io.smcj.simulator.tcp). */
    public void traceTcp(String flow, String detail) {
        lock.lock();
        try {
            trace(TraceEvent.Kind.TCP, flow, 0, 0, detail);
        } finally {
            lock.unlock();
        }
    }

    void trace(TraceEvent.Kind kind, String device, int qpn, long wrId, String detail) {
        if (traceSinks.isEmpty()) {
            return;
        }
        long t = scheduler.isDeterministic() ? ((DeterministicScheduler) scheduler).nanoTime() : 0;
        TraceEvent e = new TraceEvent(traceSeq++, t, kind, device, qpn, wrId, detail);
        for (Consumer<TraceEvent> s : traceSinks) {
            s.accept(e);
        }
    }
}
