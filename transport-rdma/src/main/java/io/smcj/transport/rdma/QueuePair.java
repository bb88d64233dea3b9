package io.smcj.transport.rdma;

/**
 * An RC {@code struct ibv_qp}. Thread-safe: several threads may post concurrently; requests of
 * one QP execute in post order. A QP that fails moves to {@link QpState#ERROR}: the failing
 * request completes with its error status and every other outstanding request (send and
 * receive) with {@link WcStatus#WR_FLUSH_ERR}.
 */
public interface QueuePair extends AutoCloseable {

    /** The QP number (24 bit). */
    int qpNum();

    QpState state();

    /** The creation attributes (queue depths, CQs). */
    QpInitAttributes initAttributes();

    /** RESET&rarr;INIT. */
    void modifyToInit(QpAttributes.Init attributes);

    /** INIT&rarr;RTR: binds the QP to its peer. EINVAL for an MTU above the port's active MTU. */
    void modifyToRtr(QpAttributes.Rtr attributes);

    /** RTR&rarr;RTS. */
    void modifyToRts(QpAttributes.Rts attributes);

    /** Any state&rarr;ERROR: flushes all outstanding work requests. */
    void modifyToError();

    /** Any state&rarr;RESET: drops outstanding requests without completions. */
    void modifyToReset();

    /**
     * {@code ibv_post_send}. Requires RTS (in ERROR the request is flushed at once).
     *
     * @throws VerbsException ENOMEM when maxSendWr requests are outstanding; EINVAL for a bad
     *         state, too many SGEs or an INLINE payload above maxInlineData
     */
    void postSend(SendWorkRequest wr);

    /**
     * {@code ibv_post_recv}. Allowed from INIT on (in ERROR the request is flushed at once).
     *
     * @throws VerbsException ENOMEM when maxRecvWr receives are posted; EINVAL for a bad state
     */
    void postRecv(RecvWorkRequest wr);

    /** {@code ibv_destroy_qp}. */
    @Override
    void close();
}
