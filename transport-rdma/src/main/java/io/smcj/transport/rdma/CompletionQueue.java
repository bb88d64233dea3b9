package io.smcj.transport.rdma;

import java.time.Duration;

/** {@code struct ibv_cq}. Thread-safe. */
public interface CompletionQueue extends AutoCloseable {

    /** The number of entries it holds. */
    int capacity();

    /**
     * {@code ibv_poll_cq}: moves up to {@code out.length} completions into {@code out} in order.
     *
     * @return the number written (0 when empty)
     * @throws VerbsException EIO after a CQ overrun
     */
    int poll(WorkCompletion[] out);

    /**
     * Blocks until the CQ holds at least one completion or the timeout elapses
     * ({@code ibv_req_notify_cq} + {@code ibv_get_cq_event}). In a deterministic simulator the
     * timeout is virtual and waiting drives the simulation.
     *
     * @return true when a completion is available
     */
    boolean await(Duration timeout) throws InterruptedException;

    /**
     * Registers a callback run (on a backend thread, possibly while the CQ is being filled) each
     * time a completion is added: the completion channel an event loop selects on. Keep it
     * short; poll from the engine's thread. Null removes it.
     */
    void setCompletionListener(Runnable listener);

    /** {@code ibv_destroy_cq}; EBUSY while a QP uses it. */
    @Override
    void close();
}
