package io.smcj.simulator;

import java.net.InetAddress;
import java.util.List;

/**
 * A simulated port: the net device it belongs to, its MAC, link-layer MTU and IP addresses.
 * Its GID table gets, as a RoCE device: index 0 the MAC-derived RoCE v1 GID, index 1 the same as
 * RoCE v2, then per IP address a RoCE v1 and a RoCE v2 entry (the mlx5 layout).
 */
public record SimPortConfig(String netdev, byte[] mac, int ethMtu, List<InetAddress> ips) {
    public SimPortConfig {
        if (mac == null || mac.length != 6) {
            throw new IllegalArgumentException("MAC must be 6 bytes");
        }
        mac = mac.clone();
        ips = List.copyOf(ips);
    }

    @Override
    public byte[] mac() {
        return mac.clone();
    }
}
