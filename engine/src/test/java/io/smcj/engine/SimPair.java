package io.smcj.engine;

import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.simulator.tcp.SimNetwork;
import io.smcj.simulator.tcp.SimTcpStreams;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.Consumer;

/** Two hosts on the simulator: a server and a client engine, each with its own RoCE device(s). */
final class SimPair implements AutoCloseable {
    final SimFabric fabric;
    final SimNetwork net;
    final SmcEngine server;
    final SmcEngine client;
    final InetSocketAddress serverAddr;
    /** Set before constructing (tests only): the client uses one device even with twoDevices. */
    static volatile boolean clientOneDevice;
    /** Set before constructing (tests only): the server uses one device even with twoDevices. */
    static volatile boolean serverOneDevice;
    /** Set before constructing (tests only): the second devices are in another subnet (10.1.0.0/24). */
    static volatile boolean secondDevicesElsewhere;
    final java.util.List<String> traceLines = new java.util.concurrent.CopyOnWriteArrayList<>();

    SimPair(SmcConfig serverCfg, SmcConfig clientCfg) {
        this(serverCfg, clientCfg, true, true, null);
    }

    SimPair(SmcConfig serverCfg, SmcConfig clientCfg, boolean serverDevice, boolean clientDevice,
            java.util.function.BiConsumer<String, SmcEngine.Builder> tweak) {
        this(serverCfg, clientCfg, serverDevice, clientDevice, tweak, false);
    }

    /**
     * With {@code twoDevices}, each host has two RoCE devices (srv0/srv1, cli0/cli1): room for a second link.
     * The second devices' addresses are in the handshake subnet, as SMC-Rv2 requires of alternate devices.
     */
    SimPair(SmcConfig serverCfg, SmcConfig clientCfg, boolean serverDevice, boolean clientDevice,
            java.util.function.BiConsumer<String, SmcEngine.Builder> tweak, boolean twoDevices) {
        fabric = SimFabric.fast();
        net = new SimNetwork(fabric);
        InetAddress sIp = ip("10.0.0.1");
        InetAddress cIp = ip("10.0.0.2");
        fabric.addDevice(SimDeviceConfig.of("srv0", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, sIp));
        fabric.addDevice(SimDeviceConfig.of("cli0", "eth0", new byte[] {2, 0, 0, 0, 0, 2}, cIp));
        if (twoDevices) {
            fabric.addDevice(SimDeviceConfig.of("srv1", "eth1", new byte[] {2, 0, 0, 0, 1, 1}, ip(secondDevicesElsewhere ? "10.1.0.1" : "10.0.0.11")));
            fabric.addDevice(SimDeviceConfig.of("cli1", "eth1", new byte[] {2, 0, 0, 0, 1, 2}, ip(secondDevicesElsewhere ? "10.1.0.2" : "10.0.0.12")));
        }
        EngineTrace trace = new EngineTrace(l -> { traceLines.add(l); if (Boolean.getBoolean("smcj.trace")) { System.err.println(l); } });
        SmcEngine.Builder sb = SmcEngine.builder().name("server").config(serverCfg).trace(trace)
                .tcp(new SimTcpStreams(net, sIp)).verbs(fabric, serverDevice ? (twoDevices && !serverOneDevice ? List.of("srv0", "srv1") : List.of("srv0")) : List.of("none"));
        SmcEngine.Builder cb = SmcEngine.builder().name("client").config(clientCfg).trace(trace)
                .tcp(new SimTcpStreams(net, cIp)).verbs(fabric, clientDevice ? (twoDevices && !clientOneDevice ? List.of("cli0", "cli1") : List.of("cli0"))
                        : List.of("none"));
        if (!serverDevice) {
            sb.verbs(null, List.of());
        }
        if (!clientDevice) {
            cb.verbs(null, List.of());
        }
        if (tweak != null) {
            tweak.accept("server", sb);
            tweak.accept("client", cb);
        }
        server = sb.build();
        client = cb.build();
        serverAddr = new InetSocketAddress(sIp, 5000);
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static SmcConfig v2Config() {
        return SmcConfig.builder().addUeid("SMCJ-TEST").build();
    }

    @Override
    public void close() {
        client.close();
        server.close();
        fabric.close();
    }
}
