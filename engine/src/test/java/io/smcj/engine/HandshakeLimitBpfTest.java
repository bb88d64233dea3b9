package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smcj.protocol.DeclineCode;
import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.transport.tcp.bpf.BpfCapabilityProbe;
import io.smcj.transport.tcp.bpf.BpfSupport;
import io.smcj.transport.tcp.policy.SmcPolicy;
import io.smcj.transport.tcp.stream.NioTcpNetwork;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code limit_smc_hs} with the SMC option really on the wire: CLC over kernel loopback sockets
 * whose SYN/SYN-ACK options come from the BPF sock_ops program, RDMA over the simulator. Stalled
 * SMC handshakes congest the listener; the next connection's SYN-ACK carries no option and both
 * engines fall back PEERNOSMC with the bytes intact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandshakeLimitBpfTest {

    @Test
    void congestedListenerFallsBackPeerNoSmcOverRealSockets() throws Exception {
        String why = BpfSupport.unavailabilityCause();
        if (why != null) {
            System.err.println("SKIP-WARNING: HandshakeLimitBpfTest: BPF cannot be used here: " + why);
        }
        assumeTrue(why == null, "BPF unavailable: " + why);
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").limitSmcHs(true).maxConcurrentHandshakes(2).build();
        try (BpfCapabilityProbe probe = BpfCapabilityProbe.open(BpfCapabilityProbe.Options.defaults(SmcPolicy.allowAll()));
             SimFabric fabric = SimFabric.fast()) {
            NioTcpNetwork tcp = new NioTcpNetwork(probe);
            fabric.addDevice(SimDeviceConfig.of("srv0", "eth0", new byte[] {2, 0, 0, 0, 0, 1},
                    InetAddress.getByName("10.0.0.1")));
            fabric.addDevice(SimDeviceConfig.of("cli0", "eth0", new byte[] {2, 0, 0, 0, 0, 2},
                    InetAddress.getByName("10.0.0.2")));
            try (SmcEngine server = SmcEngine.builder().name("server").config(cfg).tcp(tcp)
                    .verbs(fabric, List.of("srv0")).clcWait(Duration.ofSeconds(30)).build();
                 SmcEngine client = SmcEngine.builder().name("client").config(SimPair.v2Config()).tcp(tcp)
                    .verbs(fabric, List.of("cli0")).build();
                 SmcServerSocket ss = server.listen(new InetSocketAddress(lo, 0))) {
                InetSocketAddress addr = ss.getLocalSocketAddress();
                // two TCP connections that got the option both ways and never send a Proposal
                List<Socket> stalled = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    stalled.add(new Socket(addr.getAddress(), addr.getPort()));
                }
                CloseAndAbortTest.await(ss::smcHsCongested, "listener congested");
                Exchange.Result r = Exchange.run(client, ss, addr, 300_000, 200_000);
                assertFalse(r.client().smc(), r.toString());
                assertEquals(DeclineCode.PEERNOSMC, r.client().fallbackReason(), r.toString());
                assertTrue(r.client().detail().contains("the SYN-ACK did not"), r.client().toString());
                assertEquals(DeclineCode.PEERNOSMC, r.server().fallbackReason(), r.toString());
                assertTrue(r.server().detail().contains("limit_smc_hs"), r.server().toString());
                assertEquals(Map.of(DeclineCode.PEERNOSMC.value(), 1L), client.stats().snapshot().fallbackClient());
                assertEquals(Map.of(DeclineCode.PEERNOSMC.value(), 1L), server.stats().snapshot().fallbackServer());
                for (Socket s : stalled) {
                    s.close();
                }
                CloseAndAbortTest.await(() -> !ss.smcHsCongested(), "congestion over");
                Exchange.Result after = Exchange.run(client, ss, addr, 100_000, 100_000);
                assertTrue(after.client().smc() && after.server().smc(), after.toString());
            }
        }
    }
}
