package io.smcj.transport.tcp.stream;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The net device a TCP connection leaves through, as SMC sees it: {@code __sk_dst_get(sk)->dev}
 * with its IPv4 ({@code in_device} ifa list) and IPv6 ({@code inet6_dev} addr_list) addresses and
 * their prefix lengths, in the device's order. SMC derives the Proposal's IP prefixes from it
 * ({@code smc_clc_prfx_set}), checks the peer's against it ({@code smc_clc_prfx_match}) and looks
 * for the RoCE port bound to it ({@code smc_pnet_find_rdma_dev}).
 *
 * @param name      the device name (matched against the RoCE port's netdev)
 * @param addresses its addresses
 */
public record InterfaceInfo(String name, List<Address> addresses) {

    /**
     * One interface address.
     *
     * @param address      the address
     * @param prefixLength its prefix length (0..32 for IPv4, 0..128 for IPv6)
     */
    public record Address(InetAddress address, int prefixLength) {
        public Address {
            Objects.requireNonNull(address, "address");
            int max = address instanceof Inet4Address ? 32 : 128;
            if (prefixLength < 0 || prefixLength > max) {
                throw new IllegalArgumentException("prefix length 0.." + max + " for " + address + ": " + prefixLength);
            }
        }

        public boolean isIpv4() {
            return address instanceof Inet4Address;
        }

        /** Whether {@code a} lies in this address's subnet (same family; {@code inet_ifa_match} for IPv4). */
        public boolean contains(InetAddress a) {
            byte[] mine = address.getAddress();
            byte[] other = a.getAddress();
            if (mine.length != other.length) {
                return false;
            }
            return prefixEquals(mine, other, prefixLength);
        }

        @Override
        public String toString() {
            return address.getHostAddress() + "/" + prefixLength;
        }
    }

    public InterfaceInfo {
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
    }

    /** IPv4 addresses in device order. */
    public List<Address> ipv4() {
        return addresses.stream().filter(Address::isIpv4).toList();
    }

    /** IPv6 addresses in device order. */
    public List<Address> ipv6() {
        return addresses.stream().filter(a -> a.address() instanceof Inet6Address).toList();
    }

    /** Whether the first {@code bits} bits of {@code a} and {@code b} are equal ({@code ipv6_prefix_equal}). */
    public static boolean prefixEquals(byte[] a, byte[] b, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }

    /**
     * The interface of {@code java.net} that holds {@code local}, or null when there is none. This is
     * the device of the source address; Linux uses the route's device, which differs only for a
     * connection to one of the host's own non-loopback addresses (Linux sends it through {@code lo}).
     */
    public static InterfaceInfo ofLocalAddress(InetAddress local) {
        try {
            NetworkInterface ni = NetworkInterface.getByInetAddress(local);
            if (ni == null) {
                return null;
            }
            List<Address> out = new ArrayList<>();
            for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                InetAddress a = ia.getAddress();
                if (a instanceof Inet6Address v6 && v6.getScopeId() != 0) {
                    a = InetAddress.getByAddress(v6.getAddress()); // the scope is not part of a prefix
                }
                out.add(new Address(a, ia.getNetworkPrefixLength()));
            }
            return new InterfaceInfo(ni.getName(), out);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return name + " " + addresses;
    }
}
