package io.smcj.transport.rdma;

/** {@code enum ibv_wc_opcode} (values: SEND 0 .. BIND_MW 5, RECV 128, RECV_RDMA_WITH_IMM 129). */
public enum WcOpcode {
    SEND(0), RDMA_WRITE(1), RDMA_READ(2), COMP_SWAP(3), FETCH_ADD(4), BIND_MW(5), RECV(128), RECV_RDMA_WITH_IMM(129);

    private final int ibvValue;

    WcOpcode(int ibvValue) {
        this.ibvValue = ibvValue;
    }

    public int ibvValue() {
        return ibvValue;
    }

    /** True for completions of the receive queue. */
    public boolean isRecv() {
        return ibvValue >= 128;
    }
}
