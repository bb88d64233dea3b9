package io.smcj.simulator;

import io.smcj.transport.rdma.AccessFlags;
import io.smcj.transport.rdma.CompletionQueue;
import io.smcj.transport.rdma.GidEntry;
import io.smcj.transport.rdma.GidType;
import io.smcj.transport.rdma.MemoryRegion;
import io.smcj.transport.rdma.Mtu;
import io.smcj.transport.rdma.ProtectionDomain;
import io.smcj.transport.rdma.QpAttributes;
import io.smcj.transport.rdma.QpInitAttributes;
import io.smcj.transport.rdma.QueuePair;
import io.smcj.transport.rdma.ScatterGatherEntry;
import io.smcj.transport.rdma.VerbsContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Small helpers to build connected QPs on a simulated fabric (simulator-internal tests). */
final class SimHarness {

    record Side(VerbsContext ctx, ProtectionDomain pd, CompletionQueue cq, QueuePair qp, MemorySegment buf,
                MemoryRegion mr) {
        ScatterGatherEntry sge(long off, int len) {
            return ScatterGatherEntry.of(mr, off, len);
        }

        GidEntry gid() {
            return ctx.queryGids(1).stream().filter(g -> g.type() == GidType.ROCE_V2 && g.ipAddress() != null)
                    .findFirst().orElseThrow();
        }
    }

    private SimHarness() {}

    static Side side(VerbsContext ctx, Arena arena, int size) {
        ProtectionDomain pd = ctx.allocPd();
        CompletionQueue cq = ctx.createCq(4096);
        QueuePair qp = pd.createQp(new QpInitAttributes(cq, cq, 512, 512, 4, 4, 128, true));
        MemorySegment buf = arena.allocate(size, 4096);
        MemoryRegion mr = pd.registerMemory(buf, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE);
        return new Side(ctx, pd, cq, qp, buf, mr);
    }

    static void connect(Side a, Side b, int timeout, int retry, int rnrRetry) {
        up(a, b, timeout, retry, rnrRetry);
        up(b, a, timeout, retry, rnrRetry);
    }

    private static void up(Side s, Side p, int timeout, int retry, int rnrRetry) {
        s.qp().modifyToInit(new QpAttributes.Init(1, 0, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE));
        s.qp().modifyToRtr(new QpAttributes.Rtr(p.qp().qpNum(), p.gid().gid(), s.gid().index(), 0, Mtu.MTU_1024, 1, 1));
        s.qp().modifyToRts(new QpAttributes.Rts(0, timeout, retry, rnrRetry, 1));
    }
}
