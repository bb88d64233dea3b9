package io.smcj.bench;

import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
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
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.WcStatus;
import io.smcj.transport.rdma.WorkCompletion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Two simulated devices with one connected RC QP pair and a registered buffer on each side. */
final class SimPair implements AutoCloseable {

    static final class Side {
        final VerbsContext ctx;
        final ProtectionDomain pd;
        final CompletionQueue cq;
        final QueuePair qp;
        final MemorySegment buf;
        final MemoryRegion mr;

        Side(VerbsContext ctx, Arena arena, long size) {
            this.ctx = ctx;
            pd = ctx.allocPd();
            cq = ctx.createCq(4096);
            qp = pd.createQp(new QpInitAttributes(cq, cq, 1024, 1024, 4, 4, 128, true));
            buf = arena.allocate(size, 4096);
            mr = pd.registerMemory(buf, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE);
        }

        GidEntry gid() {
            return ctx.queryGids(1).stream().filter(g -> g.type() == GidType.ROCE_V2 && g.ipAddress() != null)
                    .findFirst().orElseThrow();
        }
    }

    final SimFabric fabric;
    final Arena arena = Arena.ofShared();
    final Side a;
    final Side b;
    private final WorkCompletion[] wcs = new WorkCompletion[16];

    SimPair(SimFabric fabric, long bufSize) {
        this.fabric = fabric;
        fabric.addDevice(SimDeviceConfig.of("benchA", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, ip("10.0.0.1")));
        fabric.addDevice(SimDeviceConfig.of("benchB", "eth0", new byte[] {2, 0, 0, 0, 0, 2}, ip("10.0.0.2")));
        a = new Side(fabric.openDevice("benchA"), arena, bufSize);
        b = new Side(fabric.openDevice("benchB"), arena, bufSize);
        up(a, b);
        up(b, a);
    }

    private static void up(Side s, Side p) {
        s.qp.modifyToInit(new QpAttributes.Init(1, 0, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE));
        s.qp.modifyToRtr(new QpAttributes.Rtr(p.qp.qpNum(), p.gid().gid(), s.gid().index(), 0, Mtu.MTU_1024, 1, 1));
        s.qp.modifyToRts(new QpAttributes.Rts(0, 14, 7, 7, 1));
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Busy-polls one successful completion from a CQ. */
    WorkCompletion pollOne(CompletionQueue cq) {
        while (true) {
            int n = cq.poll(wcs);
            if (n == 1) {
                WorkCompletion wc = wcs[0];
                if (wc.status() != WcStatus.SUCCESS) {
                    throw new IllegalStateException("completion failed: " + wc);
                }
                return wc;
            }
            if (n > 1) {
                throw new IllegalStateException("more completions than requests");
            }
            if (fabric.isDeterministic()) {
                fabric.runUntilIdle();
            }
        }
    }

    @Override
    public void close() {
        fabric.close();
        arena.close();
    }
}
