package io.smcj.simulator;

import java.net.InetAddress;
import java.util.List;

/** A simulated RDMA device: its name and its ports (numbered from 1). */
public record SimDeviceConfig(String name, List<SimPortConfig> ports) {
    public SimDeviceConfig {
        ports = List.copyOf(ports);
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("a device needs a port");
        }
    }

    /** One port with one IPv4/IPv6 address, Ethernet MTU 1500. */
    public static SimDeviceConfig of(String name, String netdev, byte[] mac, InetAddress ip) {
        return new SimDeviceConfig(name, List.of(new SimPortConfig(netdev, mac, 1500, List.of(ip))));
    }
}
