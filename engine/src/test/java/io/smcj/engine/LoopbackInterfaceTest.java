package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.simulator.SimPortConfig;
import io.smcj.transport.rdma.GidType;
import io.smcj.transport.tcp.TrustedPeersProbe;
import io.smcj.transport.tcp.policy.SmcPolicy;
import io.smcj.transport.tcp.stream.InterfaceInfo;
import io.smcj.transport.tcp.stream.NioTcpNetwork;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CLC over real loopback sockets whose {@code java.net} interface ({@code lo}) is reported to the
 * engine ({@code NioTcpNetwork(probe, true)}); the simulated RoCE ports are bound to that netdev.
 * IPv4 127.0.0.1 gives SMC-R v2 (the GID of lo's 127/8 subnet), IPv6 ::1 gives SMC-R v1 with lo's
 * IPv6 prefix (::1/128) in the Proposal.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackInterfaceTest {

    private static Exchange.Result run(InetAddress lo, List<String> trace) throws Exception {
        NetworkInterface ni = NetworkInterface.getByInetAddress(lo);
        assertNotNull(ni, "interface of " + lo);
        NioTcpNetwork tcp = new NioTcpNetwork(new TrustedPeersProbe(List.of(lo), SmcPolicy.allowAll(), "test"), true);
        try (SimFabric fabric = SimFabric.fast()) {
            fabric.addDevice(new SimDeviceConfig("srv0", List.of(new SimPortConfig(ni.getName(),
                    new byte[] {2, 0, 0, 0, 0, 1}, 1500, List.of(InetAddress.getByName("127.0.0.2"))))));
            fabric.addDevice(new SimDeviceConfig("cli0", List.of(new SimPortConfig(ni.getName(),
                    new byte[] {2, 0, 0, 0, 0, 2}, 1500, List.of(InetAddress.getByName("127.0.0.3"))))));
            EngineTrace t = new EngineTrace(trace::add);
            try (SmcEngine server = SmcEngine.builder().name("server").config(SimPair.v2Config()).tcp(tcp).trace(t)
                    .verbs(fabric, List.of("srv0")).build();
                 SmcEngine client = SmcEngine.builder().name("client").config(SimPair.v2Config()).tcp(tcp).trace(t)
                    .verbs(fabric, List.of("cli0")).build();
                 SmcServerSocket ss = server.listen(new InetSocketAddress(lo, 0))) {
                Exchange.Result r = Exchange.run(client, ss, ss.getLocalSocketAddress(), 300_000, 200_000);
                assertEquals(1, server.lgrs.size());
                GidType want = r.server().version() == 2 ? GidType.ROCE_V2 : GidType.ROCE_V1;
                assertEquals(want, server.lgrs.getFirst().device.gidEntry.type());
                return r;
            }
        }
    }

    @Test
    void ipv4LoopbackRunsSmcRv2OnTheGidOfLosSubnet() throws Exception {
        List<String> trace = new CopyOnWriteArrayList<>();
        Exchange.Result r = run(InetAddress.getByName("127.0.0.1"), trace);
        assertTrue(r.client().smc(), r.client().toString());
        assertEquals(2, r.client().version());
        String accept = trace.stream().filter(l -> l.startsWith("server -> CLC ACCEPT")).findFirst().orElseThrow();
        assertTrue(accept.contains("gid=::ffff:127.0.0.2") && accept.contains("v2_direct"), accept);
        String proposal = trace.stream().filter(l -> l.startsWith("client -> CLC PROPOSAL")).findFirst().orElseThrow();
        assertTrue(proposal.contains("prefix=127.0.0.0/8"), proposal);
    }

    @Test
    void ipv6LoopbackRunsSmcRv1WithLosIpv6Prefix() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        boolean usable;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(v6, 0));
            InterfaceInfo lo = InterfaceInfo.ofLocalAddress(v6);
            usable = lo != null && lo.ipv6().stream().anyMatch(a -> a.address() instanceof Inet6Address
                    && !a.address().isLinkLocalAddress());
        } catch (java.io.IOException e) {
            usable = false;
        }
        if (!usable) {
            System.err.println("SKIP-WARNING: no IPv6 loopback (::1) on this host: the IPv6 CLC test over real sockets is skipped");
        }
        assumeTrue(usable, "no IPv6 loopback");
        List<String> trace = new CopyOnWriteArrayList<>();
        Exchange.Result r = run(v6, trace);
        assertTrue(r.client().smc(), r.client().toString());
        assertEquals(1, r.client().version());
        String proposal = trace.stream().filter(l -> l.startsWith("client -> CLC PROPOSAL")).findFirst().orElseThrow();
        assertTrue(proposal.contains("typev2=N") && proposal.contains("prefix=::1/128"), proposal);
    }
}
