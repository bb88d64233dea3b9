package io.smcj.tools;

import io.smcj.engine.ConnectionInfo;
import io.smcj.engine.EngineTrace;
import io.smcj.engine.SmcConfig;
import io.smcj.engine.SmcEngine;
import io.smcj.engine.SmcServerSocket;
import io.smcj.engine.SmcSocket;
import io.smcj.engine.SmcStatus;
import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.simulator.tcp.SimNetwork;
import io.smcj.simulator.tcp.SimTcpStreams;
import io.smcj.transport.tcp.TrustedPeersProbe;
import io.smcj.transport.tcp.policy.SmcPolicy;
import io.smcj.transport.tcp.stream.NioTcpNetwork;
import io.smcj.transport.tcp.stream.TcpNetwork;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./smcj demo}: a server and a client engine in one JVM over the simulated RoCE fabric,
 * CLC over real loopback TCP (peers trusted, since the TCP option needs BPF) or over the
 * simulator's TCP ({@code --tcp sim}, which carries the option). Prints every CLC and LLC message
 * once as it is sent, moves a few MiB both ways with SHA-256 checks, prints the statistics and
 * the connection listing, and ends with {@code demo: OK ...} or exits non-zero with the reason.
 */
public final class DemoCommand implements Command {
    /** Where the demo leaves its final listing and statistics for {@code ./smcj ss} / {@code stats}. */
    static final Path STATE_FILE = Path.of(System.getProperty("java.io.tmpdir"), "smcj-demo-state.txt");

    @Override
    public String summary() {
        return "SMC-R client and server in one JVM over the simulator: CLC/LLC trace, transfer, statistics";
    }

    @Override
    public int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception {
        String tcpMode = "loopback";
        long mib = 4;
        int version = 2;
        boolean secondLink = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tcp" -> tcpMode = args[++i];
                case "--mib" -> mib = Long.parseLong(args[++i]);
                case "--v1" -> version = 1;
                case "--one-link" -> secondLink = false;
                case "-h", "--help" -> {
                    out.println("usage: ./smcj demo [--tcp loopback|sim] [--mib N] [--v1] [--one-link]");
                    return 0;
                }
                default -> {
                    err.println("demo: unknown argument " + args[i]);
                    return 2;
                }
            }
        }
        if (mib < 1 || mib > 1024) {
            err.println("demo: --mib must be 1..1024");
            return 2;
        }
        try {
            return demo(tcpMode, mib * 1024 * 1024, version, secondLink, out);
        } catch (Exception e) {
            out.println("demo: FAILED " + e);
            return 1;
        }
    }

    private int demo(String tcpMode, long bytes, int version, boolean secondLink, PrintStream out) throws Exception {
        SimFabric fabric = SimFabric.fast();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "demo-worker");
            t.setDaemon(true);
            return t;
        });
        InetAddress sIp = InetAddress.getByName("10.0.0.1");
        InetAddress cIp = InetAddress.getByName("10.0.0.2");
        fabric.addDevice(SimDeviceConfig.of("sim-srv0", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, sIp));
        fabric.addDevice(SimDeviceConfig.of("sim-cli0", "eth0", new byte[] {2, 0, 0, 0, 0, 2}, cIp));
        List<String> srvDevs = List.of("sim-srv0");
        List<String> cliDevs = List.of("sim-cli0");
        if (secondLink) {
            fabric.addDevice(SimDeviceConfig.of("sim-srv1", "eth1", new byte[] {2, 0, 0, 0, 1, 1},
                    InetAddress.getByName("10.0.0.11"))); // SMC-Rv2: alternate devices in the handshake subnet
            fabric.addDevice(SimDeviceConfig.of("sim-cli1", "eth1", new byte[] {2, 0, 0, 0, 1, 2},
                    InetAddress.getByName("10.0.0.12")));
            srvDevs = List.of("sim-srv0", "sim-srv1");
            cliDevs = List.of("sim-cli0", "sim-cli1");
        }
        TcpNetwork serverTcp;
        TcpNetwork clientTcp;
        InetSocketAddress listenAddr;
        String tcpNote;
        if (tcpMode.equals("sim")) {
            SimNetwork net = new SimNetwork(fabric);
            serverTcp = new SimTcpStreams(net, sIp);
            clientTcp = new SimTcpStreams(net, cIp);
            listenAddr = new InetSocketAddress(sIp, 12345);
            tcpNote = "simulated TCP (SMC option 254 in SYN/SYN-ACK)";
        } else if (tcpMode.equals("loopback")) {
            InetAddress lo = InetAddress.getLoopbackAddress();
            TrustedPeersProbe probe = new TrustedPeersProbe(List.of(lo), SmcPolicy.allowAll(),
                    "demo: the TCP option needs BPF and root; loopback peers are trusted");
            serverTcp = new NioTcpNetwork(probe);
            clientTcp = serverTcp;
            listenAddr = new InetSocketAddress(lo, 0);
            tcpNote = "real loopback TCP (TCP option not on the wire: peers TRUSTED)";
        } else {
            throw new IllegalArgumentException("--tcp must be loopback or sim");
        }
        SmcConfig.Builder cfg = SmcConfig.builder();
        if (version == 2) {
            cfg.addUeid("SMCJ-DEMO");
        } else {
            cfg.v2Enabled(false);
        }
        SmcConfig config = cfg.build();
        EngineTrace trace = new EngineTrace(l -> out.println("  " + l), true);
        String okLine;
        out.println("demo: fabric " + fabric.name() + " (server " + srvDevs + ", client " + cliDevs + "), CLC over "
                + tcpNote);
        out.println("demo: SMC-R v" + version + (version == 2 ? " with user EID SMCJ-DEMO" : "") + ", rmem "
                + config.rmem() + ", wmem " + config.wmem() + ", " + (bytes >> 20) + " MiB each way");
        try (SmcEngine server = SmcEngine.builder().name("server").config(config).trace(trace).tcp(serverTcp)
                .verbs(fabric, srvDevs).hostname("smcj-server").build();
             SmcEngine client = SmcEngine.builder().name("client").config(config).trace(trace).tcp(clientTcp)
                .verbs(fabric, cliDevs).hostname("smcj-client").build();
             SmcServerSocket ss = server.listen(listenAddr)) {
            InetSocketAddress target = ss.getLocalSocketAddress();
            List<ConnectionInfo> listing = new ArrayList<>();
            long t0 = System.nanoTime();
            CompletableFuture<String[]> srv = CompletableFuture.supplyAsync(() -> {
                try (SmcSocket s = ss.accept()) {
                    return transfer(s, bytes, 2, pool, null);
                } catch (Exception e) {
                    throw new RuntimeException("server: " + e, e);
                }
            }, pool);
            String[] cli;
            SmcStatus status;
            try (SmcSocket c = client.connect(target)) {
                status = c.smcStatus();
                out.println("demo: client connection: " + status);
                if (secondLink && status.smc()) {
                    // let the server's ADD LINK flow finish so the trace shows it before the data
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (System.nanoTime() < deadline
                            && client.linkGroups().stream().noneMatch(l -> l.contains("links 2"))) {
                        Thread.sleep(5);
                    }
                    Thread.sleep(20);
                }
                cli = transfer(c, bytes, 1, pool, () -> {
                    listing.addAll(client.connections());
                    listing.addAll(server.connections());
                });
            }
            String[] sv = srv.get(120, TimeUnit.SECONDS);
            long nanos = System.nanoTime() - t0;
            // cli = {sent digest, received digest}; sv likewise
            boolean upOk = cli[0].equals(sv[1]);
            boolean downOk = sv[0].equals(cli[1]);
            out.println("demo: client->server SHA-256 sent " + cli[0].substring(0, 16) + "... received "
                    + sv[1].substring(0, 16) + "... " + (upOk ? "match" : "MISMATCH"));
            out.println("demo: server->client SHA-256 sent " + sv[0].substring(0, 16) + "... received "
                    + cli[1].substring(0, 16) + "... " + (downOk ? "match" : "MISMATCH"));
            out.println();
            out.println("connections (smcss-like, during the transfer):");
            out.println("  " + ConnectionInfo.HEADER);
            for (ConnectionInfo ci : listing) {
                out.println("  " + ci.toLine());
            }
            out.println();
            StringBuilder stats = new StringBuilder();
            stats.append("client statistics:\n").append(indent(client.stats().snapshot().toText()));
            stats.append("server statistics:\n").append(indent(server.stats().snapshot().toText()));
            out.print(stats);
            writeState(listing, stats.toString());
            if (!upOk || !downOk) {
                out.println("demo: FAILED checksums did not match");
                return 1;
            }
            if (!status.smc()) {
                out.println("demo: FAILED the connection fell back to TCP: " + status);
                return 1;
            }
            double secs = nanos / 1e9;
            double mibps = 2.0 * bytes / (1024 * 1024) / secs;
            okLine = String.format("demo: OK %d bytes moved (%d each way) over SMC-R v%d%s in %.2f s (%.0f MiB/s, "
                            + "first-contact setup and a cold JVM included; see ./smcj bench), SHA-256 checksums matched", 2 * bytes, bytes, status.version(),
                    status.version() >= 2 ? "." + status.release() : "", secs, mibps);
        } finally {
            pool.shutdownNow();
            fabric.close();
        }
        // printed after the engines closed (their DELETE LINK lines come before it)
        out.println(okLine);
        return 0;
    }

    private static String indent(String s) {
        StringBuilder b = new StringBuilder();
        for (String l : s.split("\n")) {
            b.append("  ").append(l).append('\n');
        }
        return b.toString();
    }

    private static void writeState(List<ConnectionInfo> listing, String stats) {
        StringBuilder b = new StringBuilder("# smcj demo state\n[connections]\n").append(ConnectionInfo.HEADER)
                .append('\n');
        for (ConnectionInfo ci : listing) {
            b.append(ci.toLine()).append('\n');
        }
        b.append("[stats]\n").append(stats);
        try {
            Files.writeString(STATE_FILE, b.toString());
        } catch (Exception ignored) {
            // the listing commands will say there is no state
        }
    }

    /**
     * Sends {@code bytes} seeded random bytes while receiving as many; returns the SHA-256 of what
     * was sent and of what was received.
     */
    private static String[] transfer(SmcSocket s, long bytes, long seed, ExecutorService pool, Runnable midway)
            throws Exception {
        CompletableFuture<String> sender = CompletableFuture.supplyAsync(() -> {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                SplittableRandom r = new SplittableRandom(seed);
                byte[] buf = new byte[64 * 1024];
                OutputStream o = s.getOutputStream();
                long left = bytes;
                while (left > 0) {
                    int n = (int) Math.min(buf.length, left);
                    for (int i = 0; i < n; i += 8) {
                        long v = r.nextLong();
                        for (int k = 0; k < 8 && i + k < n; k++) {
                            buf[i + k] = (byte) (v >>> (8 * k));
                        }
                    }
                    o.write(buf, 0, n);
                    md.update(buf, 0, n);
                    left -= n;
                }
                s.shutdownOutput();
                return HexFormat.of().formatHex(md.digest());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, pool);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        InputStream i = s.getInputStream();
        s.setSoTimeout(60_000);
        long got = 0;
        boolean listed = false;
        while (true) {
            int n = i.read(buf, 0, buf.length);
            if (n < 0) {
                break;
            }
            md.update(buf, 0, n);
            got += n;
            if (!listed && midway != null && got >= bytes / 2) {
                listed = true;
                midway.run();
            }
        }
        if (got != bytes) {
            throw new IllegalStateException("received " + got + " bytes, expected " + bytes);
        }
        return new String[] {sender.get(60, TimeUnit.SECONDS), HexFormat.of().formatHex(md.digest())};
    }
}
