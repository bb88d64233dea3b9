package io.smcj.transport.rdma;

import java.lang.foreign.MemorySegment;

/** {@code struct ibv_mr}: registered native memory with its keys. */
public interface MemoryRegion extends AutoCloseable {

    /** The registered memory. */
    MemorySegment segment();

    /** Start virtual address (the value peers use as remote_addr base). */
    long address();

    long length();

    /** Local key, for SGEs. */
    int lkey();

    /** Remote key, for peers' RDMA writes. */
    int rkey();

    /** {@link AccessFlags} given at registration. */
    int accessFlags();

    /** False after deregistration. */
    boolean isRegistered();

    /**
     * {@code ibv_dereg_mr}. Later use of its keys fails: locally with LOC_PROT_ERR, by a peer's
     * RDMA WRITE with REM_ACCESS_ERR.
     */
    void deregister();

    @Override
    default void close() {
        deregister();
    }
}
