package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.protocol.DeclineCode;
import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.transport.tcp.TrustedPeersProbe;
import io.smcj.transport.tcp.policy.SmcPolicy;
import io.smcj.transport.tcp.stream.NioTcpNetwork;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** CLC over real kernel loopback sockets (java.net), RDMA over the simulated fabric. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopbackTcpTest {

    private static Exchange.Result run(List<InetAddress> trusted) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        NioTcpNetwork tcp = new NioTcpNetwork(new TrustedPeersProbe(trusted, SmcPolicy.allowAll(), "test"));
        try (SimFabric fabric = SimFabric.fast()) {
            fabric.addDevice(SimDeviceConfig.of("srv0", "eth0", new byte[] {2, 0, 0, 0, 0, 1},
                    InetAddress.getByName("10.0.0.1")));
            fabric.addDevice(SimDeviceConfig.of("cli0", "eth0", new byte[] {2, 0, 0, 0, 0, 2},
                    InetAddress.getByName("10.0.0.2")));
            try (SmcEngine server = SmcEngine.builder().name("server").config(SimPair.v2Config()).tcp(tcp)
                    .verbs(fabric, List.of("srv0")).build();
                 SmcEngine client = SmcEngine.builder().name("client").config(SimPair.v2Config()).tcp(tcp)
                    .verbs(fabric, List.of("cli0")).build();
                 SmcServerSocket ss = server.listen(new InetSocketAddress(lo, 0))) {
                return Exchange.run(client, ss, ss.getLocalSocketAddress(), 500_000, 400_000);
            }
        }
    }

    @Test
    void trustedLoopbackPeerRunsSmcR() throws Exception {
        Exchange.Result r = run(List.of(InetAddress.getLoopbackAddress()));
        assertTrue(r.client().smc(), r.client().toString());
        assertTrue(r.server().smc(), r.server().toString());
        assertEquals(2, r.client().version());
    }

    @Test
    void untrustedPeerFallsBackPeerNoSmcOverTheSameSocket() throws Exception {
        Exchange.Result r = run(List.of());
        assertFalse(r.client().smc());
        assertEquals(DeclineCode.PEERNOSMC, r.client().fallbackReason());
        assertEquals(DeclineCode.PEERNOSMC, r.server().fallbackReason());
    }
}
