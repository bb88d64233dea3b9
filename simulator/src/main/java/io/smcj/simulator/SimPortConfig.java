package io.smcj.simulator;

import io.smcj.transport.tcp.stream.InterfaceInfo;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated port: the net device it belongs to, its MAC, link-layer MTU and IP addresses with
 * their prefix lengths. Its GID table gets, as a RoCE device: index 0 the MAC-derived RoCE v1 GID,
 * index 1 the same as RoCE v2, then per IP address a RoCE v1 and a RoCE v2 entry (the mlx5 layout).
 *
 * @param prefixLengths one per IP address (the 4-argument constructor uses /24 for IPv4, /64 for IPv6)
 */
public record SimPortConfig(String netdev, byte[] mac, int ethMtu, List<InetAddress> ips, List<Integer> prefixLengths) {
    public SimPortConfig {
        if (mac == null || mac.length != 6) {
            throw new IllegalArgumentException("MAC must be 6 bytes");
        }
        mac = mac.clone();
        ips = List.copyOf(ips);
        prefixLengths = List.copyOf(prefixLengths);
        if (prefixLengths.size() != ips.size()) {
            throw new IllegalArgumentException("one prefix length per IP address");
        }
        for (int i = 0; i < ips.size(); i++) {
            new InterfaceInfo.Address(ips.get(i), prefixLengths.get(i)); // validates the range
        }
    }

    public SimPortConfig(String netdev, byte[] mac, int ethMtu, List<InetAddress> ips) {
        this(netdev, mac, ethMtu, ips, defaultPrefixLengths(ips));
    }

    private static List<Integer> defaultPrefixLengths(List<InetAddress> ips) {
        List<Integer> out = new ArrayList<>();
        for (InetAddress a : ips) {
            out.add(a instanceof Inet4Address ? 24 : 64);
        }
        return out;
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }

    /** This port's net device as a TCP stream reports it (for {@code SimTcpStreams} hosts). */
    public InterfaceInfo toInterface() {
        List<InterfaceInfo.Address> a = new ArrayList<>();
        for (int i = 0; i < ips.size(); i++) {
            a.add(new InterfaceInfo.Address(ips.get(i), prefixLengths.get(i)));
        }
        return new InterfaceInfo(netdev, a);
    }
}
