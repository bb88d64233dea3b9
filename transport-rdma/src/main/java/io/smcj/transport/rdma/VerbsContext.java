package io.smcj.transport.rdma;

import java.time.Duration;
import java.util.List;

/** An opened device ({@code struct ibv_context}). Ports are numbered from 1. */
public interface VerbsContext extends AutoCloseable {

    /** The device name ({@code ibv_get_device_name}). */
    String deviceName();

    /** {@code ibv_query_device}. */
    DeviceAttributes queryDevice();

    /** {@code ibv_query_port}. */
    PortAttributes queryPort(int portNum);

    /** The populated GID table entries of a port, with type, source IP and netdev. */
    List<GidEntry> queryGids(int portNum);

    /** The MAC address (6 bytes) of the port's net device. */
    byte[] macAddress(int portNum);

    /** The name of the net device the port belongs to (e.g. "eth0"). */
    String netdev(int portNum);

    /** {@code ibv_alloc_pd}. */
    ProtectionDomain allocPd();

    /**
     * {@code ibv_create_cq}: a completion queue of at least {@code cqe} entries. If more
     * completions arrive than it holds, the CQ overruns: a {@link AsyncEventType#CQ_ERR} event is
     * raised and polling it fails from then on.
     */
    CompletionQueue createCq(int cqe);

    /** The next asynchronous event, or null when none is pending (non-blocking {@code ibv_get_async_event}). */
    AsyncEvent pollAsyncEvent();

    /**
     * Waits for an asynchronous event for at most {@code timeout} (virtual time in a deterministic
     * simulator), null when none came.
     */
    AsyncEvent awaitAsyncEvent(Duration timeout) throws InterruptedException;

    /** {@code ibv_close_device}. */
    @Override
    void close();
}
