package io.smcj.tools;

import io.smcj.engine.DeterministicRuntime;
import io.smcj.engine.EngineTrace;
import io.smcj.engine.SmcConfig;
import io.smcj.engine.SmcEngine;
import io.smcj.engine.SmcServerSocket;
import io.smcj.engine.SmcSocket;
import io.smcj.simulator.DeterministicScheduler;
import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.simulator.tcp.SimNetwork;
import io.smcj.simulator.tcp.SimTcpStreams;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code ./smcj deterministic --seed N}: the whole engine (server and client, agent threads,
 * listen work, ADD LINK) on the deterministic simulator under a {@code DeterministicRuntime}:
 * virtual time, one thread at a time, randomness from the seed. First contact (with a second link
 * unless {@code --one-link}), a second connection reusing the link group, data both ways with
 * SHA-256 checks, optionally the server's first port going down at a virtual time
 * ({@code --port-down MS}), close. Every CLC/LLC line (and with {@code --fabric} every fabric event)
 * is printed with its virtual time; the last line gives the trace digest: the same seed and
 * arguments always print the same output, so any run can be replayed exactly.
 */
public final class DeterministicCommand implements Command {

    @Override
    public String summary() {
        return "the engine on the deterministic simulator: virtual time, replayable from --seed";
    }

    @Override
    public int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception {
        long seed = 1;
        int kib = 512;
        boolean twoLinks = true;
        boolean fabricTrace = false;
        double portDownMs = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--kib" -> kib = Integer.parseInt(args[++i]);
                case "--one-link" -> twoLinks = false;
                case "--fabric" -> fabricTrace = true;
                case "--port-down" -> portDownMs = Double.parseDouble(args[++i]); // fractions allowed: 0.1 = 100 us
                case "-h", "--help" -> {
                    out.println("usage: ./smcj deterministic [--seed N] [--kib N] [--one-link] [--fabric] [--port-down MS]");
                    return 0;
                }
                default -> {
                    err.println("deterministic: unknown argument " + args[i]);
                    return 2;
                }
            }
        }
        if (kib < 1 || kib > 64 * 1024) {
            err.println("deterministic: --kib must be 1..65536");
            return 2;
        }
        try {
            return scenario(seed, kib * 1024, twoLinks, fabricTrace, portDownMs, out);
        } catch (Exception | Error e) {
            out.println("deterministic: FAILED seed " + seed + ": " + e);
            return 1;
        }
    }

    private static String at(long nanos) {
        return String.format("[%4d.%06d ms]", nanos / 1_000_000, nanos % 1_000_000);
    }

    private int scenario(long seed, int bytes, boolean twoLinks, boolean fabricTrace, double portDownMs, PrintStream out)
            throws Exception {
        SimFabric fabric = SimFabric.deterministic(seed);
        SimNetwork net = new SimNetwork(fabric);
        DeterministicScheduler sched = fabric.deterministicScheduler();
        DeterministicRuntime rt = new DeterministicRuntime(seed, new DeterministicRuntime.EventSource() {
            @Override
            public long now() {
                return sched.nanoTime();
            }

            @Override
            public long nextEventTime() {
                return sched.nextEventTime();
            }

            @Override
            public void runNext() {
                sched.runNext();
            }

            @Override
            public void advanceTo(long time) {
                sched.advanceTo(time);
            }
        }).maxVirtualTime(Duration.ofMinutes(10));
        sched.driveExternally(rt::awaitNanos);
        MessageDigest traceDigest = MessageDigest.getInstance("SHA-256");
        java.util.function.Consumer<String> emit = l -> {
            String line = at(rt.nanoTime()) + " " + l;
            traceDigest.update((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.println(line);
        };
        if (fabricTrace) {
            fabric.addTraceSink(e -> emit.accept("sim " + e.line()));
        }
        InetAddress sIp = InetAddress.getByName("10.0.0.1");
        InetAddress cIp = InetAddress.getByName("10.0.0.2");
        fabric.addDevice(SimDeviceConfig.of("sim-srv0", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, sIp));
        fabric.addDevice(SimDeviceConfig.of("sim-cli0", "eth0", new byte[] {2, 0, 0, 0, 0, 2}, cIp));
        List<String> srvDevs = List.of("sim-srv0");
        List<String> cliDevs = List.of("sim-cli0");
        if (twoLinks) {
            fabric.addDevice(SimDeviceConfig.of("sim-srv1", "eth1", new byte[] {2, 0, 0, 0, 1, 1},
                    InetAddress.getByName("10.0.0.11")));
            fabric.addDevice(SimDeviceConfig.of("sim-cli1", "eth1", new byte[] {2, 0, 0, 0, 1, 2},
                    InetAddress.getByName("10.0.0.12")));
            srvDevs = List.of("sim-srv0", "sim-srv1");
            cliDevs = List.of("sim-cli0", "sim-cli1");
        }
        SmcConfig config = SmcConfig.builder().addUeid("SMCJ-DEMO").build();
        EngineTrace trace = new EngineTrace(emit::accept);
        InetSocketAddress addr = new InetSocketAddress(sIp, 12345);
        out.println("deterministic: seed " + seed + ", fabric " + fabric.name() + " (server " + srvDevs + ", client "
                + cliDevs + "), simulated TCP, " + bytes + " bytes each way on each of 2 connections"
                + (portDownMs >= 0 ? ", port 1 of connection 2's server device (" + (twoLinks ? "sim-srv1" : "sim-srv0")
                        + ") down at +" + portDownMs + " ms of its transfer" : ""));
        List<String> checks = new ArrayList<>();
        List<String> srvDevsF = srvDevs;
        List<String> cliDevsF = cliDevs;
        rt.run(() -> {
            try (SmcEngine server = SmcEngine.builder().name("server").config(config).trace(trace).runtime(rt)
                    .tcp(new SimTcpStreams(net, sIp)).verbs(fabric, srvDevsF).hostname("smcj-server").build();
                 SmcEngine client = SmcEngine.builder().name("client").config(config).trace(trace).runtime(rt)
                    .tcp(new SimTcpStreams(net, cIp)).verbs(fabric, cliDevsF).hostname("smcj-client").build();
                 SmcServerSocket ss = server.listen(addr)) {
                for (int conn = 1; conn <= 2; conn++) {
                    Object[] accepted = new Object[1];
                    Thread acc = rt.startThread("accept", false, () -> {
                        try {
                            accepted[0] = ss.accept();
                        } catch (Exception e) {
                            accepted[0] = e;
                        }
                    });
                    SmcSocket c = client.connect(addr);
                    join(rt, acc);
                    if (!(accepted[0] instanceof SmcSocket s)) {
                        throw new IllegalStateException("accept failed: " + accepted[0]);
                    }
                    emit.accept("connection " + conn + ": " + c.smcStatus());
                    if (conn == 1 && twoLinks) {
                        long deadline = rt.nanoTime() + Duration.ofSeconds(5).toNanos();
                        while (rt.nanoTime() < deadline && client.linkGroups().stream().noneMatch(l -> l.contains("links 2"))) {
                            rt.sleep(Duration.ofMillis(1));
                        }
                    }
                    if (conn == 2 && portDownMs >= 0) {
                        // the server balances connections over its links (smcr_lgr_conn_assign_link):
                        // connection 2 runs on the second link, so its port is the one to fail
                        String dev = twoLinks ? "sim-srv1" : "sim-srv0";
                        fabric.at(Duration.ofNanos(Math.round(portDownMs * 1_000_000)), () -> fabric.linkDown(dev, 1));
                    }
                    byte[] up = new byte[bytes];
                    byte[] down = new byte[bytes];
                    new SplittableRandom(seed * 31 + conn).nextBytes(up);
                    new SplittableRandom(seed * 17 + conn).nextBytes(down);
                    byte[][] got = new byte[2][];
                    List<String> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                    List<Thread> io = List.of(
                            rt.startThread("client-writer", false, () -> failures(failures, () -> write(c, up))),
                            rt.startThread("server-writer", false, () -> failures(failures, () -> write(s, down))),
                            rt.startThread("client-reader", false, () -> failures(failures, () -> got[0] = read(c, bytes))),
                            rt.startThread("server-reader", false, () -> failures(failures, () -> got[1] = read(s, bytes))));
                    for (Thread t : io) {
                        join(rt, t);
                    }
                    if (!failures.isEmpty()) {
                        // with one link a port down ends the link group: the connection aborts cleanly
                        checks.add("connection " + conn + " ABORTED: " + failures.getFirst());
                    } else {
                        boolean okUp = got[1] != null && MessageDigest.isEqual(sha(up), sha(got[1]));
                        boolean okDown = got[0] != null && MessageDigest.isEqual(sha(down), sha(got[0]));
                        checks.add("connection " + conn + " client->server " + (okUp ? "match" : "MISMATCH")
                                + ", server->client " + (okDown ? "match" : "MISMATCH"));
                    }
                    c.close();
                    s.close();
                }
            }
        });
        fabric.close();
        checks.forEach(l -> out.println("deterministic: SHA-256 " + l));
        String digest = HexFormat.of().formatHex(traceDigest.digest(), 0, 8);
        if (checks.stream().anyMatch(l -> l.contains("MISMATCH")) || checks.size() != 2) {
            out.println("deterministic: FAILED seed " + seed + ": checksums did not match (trace sha256 " + digest + ")");
            return 1;
        }
        if (checks.stream().anyMatch(l -> l.contains("ABORTED"))) {
            boolean expected = !twoLinks && portDownMs >= 0;
            out.println("deterministic: " + (expected ? "OK (connection aborted as expected: its only link failed)"
                    : "FAILED (a connection aborted)") + " seed " + seed + ", virtual time " + at(rt.nanoTime())
                    + ", trace sha256 " + digest);
            return expected ? 0 : 1;
        }
        out.println("deterministic: OK seed " + seed + ", " + (4L * bytes) + " bytes moved, checksums matched, virtual time "
                + at(rt.nanoTime()) + ", " + rt.steps() + " steps, trace sha256 " + digest);
        return 0;
    }

    private static void join(DeterministicRuntime rt, Thread t) throws InterruptedException {
        rt.join(t, Duration.ofMinutes(10).toMillis());
        if (t.isAlive()) {
            throw new IllegalStateException(t.getName() + " did not finish");
        }
    }

    /** Runs {@code r}; an exception is recorded (its root cause) instead of escaping the thread. */
    private static void failures(List<String> out, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            Throwable t = e;
            while (t.getCause() != null) {
                t = t.getCause();
            }
            out.add(Thread.currentThread().getName() + ": " + t);
        }
    }

    private static void write(SmcSocket s, byte[] data) {
        try {
            for (int off = 0; off < data.length; off += 20_000) {
                s.getOutputStream().write(data, off, Math.min(20_000, data.length - off));
            }
            s.shutdownOutput();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] read(SmcSocket s, int expect) {
        try {
            ByteArrayOutputStream got = new ByteArrayOutputStream(expect);
            byte[] buf = new byte[32 * 1024];
            int r;
            while ((r = s.getInputStream().read(buf)) >= 0) {
                got.write(buf, 0, r);
            }
            return got.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
