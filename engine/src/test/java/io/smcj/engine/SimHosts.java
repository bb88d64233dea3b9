package io.smcj.engine;

import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.simulator.SimPortConfig;
import io.smcj.simulator.tcp.SimNetwork;
import io.smcj.simulator.tcp.SimTcpStreams;
import io.smcj.transport.tcp.stream.InterfaceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Two simulated hosts whose TCP streams know their net devices (unlike {@link SimPair}): each host
 * has RoCE devices (their ports' netdevs and addresses are host interfaces) and optionally plain
 * interfaces without RoCE.
 */
final class SimHosts implements AutoCloseable {
    final SimFabric fabric = SimFabric.fast();
    final SimNetwork net = new SimNetwork(fabric);
    final SmcEngine server;
    final SmcEngine client;
    final List<String> trace = new CopyOnWriteArrayList<>();

    /** One host: RoCE devices and extra interfaces (no RoCE port). */
    record Host(List<SimDeviceConfig> devices, List<InterfaceInfo> plainInterfaces, SmcConfig config) {
        List<InterfaceInfo> interfaces() {
            List<InterfaceInfo> out = new ArrayList<>();
            for (SimDeviceConfig d : devices) {
                for (SimPortConfig p : d.ports()) {
                    out.add(p.toInterface());
                }
            }
            out.addAll(plainInterfaces);
            return out;
        }

        List<String> deviceNames() {
            return devices.stream().map(SimDeviceConfig::name).toList();
        }
    }

    SimHosts(Host server, Host client) {
        for (SimDeviceConfig d : server.devices()) {
            fabric.addDevice(d);
        }
        for (SimDeviceConfig d : client.devices()) {
            fabric.addDevice(d);
        }
        EngineTrace t = new EngineTrace(trace::add);
        this.server = build("server", server, t);
        this.client = build("client", client, t);
    }

    private SmcEngine build(String name, Host h, EngineTrace t) {
        SmcEngine.Builder b = SmcEngine.builder().name(name).config(h.config()).trace(t)
                .tcp(new SimTcpStreams(net, h.interfaces()));
        if (h.devices().isEmpty()) {
            b.verbs(null, List.of());
        } else {
            b.verbs(fabric, h.deviceNames());
        }
        return b.build();
    }

    /** The only link group of {@code e}. */
    static LinkGroup onlyLinkGroup(SmcEngine e) {
        if (e.lgrs.size() != 1) {
            throw new AssertionError(e.name() + " has " + e.lgrs.size() + " link groups");
        }
        return e.lgrs.getFirst();
    }

    @Override
    public void close() {
        client.close();
        server.close();
        fabric.close();
    }
}
