package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.clc.ClcProposal;
import io.smcj.clc.RawBytes;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Gid;
import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.simulator.SimPortConfig;
import io.smcj.transport.rdma.GidType;
import io.smcj.transport.tcp.stream.InterfaceInfo;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kernel's prefix and device/GID rules as pure functions ({@code smc_clc_prfx_*}, {@code smc_ib_determine_gid}). */
class DeviceSelectionTest {

    static InetAddress ip(String s) {
        return SimPair.ip(s);
    }

    static InterfaceInfo.Address a(String ip, int len) {
        return new InterfaceInfo.Address(ip(ip), len);
    }

    static InterfaceInfo ifc(String name, InterfaceInfo.Address... as) {
        return new InterfaceInfo(name, List.of(as));
    }

    @Test
    void ipv4PrefixIsTheSubnetOfTheAddressHoldingTheSourceAddress() {
        // smc_clc_prfx_set4_rcu: the first ifa whose subnet holds the address, its mask
        InterfaceInfo eth0 = ifc("eth0", a("192.168.7.9", 16), a("10.1.2.3", 24), a("fd00::1", 64));
        ClcProposal.IpPrefix p = DeviceSelection.proposalPrefix(ip("10.1.2.3"), eth0);
        assertEquals("10.1.2.0", p.outgoingSubnetText());
        assertEquals(24, p.prefixLen());
        assertTrue(p.ipv6Prefixes().isEmpty());
        // IPv4-mapped IPv6 source address: the IPv4 rule (peer is IPv4 only)
        ClcProposal.IpPrefix mapped = DeviceSelection.proposalPrefix(ip("::ffff:192.168.200.1"), eth0);
        assertEquals("192.168.0.0", mapped.outgoingSubnetText());
        assertEquals(16, mapped.prefixLen());
        // no ifa holds it: -ENOENT
        assertNull(DeviceSelection.proposalPrefix(ip("172.16.0.1"), eth0));
    }

    @Test
    void ipv6PrefixesAreTheDevicesGlobalOnesUpToEight() {
        List<InterfaceInfo.Address> as = new ArrayList<>();
        as.add(a("fe80::1", 64)); // link-local: skipped
        for (int i = 1; i <= 10; i++) {
            as.add(a("2001:db8:" + i + "::1234:5678", 48 + i));
        }
        ClcProposal.IpPrefix p = DeviceSelection.proposalPrefix(ip("2001:db8:1::1234:5678"), new InterfaceInfo("eth0", as));
        assertEquals(8, p.ipv6Prefixes().size());
        assertEquals(0, p.outgoingSubnet());
        assertEquals(0, p.prefixLen());
        // ipv6_addr_prefix: bits beyond the length are cleared
        assertEquals(Gid.parse("2001:db8:1::"), Gid.of(p.ipv6Prefixes().get(0).prefix().bytes()));
        assertEquals(49, p.ipv6Prefixes().get(0).prefixLen());
        assertEquals(Gid.parse("2001:db8:8::"), Gid.of(p.ipv6Prefixes().get(7).prefix().bytes()));
        // only link-local addresses: -ENOENT
        assertNull(DeviceSelection.proposalPrefix(ip("fe80::1"), ifc("eth0", a("fe80::1", 64), a("10.0.0.1", 24))));
        // a /61 keeps 5 bits of the 8th byte
        byte[] b = DeviceSelection.prefixBytes(ip("2001:db8:ffff:ffff:ffff::").getAddress(), 61);
        assertEquals((byte) 0xf8, b[7]);
        assertEquals(0, b[8]);
    }

    @Test
    void ipv4MatchNeedsTheSamePrefixLengthAndSubnet() {
        InterfaceInfo srv = ifc("eth0", a("10.0.0.1", 24));
        assertTrue(DeviceSelection.prefixMatches(ClcProposal.IpPrefix.ipv4(0x0a000000, 24), srv));
        assertFalse(DeviceSelection.prefixMatches(ClcProposal.IpPrefix.ipv4(0x0a000000, 16), srv));
        assertFalse(DeviceSelection.prefixMatches(ClcProposal.IpPrefix.ipv4(0x0a000100, 24), srv));
        assertTrue(DeviceSelection.prefixMatches(ClcProposal.IpPrefix.ipv4(0x0b000000, 8),
                ifc("eth0", a("10.0.0.1", 24), a("11.9.9.9", 8))));
    }

    @Test
    void ipv6MatchIsAnyGlobalPrefixWithTheSameLength() {
        InterfaceInfo srv = ifc("eth0", a("fe80::1", 64), a("fd00:1:2:3::1", 64), a("10.0.0.1", 24));
        ClcProposal.IpPrefix same = prefix6("fd00:1:2:3::", 64);
        ClcProposal.IpPrefix shorter = prefix6("fd00:1:2::", 48);
        ClcProposal.IpPrefix other = prefix6("fd00:1:2:4::", 64);
        ClcProposal.IpPrefix linkLocal = prefix6("fe80::", 64);
        assertTrue(DeviceSelection.prefixMatches(same, srv));
        assertFalse(DeviceSelection.prefixMatches(shorter, srv));
        assertFalse(DeviceSelection.prefixMatches(other, srv));
        assertFalse(DeviceSelection.prefixMatches(linkLocal, srv), "link-local addresses never match");
        // with IPv6 prefixes the IPv4 field is not looked at
        ClcProposal.IpPrefix v4AndOther = new ClcProposal.IpPrefix(0x0a000000, 24, 0, other.ipv6Prefixes());
        assertFalse(DeviceSelection.prefixMatches(v4AndOther, srv));
        ClcProposal.IpPrefix two = new ClcProposal.IpPrefix(0, 0, 0,
                List.of(other.ipv6Prefixes().getFirst(), same.ipv6Prefixes().getFirst()));
        assertTrue(DeviceSelection.prefixMatches(two, srv));
    }

    static ClcProposal.IpPrefix prefix6(String addr, int len) {
        return new ClcProposal.IpPrefix(0, 0, 0, List.of(new ClcProposal.Ipv6Prefix(RawBytes.of(ip(addr).getAddress()), len)));
    }

    @Test
    void portOfTheSocketsNetdevAndGidTypePerVersion() {
        try (SimFabric f = SimFabric.fast()) {
            SimPortConfig p2 = new SimPortConfig("eth1", new byte[] {2, 0, 0, 0, 0, 2}, 1500,
                    List.of(ip("fd00::9"), ip("10.1.0.1"), ip("10.2.0.1")), List.of(64, 24, 24));
            f.addDevice(new SimDeviceConfig("mlx0", List.of(
                    new SimPortConfig("eth0", new byte[] {2, 0, 0, 0, 0, 1}, 1500, List.of(ip("10.0.0.1"))), p2)));
            List<RdmaDevice> ports = RdmaDevice.open(f, List.of());
            InterfaceInfo eth1 = p2.toInterface();
            DeviceSelection.Choice v1 = DeviceSelection.findRoce(ports, eth1, null);
            assertEquals(2, v1.port().port);
            assertEquals(GidType.ROCE_V1, v1.gid().type());
            assertEquals(0, v1.gid().index(), "the first RoCE v1 GID of the netdev");
            // v2 from 10.2.0.1: the first RoCE v2 GID that is an IPv4 one (10.1.0.1), the device has
            // an address whose subnet holds the source: smc_ib_determine_gid_rcu
            DeviceSelection.Choice v2 = DeviceSelection.findRoce(ports, eth1,
                    new DeviceSelection.Smcrv2((Inet4Address) ip("10.2.0.1"), null));
            assertEquals(GidType.ROCE_V2, v2.gid().type());
            assertEquals(ip("10.1.0.1"), v2.gid().ipAddress());
            // a source address outside the device's subnets: none
            assertNull(DeviceSelection.findRoce(ports, eth1, new DeviceSelection.Smcrv2((Inet4Address) ip("10.9.0.1"), null)));
            // server: the client's GID address is on-link or behind a gateway; INADDR_NONE fails
            assertEquals(Boolean.FALSE, DeviceSelection.findRoute(eth1, (Inet4Address) ip("10.2.0.77")));
            assertEquals(Boolean.TRUE, DeviceSelection.findRoute(eth1, (Inet4Address) ip("10.77.0.1")));
            assertNull(DeviceSelection.findRoute(eth1, (Inet4Address) ip("255.255.255.255")));
            // another netdev: no port
            assertNull(DeviceSelection.findRoce(ports, ifc("eth7", a("10.1.0.1", 24)), null));
            // port down: smc_ib_port_active
            f.linkDown("mlx0", 2);
            assertNull(DeviceSelection.findRoce(ports, eth1, null));
        }
    }

    @Test
    void gidToIpv4AcceptsMappedAndCompatibleOnly() {
        assertEquals(ip("10.0.0.1"), DeviceSelection.gidToIpv4(Gid.parse("::ffff:10.0.0.1")));
        assertEquals(ip("10.0.0.1"), DeviceSelection.gidToIpv4(Gid.parse("::10.0.0.1")));
        assertNull(DeviceSelection.gidToIpv4(Gid.parse("fe80::1")));
    }

    @Test
    void clientRouteRuleOfSmcConnectRdmaV2Prepare() {
        assertNull(ClcHandshake.clientV2Route(true, null));
        assertNull(ClcHandshake.clientV2Route(false, Boolean.TRUE));
        assertEquals(DeclineCode.NOINDIRECT, ClcHandshake.clientV2Route(false, Boolean.FALSE).code());
        assertEquals(DeclineCode.NOROUTE, ClcHandshake.clientV2Route(false, null).code());
    }
}
