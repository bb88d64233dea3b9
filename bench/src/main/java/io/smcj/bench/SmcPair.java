package io.smcj.bench;

import io.smcj.engine.EngineTrace;
import io.smcj.engine.SmcConfig;
import io.smcj.engine.SmcEngine;
import io.smcj.engine.SmcServerSocket;
import io.smcj.engine.SmcSocket;
import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.transport.tcp.TrustedPeersProbe;
import io.smcj.transport.tcp.policy.SmcPolicy;
import io.smcj.transport.tcp.stream.NioTcpNetwork;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server and a client {@link SmcEngine} in one JVM over the fast-mode simulated RoCE fabric,
 * with CLC over real loopback TCP (peers trusted, as {@code ./smcj demo} does: the SMC TCP option
 * needs BPF). {@link #connect()} gives both ends of one new SMC-R connection; the first one
 * creates the link group (first contact), later ones reuse it while it lives.
 */
final class SmcPair implements AutoCloseable {
    final SimFabric fabric = SimFabric.fast();
    final SmcEngine server;
    final SmcEngine client;
    final SmcServerSocket listener;
    private final InetSocketAddress target;
    private final SynchronousQueue<Object> accepted = new SynchronousQueue<>();
    private final Thread acceptor;
    private volatile boolean autoClose;

    SmcPair(SmcConfig config) throws IOException {
        InetAddress sIp = ip("10.0.0.1");
        InetAddress cIp = ip("10.0.0.2");
        fabric.addDevice(SimDeviceConfig.of("bench-srv0", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, sIp));
        fabric.addDevice(SimDeviceConfig.of("bench-cli0", "eth0", new byte[] {2, 0, 0, 0, 0, 2}, cIp));
        InetAddress lo = InetAddress.getLoopbackAddress();
        NioTcpNetwork tcp = new NioTcpNetwork(new TrustedPeersProbe(List.of(lo), SmcPolicy.allowAll(),
                "bench: loopback peers are trusted (the TCP option needs BPF)"));
        server = SmcEngine.builder().name("bench-server").config(config).trace(EngineTrace.NONE).tcp(tcp)
                .verbs(fabric, List.of("bench-srv0")).hostname("bench-server").build();
        client = SmcEngine.builder().name("bench-client").config(config).trace(EngineTrace.NONE).tcp(tcp)
                .verbs(fabric, List.of("bench-cli0")).hostname("bench-client").build();
        listener = server.listen(new InetSocketAddress(lo, 0));
        target = listener.getLocalSocketAddress();
        acceptor = Thread.ofPlatform().daemon().name("bench-smc-acceptor").start(this::acceptLoop);
    }

    static SmcConfig config(int rmb) {
        return SmcConfig.builder().rmem(rmb).wmem(rmb).build();
    }

    /** From now on the server closes every accepted socket at once instead of handing it out. */
    void closeAccepted() {
        autoClose = true;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                SmcSocket s = listener.accept();
                if (autoClose) {
                    s.close();
                } else {
                    accepted.put(s);
                }
            } catch (IOException | InterruptedException e) {
                if (!listener.isClosed()) {
                    System.err.println("bench: SMC accept failed: " + e);
                }
                return;
            }
        }
    }

    /** A new connection: {client, server}; fails if it fell back to TCP. */
    SmcSocket[] connect() throws IOException, InterruptedException {
        SmcSocket c = client.connect(target, Duration.ofSeconds(10));
        if (!c.isSmc()) {
            c.close();
            throw new IllegalStateException("bench: connection fell back to TCP: " + c.smcStatus());
        }
        Object s = accepted.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new IllegalStateException("bench: server did not accept within 10 s");
        }
        return new SmcSocket[] {c, (SmcSocket) s};
    }

    /** Client side only (the acceptor must be in {@link #closeAccepted()} mode). */
    SmcSocket connectClientOnly() throws IOException {
        return client.connect(target, Duration.ofSeconds(10));
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        listener.close();
        acceptor.interrupt();
        client.close();
        server.close();
        fabric.close();
    }
}
