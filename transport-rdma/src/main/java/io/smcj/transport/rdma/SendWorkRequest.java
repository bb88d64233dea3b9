package io.smcj.transport.rdma;

import java.util.List;

/**
 * {@code struct ibv_send_wr} for RC: RDMA WRITE, RDMA WRITE WITH IMMEDIATE and SEND.
 *
 * @param wrId caller's cookie, returned in the completion
 * @param opcode the operation
 * @param sgList local data (gathered in order)
 * @param flags {@link #SIGNALED}, {@link #INLINE}, {@link #SOLICITED}, {@link #FENCE}
 * @param immData immediate data (network order value as a Java int) for RDMA_WRITE_WITH_IMM
 * @param remoteAddr target virtual address for RDMA writes
 * @param rkey target memory region key for RDMA writes
 */
public record SendWorkRequest(long wrId, WrOpcode opcode, List<ScatterGatherEntry> sgList, int flags, int immData,
                              long remoteAddr, int rkey) {
    /** IBV_SEND_FENCE. */
    public static final int FENCE = 1;
    /** IBV_SEND_SIGNALED: generate a completion on success (errors always complete). */
    public static final int SIGNALED = 1 << 1;
    /** IBV_SEND_SOLICITED. */
    public static final int SOLICITED = 1 << 2;
    /** IBV_SEND_INLINE: the data is copied at post time, lkeys are not checked. */
    public static final int INLINE = 1 << 3;

    public SendWorkRequest {
        sgList = List.copyOf(sgList);
        if (opcode == null) {
            throw new IllegalArgumentException("opcode");
        }
    }

    public static SendWorkRequest rdmaWrite(long wrId, List<ScatterGatherEntry> sg, long remoteAddr, int rkey) {
        return new SendWorkRequest(wrId, WrOpcode.RDMA_WRITE, sg, SIGNALED, 0, remoteAddr, rkey);
    }

    public static SendWorkRequest rdmaWriteWithImm(long wrId, List<ScatterGatherEntry> sg, long remoteAddr, int rkey,
                                                   int imm) {
        return new SendWorkRequest(wrId, WrOpcode.RDMA_WRITE_WITH_IMM, sg, SIGNALED, imm, remoteAddr, rkey);
    }

    public static SendWorkRequest send(long wrId, List<ScatterGatherEntry> sg) {
        return new SendWorkRequest(wrId, WrOpcode.SEND, sg, SIGNALED, 0, 0, 0);
    }

    public static SendWorkRequest sendInline(long wrId, List<ScatterGatherEntry> sg) {
        return new SendWorkRequest(wrId, WrOpcode.SEND, sg, SIGNALED | INLINE, 0, 0, 0);
    }

    /** The same request with other flags. */
    public SendWorkRequest withFlags(int newFlags) {
        return new SendWorkRequest(wrId, opcode, sgList, newFlags, immData, remoteAddr, rkey);
    }

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }

    /** Total bytes of the gather list. */
    public long totalLength() {
        long n = 0;
        for (ScatterGatherEntry e : sgList) {
            n += e.length();
        }
        return n;
    }
}
