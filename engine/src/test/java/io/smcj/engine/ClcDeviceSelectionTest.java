package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Gid;
import io.smcj.protocol.PeerId;
import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimPortConfig;
import io.smcj.transport.rdma.GidType;
import io.smcj.transport.tcp.stream.InterfaceInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Device, port, GID and IP prefix choice from the CLC socket's net device, end to end on the
 * simulator (hosts whose TCP knows its interfaces): IPv6 CLC with IPv6 prefixes, IPv4 prefixes
 * from the interface, multi-port hosts, GID types per version, the v2 route rule, and the decline
 * codes when nothing matches.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClcDeviceSelectionTest {
    static final SmcConfig V1 = SmcConfig.builder().v2Enabled(false).build();
    static final SmcConfig V2 = SimPair.v2Config();

    static InetAddress ip(String s) {
        return SimPair.ip(s);
    }

    static byte[] mac(int a, int b) {
        return new byte[] {2, 0, 0, 0, (byte) a, (byte) b};
    }

    /** A one-port RoCE device on {@code netdev} with these addresses/prefix lengths. */
    static SimDeviceConfig dev(String name, String netdev, byte[] mac, List<String> ips, List<Integer> lens) {
        return new SimDeviceConfig(name, List.of(new SimPortConfig(netdev, mac, 1500,
                ips.stream().map(ClcDeviceSelectionTest::ip).toList(), lens)));
    }

    static SimHosts.Host host(SmcConfig cfg, SimDeviceConfig... devs) {
        return new SimHosts.Host(List.of(devs), List.of(), cfg);
    }

    static Exchange.Result exchange(SimHosts h, String serverIp) throws Exception {
        InetSocketAddress addr = new InetSocketAddress(ip(serverIp), 5000);
        try (SmcServerSocket ss = h.server.listen(addr)) {
            return Exchange.run(h.client, ss, addr, 100_000, 70_000);
        }
    }

    static void assertFallback(SmcStatus s, DeclineCode code, int peerDiag) {
        assertFalse(s.smc(), s.toString());
        assertEquals(code, s.fallbackReason(), s.toString());
        assertEquals(peerDiag, s.peerDiagnosis(), s.toString());
    }

    static String line(SimHosts h, String side, String what) {
        return h.trace.stream().filter(l -> l.startsWith(side) && l.contains(what)).findFirst()
                .orElseThrow(() -> new AssertionError("no trace line " + side + " " + what + " in " + h.trace));
    }

    @Test
    void v1OverIpv6WithMatchingPrefixes() throws Exception {
        // SMC-R v2 needs an AF_INET CLC socket: over IPv6 the client offers v1 only, with the
        // device's global IPv6 prefixes (link-local skipped) and the RoCE v1 GID
        SimDeviceConfig s = dev("srv0", "eth0", mac(0, 1), List.of("fe80::1", "fd00:1::1", "10.0.0.1"), List.of(64, 64, 24));
        SimDeviceConfig c = dev("cli0", "eth0", mac(0, 2), List.of("fe80::2", "fd00:1::2", "2001:db8:5::2", "10.0.0.2"),
                List.of(64, 64, 48, 24));
        try (SimHosts h = new SimHosts(host(V2, s), host(V2, c))) {
            Exchange.Result r = exchange(h, "fd00:1::1");
            assertTrue(r.client().smc(), r.client().toString());
            assertEquals(1, r.client().version());
            assertEquals(1, r.server().version());
            String proposal = line(h, "client -> CLC PROPOSAL", "");
            assertTrue(proposal.contains("typev2=N"), proposal);
            assertTrue(proposal.contains("prefix=fd00:1::/64,2001:db8:5::/48"), proposal);
            LinkGroup lgr = SimHosts.onlyLinkGroup(h.server);
            assertEquals(GidType.ROCE_V1, lgr.device.gidEntry.type());
            assertEquals(GidType.ROCE_V1, SimHosts.onlyLinkGroup(h.client).device.gidEntry.type());
        }
    }

    @Test
    void v1OverIpv6WithOtherPrefixesDeclinesDiffPrefix() throws Exception {
        // same addresses, the client's prefix is a /56: smc_clc_prfx_match6_rcu needs the same length
        SimDeviceConfig s = dev("srv0", "eth0", mac(0, 1), List.of("fd00:1::1"), List.of(64));
        SimDeviceConfig c = dev("cli0", "eth0", mac(0, 2), List.of("fd00:1::2"), List.of(56));
        try (SimHosts h = new SimHosts(host(V2, s), host(V2, c))) {
            Exchange.Result r = exchange(h, "fd00:1::1");
            assertFallback(r.server(), DeclineCode.DIFFPREFIX, 0);
            assertFallback(r.client(), DeclineCode.PEERDECL, DeclineCode.DIFFPREFIX.value());
        }
    }

    @Test
    void ipv4PrefixComesFromTheInterfaceNotTheConfiguredLength() throws Exception {
        // /16 on both sides; the configured fallback (/24) is not used when the interface is known
        SimDeviceConfig s = dev("srv0", "eth0", mac(0, 1), List.of("10.7.0.1"), List.of(16));
        SimDeviceConfig c = dev("cli0", "eth0", mac(0, 2), List.of("10.7.9.2"), List.of(16));
        try (SimHosts h = new SimHosts(host(V1, s), host(V1, c))) {
            Exchange.Result r = exchange(h, "10.7.0.1");
            assertTrue(r.server().smc(), r.server().toString());
            assertEquals(1, r.server().version());
            assertTrue(line(h, "client -> CLC PROPOSAL", "").contains("prefix=10.7.0.0/16"), h.trace.toString());
        }
        // one side /24: same subnet start, other length -> DIFFPREFIX (smc_clc_prfx_match4_rcu)
        s = dev("srv0", "eth0", mac(0, 1), List.of("10.7.0.1"), List.of(24));
        c = dev("cli0", "eth0", mac(0, 2), List.of("10.7.0.2"), List.of(16));
        try (SimHosts h = new SimHosts(host(V1, s), host(V1, c))) {
            Exchange.Result r = exchange(h, "10.7.0.1");
            assertFallback(r.server(), DeclineCode.DIFFPREFIX, 0);
        }
    }

    @Test
    void multiPortHostsUseThePortOfTheClcSocketsDevice() throws Exception {
        // both hosts: a device with two ports (eth0, eth1) and a second device on eth2; the CLC
        // connection runs over 10.1.0.0/24 (eth1): both sides must pick port 2 of their first device
        SimDeviceConfig s = new SimDeviceConfig("srvA", List.of(
                new SimPortConfig("eth0", mac(0, 1), 1500, List.of(ip("10.0.0.1"))),
                new SimPortConfig("eth1", mac(1, 1), 1500, List.of(ip("10.1.0.1")))));
        SimDeviceConfig s2 = dev("srvB", "eth2", mac(2, 1), List.of("10.2.0.1"), List.of(24));
        SimDeviceConfig c = new SimDeviceConfig("cliA", List.of(
                new SimPortConfig("eth0", mac(0, 2), 1500, List.of(ip("10.0.0.2"))),
                new SimPortConfig("eth1", mac(1, 2), 1500, List.of(ip("10.1.0.2")))));
        SimDeviceConfig c2 = dev("cliB", "eth2", mac(2, 2), List.of("10.2.0.2"), List.of(24));
        for (SmcConfig cfg : List.of(V1, V2)) {
            try (SimHosts h = new SimHosts(host(cfg, s, s2), host(cfg, c, c2))) {
                Exchange.Result r = exchange(h, "10.1.0.1");
                assertTrue(r.client().smc(), r.client().toString());
                int version = cfg == V1 ? 1 : 2;
                assertEquals(version, r.client().version());
                LinkGroup sl = SimHosts.onlyLinkGroup(h.server);
                LinkGroup cl = SimHosts.onlyLinkGroup(h.client);
                assertEquals("srvA", sl.device.name);
                assertEquals(2, sl.device.port);
                assertEquals("cliA", cl.device.name);
                assertEquals(2, cl.device.port);
                // SMC-R v1: a RoCE v1 GID; v2: the RoCE v2 GID of the IPv4 address
                GidType t = version == 1 ? GidType.ROCE_V1 : GidType.ROCE_V2;
                assertEquals(t, sl.device.gidEntry.type());
                assertEquals(t, cl.device.gidEntry.type());
                if (version == 2) {
                    assertEquals(ip("10.1.0.1"), sl.device.gidEntry.ipAddress());
                    assertEquals(ip("10.1.0.2"), cl.device.gidEntry.ipAddress());
                    String accept = line(h, "server -> CLC ACCEPT", "");
                    assertTrue(accept.contains("v2_direct"), accept);
                    assertTrue(accept.contains("gid=::ffff:10.1.0.1"), accept);
                }
            }
        }
    }

    @Test
    void v2OffLinkPeerIsIndirect() throws Exception {
        // the client's GID address 10.0.0.2 is not on the server's link (10.9.0.0/24): the server
        // reaches it through a gateway (v2_direct 0), the client checks its own route to the
        // server's 10.9.0.1 (through a gateway too) and confirms v2_direct 0; the v1 part of the
        // Proposal had another subnet (DIFFPREFIX remembered, not used since v2 works)
        SimDeviceConfig s = dev("srv0", "eth0", mac(0, 1), List.of("10.9.0.1"), List.of(24));
        SimDeviceConfig c = dev("cli0", "eth0", mac(0, 2), List.of("10.0.0.2"), List.of(24));
        try (SimHosts h = new SimHosts(host(V2, s), host(V2, c))) {
            Exchange.Result r = exchange(h, "10.9.0.1");
            assertTrue(r.client().smc(), r.client().toString());
            assertEquals(2, r.client().version());
            assertTrue(line(h, "server -> CLC ACCEPT", "").contains("v2_indirect"), h.trace.toString());
            assertTrue(line(h, "client -> CLC CONFIRM", "").contains("v2_indirect"), h.trace.toString());
        }
        // the same with SMC-R v1 only: the subnets differ
        try (SimHosts h = new SimHosts(host(V1, s), host(V1, c))) {
            Exchange.Result r = exchange(h, "10.9.0.1");
            assertFallback(r.server(), DeclineCode.DIFFPREFIX, 0);
        }
    }

    @Test
    void serverClcSocketOnADeviceWithoutRocePort() throws Exception {
        // the server's CLC socket is on eth5 (no RoCE port), same subnet as the client: the
        // prefix matches; v2 finds no device (NOSMCRDEV remembered), v1 neither: NOSMCRDEV
        SimDeviceConfig s = dev("srv0", "eth0", mac(0, 1), List.of("10.0.0.1"), List.of(24));
        InterfaceInfo eth5 = new InterfaceInfo("eth5", List.of(new InterfaceInfo.Address(ip("10.5.0.1"), 16)));
        SimDeviceConfig c = dev("cli0", "eth0", mac(0, 2), List.of("10.5.0.2"), List.of(16));
        try (SimHosts h = new SimHosts(new SimHosts.Host(List.of(s), List.of(eth5), V2), host(V2, c))) {
            Exchange.Result r = exchange(h, "10.5.0.1");
            assertFallback(r.server(), DeclineCode.NOSMCRDEV, 0);
            assertFallback(r.client(), DeclineCode.PEERDECL, DeclineCode.NOSMCRDEV.value());
        }
        // v1 only: smc_find_rdma_v1_device_serv answers NOSMCDEV
        try (SimHosts h = new SimHosts(new SimHosts.Host(List.of(s), List.of(eth5), V1), host(V1, c))) {
            Exchange.Result r = exchange(h, "10.5.0.1");
            assertFallback(r.server(), DeclineCode.NOSMCDEV, 0);
        }
    }

    @Test
    void clientClcSocketOnADeviceWithoutRocePortDeclinesNoSmcDev() throws Exception {
        SimDeviceConfig s = dev("srv0", "eth0", mac(0, 1), List.of("10.5.0.1"), List.of(24));
        SimDeviceConfig c = dev("cli0", "eth0", mac(0, 2), List.of("10.0.0.2"), List.of(24));
        InterfaceInfo eth5 = new InterfaceInfo("eth5", List.of(new InterfaceInfo.Address(ip("10.5.0.2"), 24)));
        try (SimHosts h = new SimHosts(host(V2, s), new SimHosts.Host(List.of(c), List.of(eth5), V2))) {
            Exchange.Result r = exchange(h, "10.5.0.1"); // on-link via eth5
            assertFallback(r.client(), DeclineCode.NOSMCDEV, 0);
            assertFallback(r.server(), DeclineCode.PEERDECL, DeclineCode.NOSMCDEV.value());
        }
    }

    @Test
    void v1OnlyClientWithoutPrefixDeclinesCnfErr() throws Exception {
        // IPv6 CLC over a device with only a link-local IPv6 address: smc_clc_prfx_set6_rcu finds
        // no prefix; v2 is impossible over IPv6, so the client declines CNFERR
        SimDeviceConfig s = dev("srv0", "eth0", mac(0, 1), List.of("fe80::1"), List.of(64));
        SimDeviceConfig c = dev("cli0", "eth0", mac(0, 2), List.of("fe80::2"), List.of(64));
        try (SimHosts h = new SimHosts(host(V2, s), host(V2, c))) {
            Exchange.Result r = exchange(h, "fe80::1");
            assertFallback(r.client(), DeclineCode.CNFERR, 0);
            assertFallback(r.server(), DeclineCode.PEERDECL, DeclineCode.CNFERR.value());
        }
    }

    @Test
    void v2OnlyProposalHasNoPrefixAreaAndAZeroLocalArea() throws Exception {
        // v1 disabled on the client: typev1=N, no prefix area, zero system id/GID/MAC
        SimDeviceConfig s = dev("srv0", "eth0", mac(0, 1), List.of("10.0.0.1"), List.of(24));
        SimDeviceConfig c = dev("cli0", "eth0", mac(0, 2), List.of("10.0.0.2"), List.of(24));
        SmcConfig v2only = SmcConfig.builder().v1Enabled(false).addUeid("SMCJ-TEST").build();
        try (SimHosts h = new SimHosts(host(V2, s), host(v2only, c))) {
            Exchange.Result r = exchange(h, "10.0.0.1");
            assertTrue(r.client().smc(), r.client().toString());
            String proposal = line(h, "client -> CLC PROPOSAL", "");
            assertTrue(proposal.contains("typev1=N"), proposal);
            assertFalse(proposal.contains("prefix="), proposal);
            // Linux 6.12 leaves the local area zero when v1 is not offered
            assertTrue(proposal.contains("peer=" + PeerId.ZERO + " gid=" + Gid.ZERO), proposal);
            assertNotNull(SimHosts.onlyLinkGroup(h.client));
            // the server finds the group again by the peer's v2 GID (smcr_lgr_match), not the zero id
            Exchange.Result again = exchange(h, "10.0.0.1");
            assertTrue(again.server().smc(), again.server().toString());
            assertFalse(again.server().toString().contains("first contact"), again.server().toString());
            assertEquals(1, h.server.lgrs.size());
        }
    }
}
