package io.smcj.transport.rdma;

/** {@code enum ibv_wr_opcode}: the send-queue operations SMC-R needs. */
public enum WrOpcode {
    RDMA_WRITE(0, WcOpcode.RDMA_WRITE), RDMA_WRITE_WITH_IMM(1, WcOpcode.RDMA_WRITE), SEND(2, WcOpcode.SEND);

    private final int ibvValue;
    private final WcOpcode completionOpcode;

    WrOpcode(int ibvValue, WcOpcode completionOpcode) {
        this.ibvValue = ibvValue;
        this.completionOpcode = completionOpcode;
    }

    public int ibvValue() {
        return ibvValue;
    }

    /** The opcode of the requester's completion for this operation. */
    public WcOpcode completionOpcode() {
        return completionOpcode;
    }
}
