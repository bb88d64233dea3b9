package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import io.smcj.protocol.SmcConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** End-to-end engine scenarios in deterministic mode: the same seed gives the same run. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeterministicEngineTest {

    static final long SEED = Long.getLong("smcj.det.seed", 20261121L);

    /** Client sends {@code up} bytes, server {@code down}, concurrently, both checked; then both close. */
    static void exchange(DetSim sim, SmcServerSocket ss, int up, int down) throws Exception {
        byte[] upData = Exchange.random(up, sim.seed * 31 + up);
        byte[] downData = Exchange.random(down, sim.seed * 17 + down);
        DetSim.Task srv = sim.spawn("test-server", () -> {
            try (SmcSocket s = ss.accept()) {
                DetSim.Task w = sim.spawn("test-server-writer", () -> {
                    s.getOutputStream().write(downData);
                    s.shutdownOutput();
                    return null;
                });
                byte[] got = new byte[up];
                new DataInputStream(s.getInputStream()).readFully(got);
                assertArrayEquals(upData, got, "client->server bytes");
                assertEquals(-1, s.getInputStream().read());
                w.join();
                return s.smcStatus();
            }
        });
        try (SmcSocket c = sim.client.connect(sim.serverAddr)) {
            assertTrue(c.isSmc(), c.smcStatus().toString());
            DetSim.Task w = sim.spawn("test-client-writer", () -> {
                c.getOutputStream().write(upData);
                c.shutdownOutput();
                return null;
            });
            byte[] got = new byte[down];
            new DataInputStream(c.getInputStream()).readFully(got);
            assertArrayEquals(downData, got, "server->client bytes");
            assertEquals(-1, c.getInputStream().read());
            w.join();
        }
        srv.join();
    }

    /** First contact, a second connection reusing the link group, data both ways, close. */
    static DetSim scenario(long seed) throws Exception {
        return DetSim.run(seed, false, SimPair.v2Config(), SimPair.v2Config(), sim -> {
            try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                exchange(sim, ss, 100_000, 70_000);
                exchange(sim, ss, 33_333, 250_000);
                assertEquals(1, sim.client.linkGroups().size(), sim.client.linkGroups().toString());
            }
        });
    }

    @Test
    void sameSeedGivesAByteIdenticalTrace() throws Exception {
        DetSim a = scenario(SEED);
        DetSim b = scenario(SEED);
        assertTrue(a.trace.size() > 100, "trace too short: " + a.trace.size());
        assertTrue(a.traceText().contains("first contact") || a.traceText().contains("CONFIRM LINK"), a.traceText());
        assertEquals(a.traceText(), b.traceText());
        assertEquals(0, a.rt.foreignWakeups(), "no continuation was made runnable by a real-time thread");
        if (Boolean.getBoolean("smcj.det.dump")) {
            a.trace.forEach(System.out::println);
        }
        System.out.println("seed " + SEED + ": " + a.trace.size() + " trace lines, " + a.rt.steps() + " steps, "
                + a.rt.simulatorEvents() + " simulator events, virtual end " + a.rt.nanoTime() + " ns, foreign wakeups "
                + a.rt.foreignWakeups());
    }

    /** Trace without values: what happened in which order, not when or with which numbers. */
    static List<String> shape(DetSim sim) {
        List<String> out = new ArrayList<>();
        for (String l : sim.trace) {
            out.add(l.replaceAll("^sim \\d+ ", "sim ").replaceAll("t=\\d+ ", "").replaceAll("(0x)?[0-9a-f]*[0-9][0-9a-f]*", "#"));
        }
        return out;
    }

    @Test
    void differentSeedsInterleaveDifferently() throws Exception {
        // jitter (0..2 us per transfer) and the seeded PSNs/tokens change which of two concurrent
        // sends executes first: some pair of seeds must give a different order of events
        Set<List<String>> shapes = new HashSet<>();
        Set<String> texts = new HashSet<>();
        for (long seed = 1; seed <= 4; seed++) {
            DetSim sim = scenario(seed);
            shapes.add(shape(sim));
            texts.add(sim.traceText());
        }
        assertEquals(4, texts.size(), "every seed gives its own trace");
        assertTrue(shapes.size() >= 2, "four seeds gave one and the same order of events");
        if (Boolean.getBoolean("smcj.det.dump")) {
            List<List<String>> l = new ArrayList<>(shapes);
            for (int i = 0; i < Math.min(l.get(0).size(), l.get(1).size()); i++) {
                if (!l.get(0).get(i).equals(l.get(1).get(i))) {
                    System.out.println("first difference at line " + i + ":\n  " + l.get(0).get(i) + "\n  " + l.get(1).get(i));
                    break;
                }
            }
        }
    }

    /** Waits (virtual time, at most {@code max}) until {@code p} holds. */
    static void await(DetSim sim, BooleanSupplier p, String what, Duration max) {
        long deadline = sim.now() + max.toNanos();
        while (!p.getAsBoolean()) {
            if (sim.now() - deadline > 0) {
                throw new AssertionError("not within " + max + " of virtual time: " + what);
            }
            sim.sleep(Duration.ofMillis(1));
        }
    }

    static SmcSocket[] connect(DetSim sim, SmcServerSocket ss) throws Exception {
        DetSim.Task a = sim.spawn("test-accept", ss::accept);
        SmcSocket c = sim.client.connect(sim.serverAddr);
        return new SmcSocket[] {c, (SmcSocket) a.join()};
    }

    static DetSim.Task writer(DetSim sim, SmcSocket s, byte[] data, int chunk) {
        return sim.spawn("test-writer", () -> {
            for (int off = 0; off < data.length; off += chunk) {
                s.getOutputStream().write(data, off, Math.min(chunk, data.length - off));
            }
            s.shutdownOutput();
            return null;
        });
    }

    static DetSim.Task reader(DetSim sim, SmcSocket s, int bufSize) {
        return sim.spawn("test-reader", () -> {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] b = new byte[bufSize];
            int n;
            while ((n = in.read(b)) >= 0) {
                got.write(b, 0, n);
            }
            return got.toByteArray();
        });
    }

    @Test
    void v2FailoverWhenTheServersFirstPortGoesDownLosesNoByte() throws Exception {
        failoverDuringTransfers(SEED + 1, SimPair.v2Config(), "srv0");
    }

    @Test
    void v1FailoverWhenTheClientsFirstPortGoesDownLosesNoByte() throws Exception {
        failoverDuringTransfers(SEED + 6, SmcConfig.builder().v2Enabled(false).build(), "cli0");
    }

    private static void failoverDuringTransfers(long seed, SmcConfig cfg, String downDevice) throws Exception {
        DetSim.run(seed, true, cfg, cfg, sim -> {
            try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                SmcSocket[] x = connect(sim, ss);
                await(sim, () -> sim.trace.stream().filter(l -> l.contains("new link up")).count() >= 2,
                        "both sides confirmed the second link", Duration.ofSeconds(10));
                SmcSocket[] y = connect(sim, ss);
                byte[] up = Exchange.random(3_000_000, seed);
                byte[] down = Exchange.random(2_000_000, seed + 1);
                byte[] up2 = Exchange.random(1_000_000, seed + 2);
                DetSim.Task w1 = writer(sim, x[0], up, 50_000);
                DetSim.Task w2 = writer(sim, x[1], down, 70_000);
                DetSim.Task w3 = writer(sim, y[0], up2, 30_000);
                DetSim.Task r1 = reader(sim, x[1], 40_000);
                DetSim.Task r2 = reader(sim, x[0], 64_000);
                DetSim.Task r3 = reader(sim, y[1], 10_000);
                long tDown = sim.now() + Duration.ofNanos(100_000).toNanos();
                sim.fabric.at(Duration.ofNanos(100_000), () -> sim.fabric.linkDown(downDevice, 1)); // mid-transfer (they take ~0.7 ms)
                assertArrayEquals(up, (byte[]) r1.join());
                assertArrayEquals(down, (byte[]) r2.join());
                assertArrayEquals(up2, (byte[]) r3.join());
                w1.join();
                w2.join();
                w3.join();
                assertTrue(sim.trace.stream().anyMatch(l -> l.contains("server link group 1: connections move")),
                        "server moved its connections");
                assertTrue(sim.trace.stream().anyMatch(l -> l.contains("client link group 1: connections move")),
                        "client moved its connections");
                assertTrue(sim.trace.stream().anyMatch(l -> l.contains("DELETE LINK request link_num=1")));
                assertTrue(sim.now() > tDown, "the transfers outlived the port");
                // the port event reaches the agent at once (smc_ib_global_event_handler), not on a tick
                long tMove = sim.trace.stream().filter(l -> l.contains(": connections move"))
                        .mapToLong(l -> Long.parseLong(l.substring(2, l.indexOf(' ')))).min().orElseThrow();
                assertTrue(tMove - tDown < 1_000_000, "connections moved " + (tMove - tDown)
                        + " ns (virtual) after the port went down");
                assertTrue(sim.client.stats().snapshot().linksDown() + sim.server.stats().snapshot().linksDown() >= 1);
                for (SmcSocket s : new SmcSocket[] {x[0], x[1], y[0], y[1]}) {
                    s.close();
                }
            }
        });
    }

    @Test
    void losingTheOnlyLinkAbortsCleanly() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").testlinkTime(Duration.ofMillis(300)).build();
        DetSim.run(SEED + 2, false, cfg, cfg, sim -> {
            try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                SmcSocket[] x = connect(sim, ss);
                DetSim.Task w = sim.spawn("test-writer", () -> {
                    byte[] b = new byte[64 * 1024];
                    try {
                        while (true) {
                            x[0].getOutputStream().write(b);
                        }
                    } catch (IOException e) {
                        return e;
                    }
                });
                DetSim.Task r = sim.spawn("test-reader", () -> {
                    byte[] b = new byte[64 * 1024];
                    try {
                        while (x[1].getInputStream().read(b) >= 0) {
                            // drain
                        }
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                });
                sim.sleep(Duration.ofMillis(2));
                sim.fabric.linkDown("cli0", 1);
                Object we = w.join();
                assertTrue(we instanceof LinkDownException, String.valueOf(we));
                assertTrue(((Exception) we).getMessage().contains("link group lost"), ((Exception) we).getMessage());
                Object re = r.join();
                assertTrue(re instanceof IOException, String.valueOf(re));
                assertEquals(0, sim.client.linkGroups().size());
                assertTrue(sim.client.stats().snapshot().linksDown() >= 1);
            }
        });
    }

    @Test
    void closeAndAbortInBothOrders() throws Exception {
        DetSim.run(SEED + 3, false, SimPair.v2Config(), SimPair.v2Config(), sim -> {
            try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                for (boolean clientFirst : new boolean[] {true, false}) {
                    // orderly close: the other side reads the data, then EOF
                    SmcSocket[] x = connect(sim, ss);
                    SmcSocket first = clientFirst ? x[0] : x[1];
                    SmcSocket second = clientFirst ? x[1] : x[0];
                    byte[] d = Exchange.random(100_000, 5);
                    first.getOutputStream().write(d);
                    first.close();
                    byte[] got = new byte[d.length];
                    new DataInputStream(second.getInputStream()).readFully(got);
                    assertArrayEquals(d, got);
                    assertEquals(-1, second.getInputStream().read());
                    second.close();
                    // abort: the other side's read fails with a reset
                    SmcSocket[] y = connect(sim, ss);
                    SmcSocket aborter = clientFirst ? y[0] : y[1];
                    SmcSocket victim = clientFirst ? y[1] : y[0];
                    DetSim.Task r = sim.spawn("test-victim", () -> {
                        try {
                            return victim.getInputStream().read();
                        } catch (IOException e) {
                            return e;
                        }
                    });
                    sim.sleep(Duration.ofMillis(1));
                    aborter.abort();
                    Object res = r.join();
                    assertTrue(res instanceof SocketException && ((Exception) res).getMessage().contains("reset"),
                            String.valueOf(res));
                    victim.close();
                }
            }
            await(sim, () -> sim.client.connections().isEmpty() && sim.server.connections().isEmpty(),
                    "all connections gone", Duration.ofSeconds(5));
        });
    }

    @Test
    void slowReaderFillsTheRingAndNothingIsLost() throws Exception {
        SmcConfig small = SmcConfig.builder().addUeid("SMCJ-TEST").rmem(16 * 1024).wmem(16 * 1024).build();
        DetSim.run(SEED + 4, false, small, small, sim -> {
            try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                SmcSocket[] x = connect(sim, ss);
                byte[] data = Exchange.random(300_000, 9);
                DetSim.Task w = writer(sim, x[0], data, 100_000);
                InputStream in = x[1].getInputStream();
                byte[] got = new byte[data.length];
                int off = 0;
                while (off < got.length) {
                    int n = in.read(got, off, Math.min(3000, got.length - off));
                    assertTrue(n > 0, "early EOF at " + off);
                    off += n;
                    sim.sleep(Duration.ofMillis(1)); // the reader is slower than the wire
                }
                assertArrayEquals(data, got);
                assertEquals(-1, in.read());
                w.join();
                var st = sim.client.stats().snapshot();
                assertTrue(st.bufFullPeer() > 0, "the writer found the peer's RMB full: " + st.toText());
                assertTrue(st.sndbufFull() > 0, "the writer waited for send buffer space");
                x[0].close();
                x[1].close();
            }
        });
    }

    @Test
    void unansweredTestLinkFailsTheLinkAtTheKernelsTime() throws Exception {
        Duration interval = Duration.ofSeconds(1);
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").testlinkTime(interval).build();
        DetSim.run(SEED + 5, false, cfg, cfg, sim -> {
            try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                SmcSocket[] x = connect(sim, ss);
                // the server's answers now take 10 s: its TEST LINK response comes too late
                sim.fabric.setDelay("srv0", 1, Duration.ofSeconds(10));
                long t0 = sim.client.lgrs.getFirst().links.getFirst().lastRecvNanos; // the client's last receive
                IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                        () -> x[0].getInputStream().read());
                long failedAt = sim.now();
                assertTrue(e instanceof LinkDownException, e.toString());
                long sent = -1;
                for (String l : sim.trace) {
                    if (l.startsWith("t=") && l.contains("client -> LLC TEST LINK request")) {
                        sent = Long.parseLong(l.substring(2, l.indexOf(' ')));
                        break;
                    }
                }
                assertTrue(sent >= 0, "client sent TEST LINK");
                long wait = Duration.ofMillis(SmcConstants.LLC_WAIT_TIME_MS).toNanos();
                long tick = Duration.ofMillis(20).toNanos(); // the agent's timer granularity
                // smc_llc_testlink_work: TEST LINK after testlink_time without receiving ...
                assertTrue(sent - t0 > interval.toNanos() && sent - t0 <= interval.toNanos() + tick,
                        "TEST LINK sent " + (sent - t0) + " ns after the last receive");
                // ... and the link goes down when no answer came within SMC_LLC_WAIT_TIME
                assertTrue(failedAt - sent > wait && failedAt - sent <= wait + tick,
                        "link failed " + (failedAt - sent) + " ns after the TEST LINK");
                System.out.println("TEST LINK sent at +" + (sent - t0) + " ns, link failed at +" + (failedAt - t0)
                        + " ns (virtual)");
            }
        });
    }

    /** 100 connections opened at once share one link group; each echoes its own bytes; the run replays. */
    static DetSim hundredConcurrentConnections(long seed) throws Exception {
        int n = 100;
        return DetSim.run(seed, false, SimPair.v2Config(), SimPair.v2Config(), sim -> {
            try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                List<SmcStatus> serverStatuses = new ArrayList<>();
                DetSim.Task server = sim.spawn("test-echo-server", () -> {
                    List<DetSim.Task> echo = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        SmcSocket s = ss.accept();
                        serverStatuses.add(s.smcStatus());
                        echo.add(sim.spawn("test-echo", () -> {
                            try (s) {
                                byte[] buf = new byte[8192];
                                int k;
                                while ((k = s.getInputStream().read(buf)) > 0) {
                                    s.getOutputStream().write(buf, 0, k);
                                }
                            }
                            return null;
                        }));
                    }
                    for (DetSim.Task t : echo) {
                        t.join();
                    }
                    return null;
                });
                List<DetSim.Task> clients = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    int size = 5_000 + 997 * i;
                    long dseed = seed + i;
                    clients.add(sim.spawn("test-client-" + i, () -> {
                        try (SmcSocket c = sim.client.connect(sim.serverAddr)) {
                            assertTrue(c.isSmc(), c.smcStatus().toString());
                            byte[] data = Exchange.random(size, dseed);
                            DetSim.Task w = writer(sim, c, data, 4096);
                            byte[] got = new byte[size];
                            new DataInputStream(c.getInputStream()).readFully(got);
                            assertArrayEquals(data, got);
                            assertEquals(-1, c.getInputStream().read());
                            w.join();
                            return sim.client.linkGroups().size();
                        }
                    }));
                }
                for (DetSim.Task t : clients) {
                    assertEquals(1, t.join(), "one link group while the connections were open");
                }
                server.join();
                assertEquals(n, sim.client.stats().snapshot().clntV2Succ());
                assertEquals(1, sim.client.stats().snapshot().lgrCreated());
                assertEquals(1, sim.server.stats().snapshot().lgrCreated());
                assertEquals(1, serverStatuses.stream().filter(st -> st.detail().contains("first contact")).count());
            }
        });
    }

    @Test
    void hundredConcurrentConnectionsShareOneLinkGroupAndReplay() throws Exception {
        DetSim a = hundredConcurrentConnections(SEED + 7);
        DetSim b = hundredConcurrentConnections(SEED + 7);
        assertEquals(a.traceDigest(), b.traceDigest(), "same seed, same trace");
        assertEquals(a.trace.size(), b.trace.size());
    }
}
