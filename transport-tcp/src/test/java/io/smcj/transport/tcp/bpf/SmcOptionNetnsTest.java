package io.smcj.transport.tcp.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.transport.tcp.SmcOptionVerdict;
import io.smcj.transport.tcp.SmcRole;
import io.smcj.transport.tcp.SmcTcpOption;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Client in namespace B, server in namespace A, joined by a veth pair; SYN cookies forced on in
 * A (tcp_syncookies=2); tcpdump on A's veth end. Every case checks the exact option bytes in the
 * captured SYN and SYN-ACK and that each side's BPF verdict says the same as the capture.
 *
 * <p>"With option" means the socket was created while the JVM was in the cgroup of a
 * {@link BpfCapabilityProbe}; "without" means outside any (plain kernel TCP, no option).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmcOptionNetnsTest {
    enum Family { IPV4, IPV6, IPV4_MAPPED }

    enum Combo {
        BOTH(true, true), CLIENT_ONLY(true, false), SERVER_ONLY(false, true), NEITHER(false, false);

        final boolean client;
        final boolean server;

        Combo(boolean client, boolean server) {
            this.client = client;
            this.server = server;
        }
    }

    private static final AtomicInteger PORTS = new AtomicInteger(21000);
    private NetNs ns;
    private Path dir;
    private Capture capture;
    private final List<BpfCapabilityProbe> probes = new ArrayList<>();
    private BpfCapabilityProbe clientProbe;
    private BpfCapabilityProbe serverProbe;
    private long cookiesBefore;

    @BeforeAll
    void setUp() throws Exception {
        Prerequisites.assumeBpf("SmcOptionNetnsTest");
        Prerequisites.assumeCommand("SmcOptionNetnsTest", "ip");
        Prerequisites.assumeCommand("SmcOptionNetnsTest", "tcpdump");
        ns = new NetNs();
        ns.exec(ns.a, "sysctl", "-qw", "net.ipv4.tcp_syncookies=2");
        cookiesBefore = syncookiesSent();
        dir = Files.createTempDirectory("smcj-netns");
        capture = new Capture(ns.a, ns.vethA, dir.resolve("a.pcap"));
        clientProbe = probe(SmcPolicy.allowAll(), List.of());
        serverProbe = probe(SmcPolicy.allowAll(), List.of());
    }

    private BpfCapabilityProbe probe(SmcPolicy policy, List<BpfAssembler.Program> before) {
        BpfCapabilityProbe p = BpfCapabilityProbe.open(BpfCapabilityProbe.Options.defaults(policy)
                .withEnterCgroup(false).withAttachBefore(before));
        probes.add(p);
        return p;
    }

    @AfterAll
    void tearDown() throws Exception {
        if (capture != null) {
            capture.close();
        }
        for (BpfCapabilityProbe p : probes) {
            p.close();
        }
        for (BpfCapabilityProbe p : probes) {
            assertFalse(Files.exists(p.cgroup().path()), "cgroup left behind: " + p.cgroup().path());
        }
        if (ns != null) {
            ns.close();
        }
        if (dir != null) {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    if (System.getProperty("smcj.keep.pcap") != null) {
                        Files.copy(p, Path.of(System.getProperty("smcj.keep.pcap")),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private long syncookiesSent() throws Exception {
        for (String line : ns.exec(ns.a, "nstat", "-az", "TcpExtSyncookiesSent").split("\n")) {
            if (line.startsWith("TcpExtSyncookiesSent")) {
                return Long.parseLong(line.trim().split("\\s+")[1]);
            }
        }
        throw new AssertionError("no TcpExtSyncookiesSent counter");
    }

    /** One connection's outcome: captured SYN and SYN-ACK plus both verdicts (null when that side had no probe). */
    record Outcome(Pcap.TcpSegment syn, Pcap.TcpSegment synAck, SmcOptionVerdict client, SmcOptionVerdict server) {
    }

    private static <T> T inCgroup(BpfCapabilityProbe p, java.util.concurrent.Callable<T> c) throws Exception {
        if (p == null) {
            return c.call();
        }
        p.enter();
        try {
            return c.call();
        } finally {
            p.leave();
        }
    }

    Outcome connect(Family family, BpfCapabilityProbe client, BpfCapabilityProbe server) throws Exception {
        int port = PORTS.getAndIncrement();
        ProtocolFamily serverFamily = family == Family.IPV4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        ProtocolFamily clientFamily = family == Family.IPV4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        InetSocketAddress bind = switch (family) {
            case IPV4 -> new InetSocketAddress(InetAddress.getByName(NetNs.V4_A), port);
            case IPV6 -> new InetSocketAddress(InetAddress.getByName(NetNs.V6_A), port);
            case IPV4_MAPPED -> new InetSocketAddress(InetAddress.getByName("::"), port); // dual-stack listener
        };
        InetSocketAddress target = new InetSocketAddress(
                InetAddress.getByName(family == Family.IPV6 ? NetNs.V6_A : NetNs.V4_A), port);
        try (ServerSocketChannel ss = NetNs.inNs(ns.a, () -> inCgroup(server, () -> {
            ServerSocketChannel s = ServerSocketChannel.open(serverFamily);
            s.bind(bind);
            return s;
        }))) {
            try (SocketChannel c = NetNs.inNs(ns.b, () -> inCgroup(client, () -> SocketChannel.open(clientFamily)))) {
                assertTrue(c.connect(target)); // blocking: returns once established
                try (SocketChannel s = ss.accept()) {
                    InetSocketAddress cl = (InetSocketAddress) c.getLocalAddress();
                    InetSocketAddress sl = (InetSocketAddress) s.getLocalAddress();
                    InetSocketAddress sr = (InetSocketAddress) s.getRemoteAddress();
                    if (family == Family.IPV4_MAPPED) {
                        assertTrue(((InetSocketAddress) c.getRemoteAddress()).getAddress() instanceof java.net.Inet4Address);
                    }
                    SmcOptionVerdict cv = client == null ? null
                            : client.verdict(cl, (InetSocketAddress) c.getRemoteAddress(), SmcRole.CLIENT);
                    SmcOptionVerdict sv = server == null ? null : server.verdict(sl, sr, SmcRole.SERVER);
                    Pcap.TcpSegment syn = capture.await(t -> t.isSyn() && t.dstPort() == port && t.srcPort() == cl.getPort(),
                            "SYN to port " + port);
                    Pcap.TcpSegment synAck = capture.await(t -> t.isSynAck() && t.srcPort() == port
                            && t.dstPort() == cl.getPort(), "SYN-ACK from port " + port);
                    return new Outcome(syn, synAck, cv, sv);
                }
            }
        }
    }

    static boolean hasSmcOption(Pcap.TcpSegment s) {
        List<byte[]> exp = s.optionsOfKind(SmcTcpOption.KIND);
        for (byte[] o : exp) {
            assertArrayEquals(SmcTcpOption.bytes(), o, "an experimental option 254 that is not exactly ours: " + s);
        }
        assertTrue(exp.size() <= 1, "option twice: " + s);
        return exp.size() == 1;
    }

    @ParameterizedTest(name = "{0} {1}")
    @EnumSource(Family.class)
    void optionOnTheWireMatchesTheVerdictsInAllCombinations(Family family) throws Exception {
        for (Combo combo : Combo.values()) {
            Outcome o = connect(family, combo.client ? clientProbe : null, combo.server ? serverProbe : null);
            String ctx = family + " " + combo + ": " + o;
            assertEquals(combo.client, hasSmcOption(o.syn()), "SYN option, " + ctx);
            assertEquals(combo.client && combo.server, hasSmcOption(o.synAck()), "SYN-ACK option, " + ctx);
            if (combo.client) {
                assertEquals(hasSmcOption(o.syn()), o.client().optionSent(), ctx);
                assertEquals(hasSmcOption(o.synAck()), o.client().peerOption(), ctx);
                assertEquals(combo.server, o.client().smcPossible(), ctx);
            }
            if (combo.server) {
                assertEquals(hasSmcOption(o.syn()), o.server().peerOption(), ctx);
                assertEquals(hasSmcOption(o.synAck()), o.server().optionSent(), ctx);
                assertEquals(combo.client, o.server().smcPossible(), ctx);
            }
        }
        assertTrue(syncookiesSent() > cookiesBefore, "server namespace answered with SYN cookies");
    }

    @ParameterizedTest
    @EnumSource(value = Family.class, names = {"IPV4", "IPV6"})
    void optionSpaceFullEndsInFallbackNotAHang(Family family) throws Exception {
        BpfCapabilityProbe crowded = probe(SmcPolicy.allowAll(), List.of(OptionSpaceFiller.generate()));
        Outcome o = connect(family, crowded, serverProbe);
        assertFalse(hasSmcOption(o.syn()), o.toString());
        assertFalse(hasSmcOption(o.synAck()), o.toString());
        assertTrue(o.client().toString().contains("option space full"), o.client().toString());
        assertFalse(o.client().smcPossible());
        assertFalse(o.server().smcPossible());
        assertFalse(o.server().peerOption());
    }

    @Test
    void clientPrefixPolicyInBpfAndWithPortRules() throws Exception {
        // dst 10.231.7.0/24 off, default on: IPv4 peer gets no option, IPv6 peer does (AND with port default on)
        BpfCapabilityProbe p = probe(SmcPolicy.parse("dst 10.231.7.0/24 off; dst default on"), List.of());
        Outcome v4 = connect(Family.IPV4, p, serverProbe);
        assertFalse(hasSmcOption(v4.syn()), v4.toString());
        assertFalse(v4.client().smcPossible());
        assertEquals(1, v4.client().policy().prefixRule());
        assertTrue(v4.client().toString().contains("dst rule #1 (10.231.7.0/24 off)"), v4.client().toString());
        assertFalse(v4.server().peerOption());
        // the same rule also matches the IPv4-mapped form
        Outcome mapped = connect(Family.IPV4_MAPPED, p, serverProbe);
        assertFalse(hasSmcOption(mapped.syn()), mapped.toString());
        Outcome v6 = connect(Family.IPV6, p, serverProbe);
        assertTrue(hasSmcOption(v6.syn()), v6.toString());
        assertTrue(v6.client().smcPossible(), v6.toString());
        assertEquals(0, v6.client().policy().prefixRule());

        // AND: destination on, but every local port off -> no option
        BpfCapabilityProbe portsOff = probe(SmcPolicy.parse("port default off; dst fd53:6d63:7a::/48 on"), List.of());
        Outcome and = connect(Family.IPV6, portsOff, serverProbe);
        assertFalse(hasSmcOption(and.syn()), and.toString());
        assertTrue(and.client().policy().description().contains("port default (off) AND dst rule #1"),
                and.client().policy().description());
    }

    @Test
    void serverPortPolicyInBpfSuppressesTheEcho() throws Exception {
        int next = PORTS.get();
        BpfCapabilityProbe p = probe(SmcPolicy.parse("port " + next + " off; port default on"), List.of());
        Outcome off = connect(Family.IPV4, clientProbe, p); // uses port 'next'
        assertTrue(hasSmcOption(off.syn()), off.toString());
        assertFalse(hasSmcOption(off.synAck()), off.toString());
        assertTrue(off.server().peerOption(), "server saw the client's option: " + off.server());
        assertFalse(off.server().optionSent());
        assertFalse(off.server().smcPossible());
        assertEquals(1, off.server().policy().portRule());
        assertTrue(off.server().toString().contains("port rule #1 (" + next + " off)"), off.server().toString());
        assertFalse(off.client().smcPossible());
        Outcome on = connect(Family.IPV6, clientProbe, p); // another port: default on
        assertTrue(hasSmcOption(on.synAck()), on.toString());
        assertTrue(on.server().smcPossible());
        assertEquals(0, on.server().policy().portRule());
    }

    /**
     * {@code limit_smc_hs}: the server probe's per-port congestion switch keeps the option off the
     * SYN-ACK (under SYN cookies too) although the SYN carried it; both verdicts fall back, the
     * server's names the congestion. Switched off again, the port echoes the option.
     */
    @Test
    void congestedListenerPortLeavesTheOptionOffItsSynAck() throws Exception {
        int port = PORTS.get(); // the port the next connect() listens on
        serverProbe.setListenerCongested(port, true);
        try {
            Outcome o = connect(Family.IPV4, clientProbe, serverProbe);
            assertEquals(port, o.syn().dstPort());
            assertTrue(hasSmcOption(o.syn()), o.toString());
            assertFalse(hasSmcOption(o.synAck()), o.toString());
            assertTrue(o.server().peerOption(), o.server().toString());
            assertFalse(o.server().optionSent());
            assertFalse(o.server().smcPossible());
            assertTrue(o.server().reason().contains("limit_smc_hs") && o.server().reason().contains("HS_CONGESTED"),
                    o.server().reason());
            assertTrue(o.client().optionSent());
            assertFalse(o.client().peerOption());
            assertFalse(o.client().smcPossible());
        } finally {
            serverProbe.setListenerCongested(port, false);
        }
        int next = PORTS.get();
        serverProbe.setListenerCongested(next, true);
        serverProbe.setListenerCongested(next, false);
        assertFalse(serverProbe.listenerCongested(next));
        Outcome on = connect(Family.IPV6, clientProbe, serverProbe);
        assertTrue(hasSmcOption(on.synAck()), on.toString());
        assertTrue(on.client().smcPossible() && on.server().smcPossible(), on.toString());
    }

    /**
     * A real middlebox: netfilter's TCPOPTSTRIP in the server's namespace removes option 254 from
     * incoming SYNs (after tcpdump saw them). The server never sees the option, so it does not echo
     * it; both verdicts say fallback and the connection still completes.
     */
    @ParameterizedTest
    @EnumSource(value = Family.class, names = {"IPV4", "IPV6"})
    void middleboxStrippingTheOptionEndsInFallback(Family family) throws Exception {
        Prerequisites.assumeCommand("SmcOptionNetnsTest.middlebox", "iptables");
        int port = PORTS.get();
        String tool = family == Family.IPV6 ? "ip6tables" : "iptables";
        String[] rule = {"-p", "tcp", "--dport", Integer.toString(port), "-j", "TCPOPTSTRIP", "--strip-options", "254"};
        java.util.List<String> add = new java.util.ArrayList<>(List.of(tool, "-t", "mangle", "-A", "PREROUTING"));
        add.addAll(List.of(rule));
        ns.exec(ns.a, add.toArray(String[]::new));
        try {
            Outcome o = connect(family, clientProbe, serverProbe);
            assertEquals(port, o.syn().dstPort());
            assertTrue(hasSmcOption(o.syn()), "captured before the middlebox: " + o.syn());
            assertFalse(hasSmcOption(o.synAck()), o.synAck().toString());
            assertTrue(o.client().optionSent());
            assertFalse(o.client().peerOption());
            assertFalse(o.client().smcPossible());
            assertTrue(o.client().reason().contains("middlebox stripped it"), o.client().reason());
            assertFalse(o.server().peerOption(), o.server().toString());
            assertFalse(o.server().smcPossible());
        } finally {
            add.set(3, "-D");
            ns.exec(ns.a, add.toArray(String[]::new));
        }
    }

    /** tshark's dissector and the test's pcap reader agree on every SYN and SYN-ACK captured so far. */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void tsharkAgreesWithTheTestsPcapReader() throws Exception {
        Prerequisites.assumeCommand("SmcOptionNetnsTest.tshark", "tshark");
        connect(Family.IPV4, clientProbe, serverProbe);
        connect(Family.IPV6, clientProbe, null);
        Path copy = dir.resolve("copy.pcap");
        Files.copy(dir.resolve("a.pcap"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String out = NetNs.run("tshark", "-n", "-r", copy.toString(), "-Y", "tcp.flags.syn==1", "-T", "fields",
                "-E", "separator=;", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.ack",
                "-e", "tcp.options.experimental.exid", "-e", "tcp.options.experimental.data");
        java.util.Map<String, Boolean> tshark = new java.util.HashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split(";", -1);
            if (f.length != 5 || !f[0].matches("\\d+")) {
                continue; // tshark's own notices
            }
            boolean smc = f[3].equalsIgnoreCase("0xe2d4") && f[4].equalsIgnoreCase("c3d9");
            assertTrue(smc || f[3].isEmpty(), "unexpected experimental option: " + line);
            tshark.put(f[0] + ">" + f[1] + (f[2].equals("1") || f[2].equalsIgnoreCase("true") ? " SA" : " S"), smc);
        }
        int compared = 0;
        int withOption = 0;
        for (Pcap.TcpSegment seg : Pcap.read(copy)) {
            if (!seg.isSyn() && !seg.isSynAck()) {
                continue;
            }
            String k = seg.srcPort() + ">" + seg.dstPort() + (seg.isSynAck() ? " SA" : " S");
            assertTrue(tshark.containsKey(k), "tshark did not list " + seg + "\n" + out);
            assertEquals(tshark.get(k), hasSmcOption(seg), k);
            compared++;
            withOption += hasSmcOption(seg) ? 1 : 0;
        }
        assertTrue(compared >= 4 && withOption >= 2, compared + " compared, " + withOption + " with option");
    }
}
