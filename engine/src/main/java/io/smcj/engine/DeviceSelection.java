package io.smcj.engine;

import io.smcj.clc.ClcProposal;
import io.smcj.clc.RawBytes;
import io.smcj.protocol.Gid;
import io.smcj.transport.rdma.GidEntry;
import io.smcj.transport.rdma.GidType;
import io.smcj.transport.tcp.stream.InterfaceInfo;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's choices that depend on the CLC socket's net device, as pure functions of an
 * {@link InterfaceInfo} (the socket's egress device with its addresses) and the opened RoCE ports:
 * the Proposal's IP prefix area ({@code smc_clc_prfx_set}), the server's prefix check
 * ({@code smc_clc_prfx_match}), the RoCE port and GID for SMC-R v1 and v2
 * ({@code smc_pnet_find_rdma_dev} + {@code smc_ib_determine_gid}), and the SMC-R v2 route test
 * ({@code smc_ib_find_route}).
 *
 * <p>Not modelled: PNET IDs ({@code _smc_pnet_find_roce_by_pnetid}; we always match the port's
 * netdev, the kernel's rule when no PNET ID is set), VLANs (vlan_id 0: only GIDs of the port's own
 * netdev qualify), the routing table (a peer address inside a subnet of the device is on-link,
 * any other is reached through a gateway).
 */
final class DeviceSelection {
    /** {@code SMC_CLC_MAX_V6_PREFIX}. */
    static final int MAX_V6_PREFIX = 8;

    private DeviceSelection() {
    }

    /** A RoCE port and the GID table entry chosen on it. */
    record Choice(RdmaDevice port, GidEntry gid) {
    }

    /**
     * {@code smc_clc_prfx_set}: the Proposal's IP prefix area for a CLC socket with local address
     * {@code local} leaving through {@code ifc}, or null when none can be determined (-ENOENT: the
     * Proposal then offers no SMC-R v1, or the client declines CNFERR when v2 is not offered either).
     * IPv4 ({@code smc_clc_prfx_set4_rcu}): the subnet and prefix length of the first IPv4 address of
     * the device whose subnet holds {@code local}. IPv4-mapped IPv6 behaves as IPv4. IPv6
     * ({@code smc_clc_prfx_set6_rcu}): up to 8 prefixes of the device's non-link-local IPv6
     * addresses, outgoing_subnet 0.0.0.0/0.
     */
    static ClcProposal.IpPrefix proposalPrefix(InetAddress local, InterfaceInfo ifc) {
        Inet4Address v4 = ipv4Of(local);
        if (v4 != null) {
            for (InterfaceInfo.Address a : ifc.ipv4()) {
                if (a.contains(v4)) {
                    return ClcProposal.IpPrefix.ipv4(toInt(v4) & mask(a.prefixLength()), a.prefixLength());
                }
            }
            return null;
        }
        List<ClcProposal.Ipv6Prefix> out = new ArrayList<>();
        for (InterfaceInfo.Address a : ifc.ipv6()) {
            if (isLinkLocal(a.address())) {
                continue;
            }
            out.add(new ClcProposal.Ipv6Prefix(RawBytes.of(prefixBytes(a.address().getAddress(), a.prefixLength())),
                    a.prefixLength()));
            if (out.size() == MAX_V6_PREFIX) {
                break;
            }
        }
        return out.isEmpty() ? null : new ClcProposal.IpPrefix(0, 0, 0, out);
    }

    /**
     * {@code smc_clc_prfx_match}: without IPv6 prefixes, one of the device's IPv4 addresses has the
     * Proposal's prefix length and its subnet holds outgoing_subnet ({@code smc_clc_prfx_match4_rcu});
     * with IPv6 prefixes, one non-link-local IPv6 address of the device has the same prefix length as
     * one of the first 8 prefixes and the same leading bits ({@code smc_clc_prfx_match6_rcu}). The
     * IPv4 field is ignored then.
     */
    static boolean prefixMatches(ClcProposal.IpPrefix p, InterfaceInfo ifc) {
        if (p.ipv6Prefixes().isEmpty()) {
            for (InterfaceInfo.Address a : ifc.ipv4()) {
                if (a.prefixLength() == p.prefixLen() && a.contains(fromInt(p.outgoingSubnet()))) {
                    return true;
                }
            }
            return false;
        }
        List<ClcProposal.Ipv6Prefix> theirs = p.ipv6Prefixes().subList(0, Math.min(MAX_V6_PREFIX,
                p.ipv6Prefixes().size()));
        for (InterfaceInfo.Address a : ifc.ipv6()) {
            if (isLinkLocal(a.address())) {
                continue;
            }
            for (ClcProposal.Ipv6Prefix t : theirs) {
                if (t.prefixLen() == a.prefixLength()
                        && InterfaceInfo.prefixEquals(a.address().getAddress(), t.prefix().bytes(), a.prefixLength())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code smc_pnet_find_rdma_dev} with {@code smc_ib_determine_gid}: the first active port (in
     * device order) whose netdev is the CLC socket's device and that has a suitable GID. SMC-R v1
     * ({@code smcrv2 == null}): the first RoCE v1 GID of the port's netdev. SMC-R v2: the first
     * RoCE v2 GID of the netdev that maps to an IPv4 address ({@code smc_ib_gid_to_ipv4} is not
     * INADDR_NONE), provided the device has an IPv4 address whose subnet holds the socket's source
     * address and, when the peer's address is known (server: the IPv4 of the client's v2 GID), a
     * route to the peer exists. Null when none: the kernel's NOSMCRDEV.
     */
    static Choice findRoce(List<RdmaDevice> ports, InterfaceInfo ifc, Smcrv2 smcrv2) {
        for (RdmaDevice d : ports) {
            if (!ifc.name().equals(d.netdev()) || !d.isActive()) {
                continue;
            }
            GidEntry g = determineGid(d, ifc, smcrv2);
            if (g != null) {
                return new Choice(d, g);
            }
        }
        return null;
    }

    /**
     * SMC-R v2 search input ({@code struct smc_init_info_smcrv2}).
     *
     * @param saddr the CLC socket's source address ({@code sk_rcv_saddr})
     * @param daddr the peer's IPv4 from its GID (server), or null (client)
     */
    record Smcrv2(Inet4Address saddr, Inet4Address daddr) {
    }

    /** {@code smc_ib_determine_gid} for vlan_id 0 (GIDs of the port's own netdev). */
    static GidEntry determineGid(RdmaDevice d, InterfaceInfo ifc, Smcrv2 smcrv2) {
        for (GidEntry g : d.gids()) {
            if (!d.netdev().equals(g.netdev())) {
                continue; // a VLAN device's GID: only with that vlan_id
            }
            if (smcrv2 == null) {
                if (g.type() == GidType.ROCE_V1) {
                    return g;
                }
                continue;
            }
            if (g.type() != GidType.ROCE_V2 || gidToIpv4(Gid.of(g.gid().bytes())) == null) {
                continue;
            }
            boolean subnet = false;
            for (InterfaceInfo.Address a : ifc.ipv4()) {
                if (a.contains(smcrv2.saddr())) {
                    subnet = true;
                    break;
                }
            }
            if (!subnet) {
                continue;
            }
            if (smcrv2.daddr() != null && findRoute(ifc, smcrv2.daddr()) == null) {
                continue;
            }
            return g;
        }
        return null;
    }

    /**
     * Our stand-in for {@code smc_ib_find_route}: whether {@code daddr} is reached through a
     * gateway ({@code rt_uses_gateway}), or null for no route (-ENOENT, INADDR_NONE). Without a
     * routing table: on-link when a subnet of the device holds it, else through a gateway (a
     * default route is assumed).
     */
    static Boolean findRoute(InterfaceInfo ifc, Inet4Address daddr) {
        if (daddr == null || toInt(daddr) == -1) {
            return null;
        }
        for (InterfaceInfo.Address a : ifc.ipv4()) {
            if (a.contains(daddr)) {
                return Boolean.FALSE;
            }
        }
        return Boolean.TRUE;
    }

    /**
     * {@code smc_ib_gid_to_ipv4}: the IPv4 of an IPv4-mapped ({@code ::ffff:a.b.c.d}) or
     * IPv4-compatible ({@code ::a.b.c.d}) GID, else null (INADDR_NONE).
     */
    static Inet4Address gidToIpv4(Gid gid) {
        byte[] b = gid.bytes();
        boolean zero10 = true;
        for (int i = 0; i < 10; i++) {
            zero10 &= b[i] == 0;
        }
        boolean mapped = zero10 && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
        boolean compat = zero10 && b[10] == 0 && b[11] == 0;
        if (!mapped && !compat) {
            return null;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The IPv4 address of {@code a} (an IPv4-mapped IPv6 address counts, as in {@code smc_clc_prfx_set}), else null. */
    static Inet4Address ipv4Of(InetAddress a) {
        if (a instanceof Inet4Address v4) {
            return v4;
        }
        byte[] b = a.getAddress();
        if (b.length == 16) {
            return gidToIpv4Mapped(b);
        }
        return null;
    }

    private static Inet4Address gidToIpv4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return null;
            }
        }
        if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
            return null;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code IPV6_ADDR_LINKLOCAL}: fe80::/10. */
    static boolean isLinkLocal(InetAddress a) {
        return a instanceof Inet6Address v6 && v6.isLinkLocalAddress();
    }

    /** {@code ipv6_addr_prefix}: the first {@code bits} bits of {@code addr}, the rest zero. */
    static byte[] prefixBytes(byte[] addr, int bits) {
        byte[] out = new byte[addr.length];
        for (int i = 0; i < addr.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            out[i] = (byte) (addr[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    static int mask(int prefixLen) {
        return prefixLen == 0 ? 0 : -1 << (32 - prefixLen);
    }

    static int toInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static Inet4Address fromInt(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16),
                    (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
