package io.smcj.tools;

import io.smcj.engine.ConnectionInfo;
import io.smcj.engine.SmcConfig;
import io.smcj.engine.SmcEngine;
import io.smcj.engine.SmcServerSocket;
import io.smcj.engine.SmcSocket;
import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.simulator.tcp.SimNetwork;
import io.smcj.simulator.tcp.SimTcpStreams;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A small scenario for {@code ss --live} / {@code stats --live}: two SMC-R connections between a
 * client and a server engine, and one from a client without RoCE device (fallback NOSMCDEV).
 */
final class LiveScenario implements AutoCloseable {
    final SimFabric fabric = SimFabric.fast();
    final SmcEngine server;
    final SmcEngine client;
    final SmcEngine noDevice;
    final SmcServerSocket ss;
    final List<SmcSocket> sockets = new ArrayList<>();

    private LiveScenario() throws Exception {
        InetAddress sIp = InetAddress.getByName("10.0.0.1");
        InetAddress cIp = InetAddress.getByName("10.0.0.2");
        InetAddress nIp = InetAddress.getByName("10.0.0.3");
        fabric.addDevice(SimDeviceConfig.of("sim-srv0", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, sIp));
        fabric.addDevice(SimDeviceConfig.of("sim-cli0", "eth0", new byte[] {2, 0, 0, 0, 0, 2}, cIp));
        SimNetwork net = new SimNetwork(fabric);
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-DEMO").build();
        server = SmcEngine.builder().name("server").config(cfg).tcp(new SimTcpStreams(net, sIp))
                .verbs(fabric, List.of("sim-srv0")).build();
        client = SmcEngine.builder().name("client").config(cfg).tcp(new SimTcpStreams(net, cIp))
                .verbs(fabric, List.of("sim-cli0")).build();
        noDevice = SmcEngine.builder().name("nodev").config(cfg).tcp(new SimTcpStreams(net, nIp)).build();
        InetSocketAddress addr = new InetSocketAddress(sIp, 7000);
        ss = server.listen(addr);
        for (SmcEngine e : List.of(client, client, noDevice)) {
            SmcSocket c = e.connect(addr);
            SmcSocket s = ss.accept();
            c.getOutputStream().write(new byte[3000]);
            s.getInputStream().readNBytes(1000);
            sockets.add(c);
            sockets.add(s);
        }
    }

    static LiveScenario start() throws Exception {
        return new LiveScenario();
    }

    List<ConnectionInfo> connections() {
        List<ConnectionInfo> all = new ArrayList<>(client.connections());
        all.addAll(noDevice.connections());
        all.addAll(server.connections());
        return all;
    }

    @Override
    public void close() {
        for (SmcSocket s : sockets) {
            s.abort();
        }
        ss.close();
        noDevice.close();
        client.close();
        server.close();
        fabric.close();
    }
}
