package io.smcj.transport.rdma;

/**
 * {@code struct ibv_qp_init_attr} for an RC QP.
 *
 * @param sendCq completion queue of the send queue
 * @param recvCq completion queue of the receive queue
 * @param maxSendWr send queue depth; posting more outstanding requests fails with ENOMEM
 * @param maxRecvWr receive queue depth
 * @param maxSendSge max gather entries per send request
 * @param maxRecvSge max scatter entries per receive request
 * @param maxInlineData max bytes of an INLINE send
 * @param sqSigAll every send request completes (else only SIGNALED ones and errors)
 */
public record QpInitAttributes(CompletionQueue sendCq, CompletionQueue recvCq, int maxSendWr, int maxRecvWr,
                               int maxSendSge, int maxRecvSge, int maxInlineData, boolean sqSigAll) {
    public QpInitAttributes {
        if (sendCq == null || recvCq == null) {
            throw new IllegalArgumentException("send and recv CQ required");
        }
        if (maxSendWr < 1 || maxRecvWr < 0 || maxSendSge < 1 || maxRecvSge < 0 || maxInlineData < 0) {
            throw new IllegalArgumentException("bad QP capacities");
        }
    }
}
