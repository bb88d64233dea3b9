package io.smcj.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.protocol.DeclineCode;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrustedPeersProbeTest {
    private static InetSocketAddress sa(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void trustedPeersAreCapableOthersFallBack() throws Exception {
        TrustedPeersProbe p = new TrustedPeersProbe(List.of(InetAddress.getByName("10.0.0.2")),
                SmcPolicy.parse("port 7000 off"), null);
        SmcOptionVerdict ok = p.verdict(sa("10.0.0.1", 40000), sa("10.0.0.2", 5000), SmcRole.CLIENT);
        assertTrue(ok.smcPossible(), ok.toString());
        assertEquals(Optional.empty(), ok.fallbackCode());
        // IPv4-mapped form of a trusted IPv4 peer
        assertTrue(p.verdict(sa("::1", 40000), sa("::ffff:10.0.0.2", 5000), SmcRole.CLIENT).smcPossible());
        SmcOptionVerdict stranger = p.verdict(sa("10.0.0.1", 40000), sa("10.0.0.3", 5000), SmcRole.CLIENT);
        assertFalse(stranger.smcPossible());
        assertEquals(Optional.of(DeclineCode.PEERNOSMC), stranger.fallbackCode());
        SmcOptionVerdict denied = p.verdict(sa("10.0.0.1", 7000), sa("10.0.0.2", 5000), SmcRole.SERVER);
        assertFalse(denied.smcPossible());
        assertTrue(denied.toString().contains("port rule #1 (7000 off)"), denied.toString());
        assertEquals(SmcCapabilityProbe.Kind.TRUSTED, p.kind());
    }

    @Test
    void trustedAndSimulatedAreChosenDirectly() {
        List<String> notices = new ArrayList<>();
        SmcCapabilityProbe trusted = SmcCapabilityProbes.open(new SmcCapabilityProbes.Config(SmcCapabilityProbe.Kind.TRUSTED,
                SmcCapabilityProbe.Kind.TRUSTED, List.of(), null, PolicyEnforcement.JAVA, null), notices::add);
        assertEquals(SmcCapabilityProbe.Kind.TRUSTED, trusted.kind());
        SmcCapabilityProbe fake = new SmcCapabilityProbe() {
            @Override
            public Kind kind() {
                return Kind.SIMULATED;
            }

            @Override
            public SmcOptionVerdict verdict(InetSocketAddress l, InetSocketAddress r, SmcRole role) {
                throw new UnsupportedOperationException();
            }
        };
        assertSame(fake, SmcCapabilityProbes.open(new SmcCapabilityProbes.Config(SmcCapabilityProbe.Kind.SIMULATED,
                SmcCapabilityProbe.Kind.TRUSTED, List.of(), null, PolicyEnforcement.JAVA, () -> fake), notices::add));
        assertTrue(notices.isEmpty());
    }

    @Test
    void bpfUnavailableSaysSoOnceAndUsesTheAlternative() throws Exception {
        List<String> notices = new ArrayList<>();
        SmcCapabilityProbes.Config c = new SmcCapabilityProbes.Config(SmcCapabilityProbe.Kind.BPF,
                SmcCapabilityProbe.Kind.TRUSTED, List.of(InetAddress.getByName("10.9.9.9")), null, PolicyEnforcement.BPF,
                null);
        SmcCapabilityProbe a = SmcCapabilityProbes.openWithCause(c, notices::add, "test: no cgroup2 (forced)");
        SmcCapabilityProbe b = SmcCapabilityProbes.openWithCause(c, notices::add, "test: no cgroup2 (forced)");
        assertEquals(SmcCapabilityProbe.Kind.TRUSTED, a.kind());
        assertEquals(SmcCapabilityProbe.Kind.TRUSTED, b.kind());
        assertEquals(1, notices.size(), notices.toString());
        assertEquals("smcj: cannot put the SMC TCP option on the wire: BPF unavailable (test: no cgroup2 (forced));"
                + " using TRUSTED smcj peers [10.9.9.9] (all others fall back to TCP)", notices.getFirst());
        assertTrue(a.verdict(sa("10.0.0.1", 1), sa("10.9.9.9", 2), SmcRole.CLIENT).reason().contains("no cgroup2"));
    }
}
