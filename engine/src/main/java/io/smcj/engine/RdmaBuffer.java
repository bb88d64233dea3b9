package io.smcj.engine;

import io.smcj.transport.rdma.AccessFlags;
import io.smcj.transport.rdma.MemoryRegion;
import io.smcj.transport.rdma.ProtectionDomain;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A page-aligned native buffer registered with a protection domain: an RMB (peer writes into it,
 * REMOTE_WRITE) or a send buffer (local SGEs only). Counted against the engine's memory
 * watermark ({@code smcj.buffer_memory_limit}).
 */
final class RdmaBuffer implements AutoCloseable {
    final Arena arena;
    final MemorySegment segment;
    final MemoryRegion mr;
    private final AtomicLong accounted;
    private final java.util.Map<ProtectionDomain, MemoryRegion> extra = new java.util.LinkedHashMap<>(); // guarded by this; ordered
    private final ProtectionDomain homePd;
    private boolean closed;

    private RdmaBuffer(Arena arena, MemorySegment segment, MemoryRegion mr, AtomicLong accounted, ProtectionDomain pd) {
        this.homePd = pd;
        this.arena = arena;
        this.segment = segment;
        this.mr = mr;
        this.accounted = accounted;
    }

    /**
     * @return the buffer, or null when the memory watermark would be exceeded (kernel: -ENOMEM,
     *         decline SMC_CLC_DECL_MEM)
     */
    static RdmaBuffer allocate(ProtectionDomain pd, int size, boolean remoteWrite, AtomicLong inUse, long limit) {
        long after = inUse.addAndGet(size);
        if (after > limit) {
            inUse.addAndGet(-size);
            return null;
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = arena.allocate(size, 4096);
            int flags = AccessFlags.LOCAL_WRITE | (remoteWrite ? AccessFlags.REMOTE_WRITE : 0);
            MemoryRegion mr = pd.registerMemory(seg, flags);
            return new RdmaBuffer(arena, seg, mr, inUse, pd);
        } catch (RuntimeException e) {
            inUse.addAndGet(-size);
            arena.close();
            throw e;
        }
    }

    /**
     * The registration of this buffer with {@code pd} (a link on another device needs its own,
     * {@code smcr_link_reg_buf}); registered on first use.
     */
    synchronized MemoryRegion mrFor(ProtectionDomain pd) {
        if (pd == homePd) {
            return mr;
        }
        if (closed) {
            throw new IllegalStateException("buffer freed");
        }
        return extra.computeIfAbsent(pd, p -> p.registerMemory(segment, mr.accessFlags()));
    }

    long address() {
        return mr.address();
    }

    int size() {
        return (int) segment.byteSize();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (MemoryRegion m : extra.values()) {
                try {
                    m.deregister();
                } catch (RuntimeException ignored) {
                    // the device may be gone
                }
            }
            mr.deregister();
        } finally {
            arena.close();
            accounted.addAndGet(-segment.byteSize());
        }
    }
}
