package io.smcj.transport.tcp.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.transport.tcp.SmcOptionVerdict;
import io.smcj.transport.tcp.SmcRole;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Both ends in this JVM over loopback, both running the program. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BpfLoopbackTest {
    @Test
    void bothSidesOnLoopbackSeeTheOptionAndCleanUp() throws Exception {
        Prerequisites.assumeBpf("BpfLoopbackTest");
        BpfCapabilityProbe probe = BpfCapabilityProbe.open(BpfCapabilityProbe.Options.defaults(SmcPolicy.allowAll()));
        java.nio.file.Path dir = probe.cgroup().path();
        try {
            assertTrue(probe.cgroup().contains(), "JVM moved into " + dir);
            for (InetAddress lo : new InetAddress[] {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")}) {
                try (ServerSocketChannel ss = ServerSocketChannel.open()) {
                    ss.bind(new InetSocketAddress(lo, 0));
                    try (SocketChannel c = SocketChannel.open(ss.getLocalAddress()); SocketChannel s = ss.accept()) {
                        SmcOptionVerdict cv = probe.verdict((InetSocketAddress) c.getLocalAddress(),
                                (InetSocketAddress) c.getRemoteAddress(), SmcRole.CLIENT);
                        SmcOptionVerdict sv = probe.verdict((InetSocketAddress) s.getLocalAddress(),
                                (InetSocketAddress) s.getRemoteAddress(), SmcRole.SERVER);
                        System.out.println(cv + "\n" + sv);
                        assertTrue(cv.smcPossible(), cv.toString());
                        assertTrue(sv.smcPossible(), sv.toString());
                        // read once: a second lookup finds nothing
                        assertFalse(probe.verdict((InetSocketAddress) c.getLocalAddress(),
                                (InetSocketAddress) c.getRemoteAddress(), SmcRole.CLIENT).smcPossible());
                    }
                }
            }
        } finally {
            probe.close();
        }
        assertFalse(Files.exists(dir), "cgroup removed");
        assertEquals(0, 0);
    }

    /**
     * {@code limit_smc_hs} through the TCP stream SPI: a congested {@code NioTcpNetwork} listener
     * answers with a SYN-ACK without the option (the client's program reads the real SYN-ACK), and
     * only for its own port; after the switch is off again it offers SMC; close resets the switch.
     */
    @Test
    void congestedNioListenerStopsOfferingSmcOnItsPortOnly() throws Exception {
        Prerequisites.assumeBpf("BpfLoopbackTest");
        try (BpfCapabilityProbe probe = BpfCapabilityProbe.open(BpfCapabilityProbe.Options.defaults(SmcPolicy.allowAll()))) {
            var net = new io.smcj.transport.tcp.stream.NioTcpNetwork(probe);
            InetSocketAddress lo = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
            var congested = net.listen(lo, true);
            var other = net.listen(lo, true);
            try {
                assertTrue(congested.setSmcHsCongested(true));
                int port = congested.localAddress().getPort();
                assertTrue(probe.listenerCongested(port));
                try (var c = net.connect(congested.localAddress(), true, java.time.Duration.ofSeconds(5));
                     var s = congested.accept(java.time.Duration.ofSeconds(5))) {
                    assertTrue(c.smcVerdict().optionSent(), c.smcVerdict().toString());
                    assertFalse(c.smcVerdict().peerOption(), c.smcVerdict().toString());
                    assertFalse(c.smcVerdict().smcPossible());
                    assertTrue(s.smcVerdict().peerOption(), s.smcVerdict().toString());
                    assertFalse(s.smcVerdict().smcPossible());
                    assertTrue(s.smcVerdict().reason().contains("limit_smc_hs"), s.smcVerdict().reason());
                }
                try (var c = net.connect(other.localAddress(), true, java.time.Duration.ofSeconds(5));
                     var s = other.accept(java.time.Duration.ofSeconds(5))) {
                    assertTrue(c.smcVerdict().smcPossible(), c.smcVerdict().toString());
                    assertTrue(s.smcVerdict().smcPossible(), s.smcVerdict().toString());
                }
                assertTrue(congested.setSmcHsCongested(false));
                try (var c = net.connect(congested.localAddress(), true, java.time.Duration.ofSeconds(5));
                     var s = congested.accept(java.time.Duration.ofSeconds(5))) {
                    assertTrue(c.smcVerdict().smcPossible(), c.smcVerdict().toString());
                    assertTrue(s.smcVerdict().smcPossible(), s.smcVerdict().toString());
                }
                assertTrue(congested.setSmcHsCongested(true));
            } finally {
                int port = congested.localAddress().getPort();
                congested.close();
                other.close();
                assertFalse(probe.listenerCongested(port), "close resets the port's switch");
            }
        }
    }

    @Test
    void rejectedProgramReportsTheVerifierLog() {
        Prerequisites.assumeBpf("BpfLoopbackTest");
        // returns the context pointer: the verifier refuses, and says why
        byte[] bad = new BpfAssembler().movReg(BpfAssembler.R0, BpfAssembler.R1).exit().assemble().bytes(java.util.Map.of());
        BpfException e = org.junit.jupiter.api.Assertions.assertThrows(BpfException.class,
                () -> Bpf.progLoad(Bpf.PROG_TYPE_SOCK_OPS, bad, "GPL", "smcj_bad", Bpf.ATTACH_CGROUP_SOCK_OPS));
        assertEquals(22, e.errno());
        assertTrue(e.verifierLog() != null && e.verifierLog().contains("R0"), String.valueOf(e.verifierLog()));
        assertTrue(e.getMessage().contains("verifier log:"), e.getMessage());
    }

    @Test
    void javaSideEnforcementKeepsTheOptionButVerdictFallsBackNamingTheRule() throws Exception {
        Prerequisites.assumeBpf("BpfLoopbackTest");
        SmcPolicy policy = SmcPolicy.parse("dst 127.0.0.0/8 off; dst default on");
        try (BpfCapabilityProbe probe = BpfCapabilityProbe.open(new BpfCapabilityProbe.Options(policy,
                io.smcj.transport.tcp.PolicyEnforcement.JAVA, true, java.util.List.of(), 64))) {
            try (ServerSocketChannel ss = ServerSocketChannel.open()) {
                ss.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                try (SocketChannel c = SocketChannel.open(ss.getLocalAddress()); SocketChannel s = ss.accept()) {
                    SmcOptionVerdict cv = probe.verdict((InetSocketAddress) c.getLocalAddress(),
                            (InetSocketAddress) c.getRemoteAddress(), SmcRole.CLIENT);
                    assertTrue(cv.optionSent() && cv.peerOption(), cv.toString()); // no policy code in the program
                    assertFalse(cv.smcPossible(), cv.toString());
                    assertTrue(cv.reason().contains("enforced in Java"), cv.reason());
                    assertEquals(1, cv.policy().prefixRule());
                    SmcOptionVerdict sv = probe.verdict((InetSocketAddress) s.getLocalAddress(),
                            (InetSocketAddress) s.getRemoteAddress(), SmcRole.SERVER);
                    assertTrue(sv.smcPossible(), sv.toString()); // server: destination rules do not apply
                }
            }
        }
    }
}
