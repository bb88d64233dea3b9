package io.smcj.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.simulator.tcp.Middlebox;
import io.smcj.simulator.tcp.SimNetwork;
import io.smcj.simulator.tcp.SimTcpConnection;
import io.smcj.simulator.tcp.SimTcpListener;
import io.smcj.simulator.tcp.TcpOption;
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
import io.smcj.transport.rdma.RecvWorkRequest;
import io.smcj.transport.rdma.ScatterGatherEntry;
import io.smcj.transport.rdma.SendWorkRequest;
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.VerbsGid;
import io.smcj.transport.rdma.WcOpcode;
import io.smcj.transport.rdma.WcStatus;
import io.smcj.transport.rdma.WorkCompletion;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shape of an SMC-R connection on the simulator, in one JVM and deterministically: a TCP
 * handshake with the SMC option, a toy CLC exchange of (GID, QPN, rkey, address) over the TCP
 * stream, QPs brought up from it, payload by RDMA WRITE and a WRITE WITH IMMEDIATE as the
 * notification; and the TCP fallback when a middlebox strips the option. (The real CLC/LLC/CDC
 * engine will replace the toy exchange.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SmcStyleFlowTest {

    record Outcome(String path, byte[] received, List<String> trace) {}

    private static final int RMB = 64 * 1024;

    private static final class Host {
        final VerbsContext ctx;
        final ProtectionDomain pd;
        final CompletionQueue cq;
        final QueuePair qp;
        final MemorySegment rmb;
        final MemoryRegion mr;

        Host(VerbsContext ctx, Arena arena) {
            this.ctx = ctx;
            pd = ctx.allocPd();
            cq = ctx.createCq(64);
            qp = pd.createQp(new QpInitAttributes(cq, cq, 16, 16, 2, 2, 64, true));
            rmb = arena.allocate(RMB, 4096);
            mr = pd.registerMemory(rmb, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE);
        }

        GidEntry gid() {
            return ctx.queryGids(1).stream().filter(g -> g.type() == GidType.ROCE_V2 && g.ipAddress() != null)
                    .findFirst().orElseThrow();
        }

        byte[] clc() {
            ByteBuffer b = ByteBuffer.allocate(32);
            b.put(gid().gid().bytes()).putInt(qp.qpNum()).putInt(mr.rkey()).putLong(mr.address());
            return b.array();
        }

        void connectTo(ByteBuffer peerClc) {
            byte[] g = new byte[16];
            peerClc.get(g);
            int qpn = peerClc.getInt();
            qp.modifyToInit(new QpAttributes.Init(1, 0, AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE));
            qp.modifyToRtr(new QpAttributes.Rtr(qpn, VerbsGid.of(g), gid().index(), 0, Mtu.MTU_1024, 1, 1));
            qp.modifyToRts(new QpAttributes.Rts(0, 15, 7, 7, 1));
        }
    }

    private static byte[] readExactly(SimFabric f, SimTcpConnection c, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (c.read(b) == 0) {
                f.runUntilIdle();
            }
        }
        return b.array();
    }

    static Outcome run(long seed, Middlebox middlebox, byte[] payload) throws Exception {
        List<String> trace = new ArrayList<>();
        try (SimFabric f = SimFabric.deterministic(seed); Arena arena = Arena.ofConfined()) {
            f.addDevice(SimDeviceConfig.of("roceA", "eth0", new byte[] {2, 0, 0, 0, 0, 0xa}, SimTestBed.ip("10.9.0.1")));
            f.addDevice(SimDeviceConfig.of("roceB", "eth0", new byte[] {2, 0, 0, 0, 0, 0xb}, SimTestBed.ip("10.9.0.2")));
            f.addTraceSink(e -> trace.add(e.line()));
            SimNetwork net = new SimNetwork(f);
            net.setDelay(Duration.ofNanos(20_000));
            net.setMiddlebox(middlebox);
            InetSocketAddress srvAddr = new InetSocketAddress(SimTestBed.ip("10.9.0.2"), 5000);
            SimTcpListener listener = net.listen(srvAddr, true);
            SimTcpConnection client = net.connect(SimTestBed.ip("10.9.0.1"), srvAddr, List.of(TcpOption.SMC));
            SimTcpConnection server = listener.accept(Duration.ofSeconds(1));
            trace.add("tcp client " + client.synInfo() + " server " + server.synInfo());

            if (!client.synInfo().smcNegotiated() || !server.synInfo().smcNegotiated()) {
                // fallback: the payload goes over TCP
                client.write(ByteBuffer.wrap(payload));
                client.shutdownOutput();
                f.runUntilIdle();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(4096);
                int n;
                while ((n = server.read(b.clear())) != -1) {
                    if (n == 0) {
                        f.runUntilIdle();
                    }
                    got.write(b.array(), 0, n);
                }
                return new Outcome("tcp-fallback", got.toByteArray(), trace);
            }
            Host a = new Host(f.openDevice("roceA"), arena);
            Host b = new Host(f.openDevice("roceB"), arena);
            client.write(ByteBuffer.wrap(a.clc()));  // "proposal"
            ByteBuffer proposal = ByteBuffer.wrap(readExactly(f, server, 32));
            server.write(ByteBuffer.wrap(b.clc()));  // "accept"
            ByteBuffer accept = ByteBuffer.wrap(readExactly(f, client, 32));
            b.connectTo(proposal);
            a.connectTo(accept);
            b.qp.postRecv(RecvWorkRequest.of(77));
            accept.position(16);
            accept.getInt();
            int rkey = accept.getInt();
            long addr = accept.getLong();
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, a.rmb, 0, payload.length);
            a.qp.postSend(SendWorkRequest.rdmaWrite(1, List.of(ScatterGatherEntry.of(a.mr, 0, payload.length)), addr,
                    rkey));
            a.qp.postSend(SendWorkRequest.rdmaWriteWithImm(2, List.of(), addr, rkey, payload.length));
            WorkCompletion[] wcs = new WorkCompletion[8];
            List<WorkCompletion> atB = new ArrayList<>();
            while (atB.isEmpty()) {
                assertTrue(b.cq.await(Duration.ofSeconds(1)));
                int n = b.cq.poll(wcs);
                atB.addAll(java.util.Arrays.asList(wcs).subList(0, n));
            }
            WorkCompletion note = atB.get(0);
            assertEquals(WcStatus.SUCCESS, note.status());
            assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, note.opcode());
            byte[] got = b.rmb.asSlice(0, note.immData()).toArray(ValueLayout.JAVA_BYTE);
            f.runUntilIdle();
            trace.add("counters " + f.counters("roceA") + " / " + f.counters("roceB"));
            trace.add("tcp bytes " + client.bytesSent() + "/" + server.bytesSent());
            return new Outcome("smc-r", got, trace);
        }
    }

    private static byte[] payload() {
        byte[] p = new byte[10_000];
        new Random(11).nextBytes(p);
        return p;
    }

    @Test
    void smcPathMovesPayloadByRdmaReproducibly() throws Exception {
        Outcome one = run(21, Middlebox.NONE, payload());
        Outcome two = run(21, Middlebox.NONE, payload());
        assertEquals("smc-r", one.path());
        assertArrayEquals(payload(), one.received());
        assertTrue(one.trace().contains("tcp bytes 32/32"), "only the CLC-like exchange used TCP");
        assertTrue(one.trace().stream().anyMatch(l -> l.contains(" TCP 10.9.0.1:")
                && l.endsWith("syn [SMC] arrived [SMC] syn-ack [SMC] arrived [SMC]")), () -> String.join("\n", one.trace()));
        assertTrue(one.trace().stream().anyMatch(l -> l.contains(" TCP ") && l.endsWith("data delivered len=32")));
        assertEquals(String.join("\n", one.trace()), String.join("\n", two.trace()));
    }

    @Test
    void strippedOptionFallsBackToTcp() throws Exception {
        Outcome syn = run(21, Middlebox.stripSmcFromSyn(), payload());
        assertEquals("tcp-fallback", syn.path());
        assertArrayEquals(payload(), syn.received());
        assertTrue(syn.trace().stream().anyMatch(l -> l.endsWith("syn [SMC] arrived [] syn-ack [] arrived []")));
        assertTrue(syn.trace().stream().anyMatch(l -> l.contains(" TCP ") && l.endsWith("fin delivered")));
        Outcome synAck = run(21, Middlebox.stripSmcFromSynAck(), payload());
        assertEquals("tcp-fallback", synAck.path());
        assertArrayEquals(payload(), synAck.received());
    }
}
