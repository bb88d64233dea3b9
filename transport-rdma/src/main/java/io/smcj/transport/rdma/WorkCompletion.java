package io.smcj.transport.rdma;

/**
 * {@code struct ibv_wc}.
 *
 * @param wrId the work request's cookie
 * @param status success or the error
 * @param opcode valid for successful completions (for errors it is the opcode of the failed WR,
 *               which real hardware does not guarantee: use wrId)
 * @param byteLen bytes received (receive completions)
 * @param immData immediate data (valid when hasImm)
 * @param hasImm IBV_WC_WITH_IMM
 * @param qpNum the local QP number
 * @param vendorErr vendor syndrome (0 when none)
 */
public record WorkCompletion(long wrId, WcStatus status, WcOpcode opcode, int byteLen, int immData, boolean hasImm,
                             int qpNum, int vendorErr) {

    public boolean isSuccess() {
        return status == WcStatus.SUCCESS;
    }

    @Override
    public String toString() {
        return "wc[wr=" + wrId + " " + status + " " + opcode + " len=" + byteLen
                + (hasImm ? " imm=0x" + Integer.toHexString(immData) : "") + " qp=0x" + Integer.toHexString(qpNum) + "]";
    }
}
