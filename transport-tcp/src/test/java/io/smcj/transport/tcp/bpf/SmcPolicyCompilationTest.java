package io.smcj.transport.tcp.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smcj.transport.tcp.SmcRole;
import io.smcj.transport.tcp.policy.PolicyDecision;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The policy checks generated into the BPF program decide exactly like {@link SmcPolicy#decide}. */
class SmcPolicyCompilationTest {
    private static final List<Integer> PORTS = List.of(0, 1, 79, 80, 81, 443, 8080, 8081, 9000, 9100, 65535);
    private static final String[] V4 = {"10.0.0.0", "10.1.2.3", "10.1.255.255", "192.168.7.1", "128.0.0.1", "0.0.0.0",
        "255.255.255.255"};
    private static final String[] V6 = {"fd00::", "fd00::1", "fd53:6d63:7a::2", "2001:db8::ffff", "8000::", "::", "::1",
        "ffff:ffff::"};

    @Property
    void bpfChecksEqualJavaDecision(@ForAll("policies") SmcPolicy policy, @ForAll("ports") int port,
            @ForAll("addresses") InetAddress remote, @ForAll boolean client) throws Exception {
        SmcRole role = client ? SmcRole.CLIENT : SmcRole.SERVER;
        PolicyDecision java = policy.decide(role, port, remote);
        MiniInterpreter vm = new MiniInterpreter();
        vm.putStack(SmcSockOpsProgram.KEY, BpfCapabilityProbe.key(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                new InetSocketAddress(remote, 4242)));
        vm.run(SmcSockOpsProgram.policyOnly(policy, client).insns());
        SmcOptionRecord rec = new SmcOptionRecord((int) vm.r[8], (int) vm.r[9]);
        String ctx = policy + " / " + role + " port " + port + " to " + remote;
        assertEquals(!java.enabled(), rec.has(SmcOptionRecord.POLICY_DENIED), ctx);
        assertEquals(java.portRule(), rec.portRule(), ctx);
        assertEquals(java.prefixRule(), rec.prefixRule(), ctx);
        assertEquals(java, policy.explain(rec.portRule(), rec.prefixRule()), ctx);
    }

    @Provide
    Arbitrary<Integer> ports() {
        return Arbitraries.oneOf(Arbitraries.of(PORTS),
                Arbitraries.integers().between(0, 65535));
    }

    @Provide
    Arbitrary<InetAddress> addresses() {
        List<String> all = new ArrayList<>(List.of(V4));
        all.addAll(List.of(V6));
        all.add("::ffff:10.1.2.3");
        Arbitrary<InetAddress> known = Arbitraries.of(all).map(SmcPolicyCompilationTest::addr);
        Arbitrary<InetAddress> random4 = Arbitraries.bytes().array(byte[].class).ofSize(4).map(SmcPolicyCompilationTest::addr);
        Arbitrary<InetAddress> random6 = Arbitraries.bytes().array(byte[].class).ofSize(16).map(SmcPolicyCompilationTest::addr);
        return Arbitraries.oneOf(known, random4, random6);
    }

    @Provide
    Arbitrary<SmcPolicy> policies() {
        Arbitrary<SmcPolicy.PortRule> portRule = Combinators.combine(Arbitraries.of(PORTS),
                Arbitraries.integers().between(0, 1200), Arbitraries.of(true, false))
                .as((from, width, on) -> new SmcPolicy.PortRule(from, Math.min(65535, from + (width > 1000 ? 0 : width)), on));
        Arbitrary<SmcPolicy.PrefixRule> prefixRule = Combinators.combine(Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 128), Arbitraries.of(true, false))
                .as((v4, idx, len, on) -> {
                    String base = v4 ? V4[idx % V4.length] : V6[idx % V6.length];
                    int max = v4 ? 32 : 128;
                    int l = len % (max + 1);
                    byte[] raw = addr(base).getAddress();
                    for (int bit = l; bit < raw.length * 8; bit++) {
                        raw[bit >> 3] &= (byte) ~(0x80 >> (bit & 7));
                    }
                    return SmcPolicy.PrefixRule.parse(addr(raw).getHostAddress() + "/" + l, on);
                });
        return Combinators.combine(portRule.list().ofMaxSize(4), Arbitraries.of(true, false),
                prefixRule.list().ofMaxSize(4), Arbitraries.of(true, false)).as(SmcPolicy::new);
    }

    private static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetAddress addr(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
