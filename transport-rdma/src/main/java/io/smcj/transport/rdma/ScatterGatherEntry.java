package io.smcj.transport.rdma;

/**
 * {@code struct ibv_sge}: a slice of registered memory.
 *
 * @param addr virtual (native) address, inside the memory region named by lkey
 * @param length bytes
 * @param lkey local key of the memory region
 */
public record ScatterGatherEntry(long addr, int length, int lkey) {
    public ScatterGatherEntry {
        if (length < 0) {
            throw new IllegalArgumentException("negative SGE length " + length);
        }
    }

    /** A slice of a memory region, at an offset from its start. */
    public static ScatterGatherEntry of(MemoryRegion mr, long offset, int length) {
        return new ScatterGatherEntry(mr.address() + offset, length, mr.lkey());
    }
}
