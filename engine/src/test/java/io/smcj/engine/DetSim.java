package io.smcj.engine;

import io.smcj.simulator.DeterministicScheduler;
import io.smcj.simulator.SimDeviceConfig;
import io.smcj.simulator.SimFabric;
import io.smcj.simulator.tcp.SimNetwork;
import io.smcj.simulator.tcp.SimTcpStreams;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Two hosts on a deterministic simulator, driven by a {@link DeterministicRuntime}: a server and a
 * client engine (one or two RoCE devices each), simulated TCP, and one trace that interleaves the
 * engine lines and the fabric events, each with its virtual time.
 *
 * <pre>
 * DetSim.run(seed, false, cfg, cfg, sim -> { ... body on a virtual thread ... });
 * </pre>
 */
final class DetSim {
    final long seed;
    final SimFabric fabric;
    final SimNetwork net;
    private java.util.function.BiConsumer<String, SmcEngine.Builder> tweak = (who, b) -> { };
    final DeterministicRuntime rt;
    final InetSocketAddress serverAddr;
    /** Engine lines and fabric events, in order, each prefixed with its virtual time. */
    final List<String> trace = new ArrayList<>();
    SmcEngine server;
    SmcEngine client;

    @FunctionalInterface
    interface Body {
        void run(DetSim sim) throws Exception;
    }

    private DetSim(long seed) {
        this.seed = seed;
        fabric = SimFabric.deterministic(seed);
        net = new SimNetwork(fabric);
        DeterministicScheduler sched = fabric.deterministicScheduler();
        rt = new DeterministicRuntime(seed, new DeterministicRuntime.EventSource() {
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
        });
        sched.driveExternally(rt::awaitNanos);
        fabric.addTraceSink(e -> trace.add("sim " + e.line()));
        serverAddr = new InetSocketAddress(SimPair.ip("10.0.0.1"), 5000);
    }

    /** Runs {@code body} deterministically; prints the seed first so a failure can be reproduced. */
    static DetSim run(long seed, boolean twoDevices, SmcConfig serverCfg, SmcConfig clientCfg, Body body)
            throws Exception {
        return run(seed, twoDevices, serverCfg, clientCfg, Duration.ofMinutes(30), body);
    }

    static DetSim run(long seed, boolean twoDevices, SmcConfig serverCfg, SmcConfig clientCfg, Duration maxVirtual,
                      Body body) throws Exception {
        return run(seed, twoDevices, serverCfg, clientCfg, maxVirtual, (who, b) -> { }, body);
    }

    /** With {@code tweak("server"|"client", builder)} applied to each engine's builder (e.g. clcWait). */
    static DetSim run(long seed, boolean twoDevices, SmcConfig serverCfg, SmcConfig clientCfg, Duration maxVirtual,
                      java.util.function.BiConsumer<String, SmcEngine.Builder> tweak, Body body) throws Exception {
        System.out.println("deterministic seed " + seed + " (rerun with -Dsmcj.det.seed=" + seed + ")");
        DetSim sim = new DetSim(seed);
        sim.tweak = tweak;
        sim.rt.maxVirtualTime(maxVirtual);
        try {
            sim.rt.run(() -> {
                sim.start(twoDevices, serverCfg, clientCfg);
                try {
                    body.run(sim);
                } finally {
                    sim.client.close();
                    sim.server.close();
                }
            });
        } catch (Exception | Error e) {
            List<String> t = sim.trace;
            List<String> engineLines = t.stream().filter(l -> !l.startsWith("sim ")).toList();
            System.out.println("deterministic seed " + seed + " FAILED; last engine trace lines:");
            for (String l : engineLines.subList(Math.max(0, engineLines.size() - 60), engineLines.size())) {
                System.out.println("  " + l);
            }
            System.out.println("last trace lines (engine and simulator):");
            for (String l : t.subList(Math.max(0, t.size() - 20), t.size())) {
                System.out.println("  " + l);
            }
            throw e;
        } finally {
            sim.fabric.close();
        }
        System.out.println("deterministic seed " + seed + " done: virtual " + sim.rt.nanoTime() + " ns, " + sim.trace.size()
                + " trace lines, trace sha256 " + sim.traceDigest());
        return sim;
    }

    private void start(boolean twoDevices, SmcConfig serverCfg, SmcConfig clientCfg) {
        InetAddress sIp = SimPair.ip("10.0.0.1");
        InetAddress cIp = SimPair.ip("10.0.0.2");
        fabric.addDevice(SimDeviceConfig.of("srv0", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, sIp));
        fabric.addDevice(SimDeviceConfig.of("cli0", "eth0", new byte[] {2, 0, 0, 0, 0, 2}, cIp));
        if (twoDevices) {
            fabric.addDevice(SimDeviceConfig.of("srv1", "eth1", new byte[] {2, 0, 0, 0, 1, 1}, SimPair.ip("10.0.0.11")));
            fabric.addDevice(SimDeviceConfig.of("cli1", "eth1", new byte[] {2, 0, 0, 0, 1, 2}, SimPair.ip("10.0.0.12")));
        }
        EngineTrace et = new EngineTrace(l -> trace.add("t=" + rt.nanoTime() + " " + l));
        SmcEngine.Builder sb = SmcEngine.builder().name("server").config(serverCfg).trace(et).runtime(rt)
                .tcp(new SimTcpStreams(net, sIp)).verbs(fabric, twoDevices ? List.of("srv0", "srv1") : List.of("srv0"));
        SmcEngine.Builder cb = SmcEngine.builder().name("client").config(clientCfg).trace(et).runtime(rt)
                .tcp(new SimTcpStreams(net, cIp)).verbs(fabric, twoDevices ? List.of("cli0", "cli1") : List.of("cli0"));
        tweak.accept("server", sb);
        tweak.accept("client", cb);
        server = sb.build();
        client = cb.build();
    }

    long now() {
        return rt.nanoTime();
    }

    void sleep(Duration d) {
        rt.sleep(d);
    }

    /** Starts a runtime thread running {@code r} (exceptions are kept for {@link Task#join}). */
    Task spawn(String name, Task.Work r) {
        Task t = new Task();
        t.thread = rt.startThread(name, false, () -> {
            try {
                t.result = r.run();
            } catch (Throwable e) {
                t.failure = e;
            }
        });
        return t;
    }

    /** A runtime thread's outcome. */
    final class Task {
        @FunctionalInterface
        interface Work {
            Object run() throws Exception;
        }

        Thread thread;
        volatile Object result;
        volatile Throwable failure;

        /** Waits (virtual time) for the thread; rethrows its failure. */
        Object join() throws Exception {
            rt.join(thread, Duration.ofDays(1).toMillis());
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " still running");
            }
            if (failure instanceof Exception e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return result;
        }
    }

    /** SHA-256 of the trace (compare runs across JVMs: same seed, same digest). */
    String traceDigest() {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(traceText().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The whole trace as one string (for byte-identity checks). */
    String traceText() {
        return String.join("\n", trace);
    }
}
