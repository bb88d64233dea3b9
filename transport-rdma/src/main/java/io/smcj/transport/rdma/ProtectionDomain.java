package io.smcj.transport.rdma;

import java.lang.foreign.MemorySegment;

/** {@code struct ibv_pd}: MRs and QPs of one PD may work together, and only they. */
public interface ProtectionDomain extends AutoCloseable {

    VerbsContext context();

    /**
     * {@code ibv_reg_mr} over native memory. The segment must be native and page aligned (4096)
     * and stay alive until {@link MemoryRegion#deregister()}.
     *
     * @param accessFlags {@link AccessFlags} bits
     * @throws VerbsException EINVAL for a heap or unaligned segment or bad flags
     */
    MemoryRegion registerMemory(MemorySegment segment, int accessFlags);

    /** {@code ibv_create_qp} of type RC; the QP starts in RESET. */
    QueuePair createQp(QpInitAttributes attributes);

    /** {@code ibv_dealloc_pd}; EBUSY while MRs or QPs are alive. */
    @Override
    void close();
}
