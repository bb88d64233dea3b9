package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.protocol.DeclineCode;
import io.smcj.simulator.tcp.SimTcpStreams;
import io.smcj.transport.tcp.stream.TcpStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code limit_smc_hs} on the simulator: while a listener has {@code smcj.max_concurrent_handshakes}
 * SMC handshakes in flight, its SYN-ACKs carry no SMC option (kernel {@code smc_hs_congested} ->
 * {@code tcp_openreq_init} clears {@code smc_ok}); those connections are TCP on both sides
 * (PEERNOSMC) and carry the application's bytes intact.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HandshakeLimitTest {

    /** One connection's outcome on both sides, paired by the index the client sent first. */
    record Pair(int index, SmcStatus client, SmcStatus server) {
    }

    /** Server side of {@link #burst}: echo after a header (index, length); statuses by index. */
    private static CompletableFuture<Void> echoServer(SmcServerSocket ss, int n, Map<Integer, SmcStatus> byIndex) {
        return CompletableFuture.runAsync(() -> {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    SmcSocket s = ss.accept();
                    all.add(CompletableFuture.runAsync(() -> {
                        try (s) {
                            DataInputStream in = new DataInputStream(s.getInputStream());
                            int index = in.readInt();
                            int len = in.readInt();
                            byIndex.put(index, s.smcStatus());
                            byte[] b = new byte[len];
                            in.readFully(b);
                            DataOutputStream out = new DataOutputStream(s.getOutputStream());
                            out.writeInt(index);
                            out.write(b);
                            s.shutdownOutput();
                            assertEquals(-1, in.read());
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }, Exchange.POOL));
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
    }

    /** {@code n} concurrent connects, each sends a distinct payload and checks its echo. */
    static List<Pair> burst(SmcEngine client, SmcServerSocket ss, InetSocketAddress addr, int n) throws Exception {
        Map<Integer, SmcStatus> server = new ConcurrentHashMap<>();
        CompletableFuture<Void> srv = echoServer(ss, n, server);
        List<CompletableFuture<SmcStatus>> clients = new ArrayList<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            int index = i;
            clients.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    byte[] data = Exchange.random(1000 + 7919 * index, index);
                    try (SmcSocket c = client.connect(addr)) {
                        DataOutputStream out = new DataOutputStream(c.getOutputStream());
                        out.writeInt(index);
                        out.writeInt(data.length);
                        out.write(data);
                        c.shutdownOutput();
                        DataInputStream in = new DataInputStream(c.getInputStream());
                        assertEquals(index, in.readInt());
                        byte[] got = new byte[data.length];
                        in.readFully(got);
                        assertArrayEquals(data, got, "echo of connection " + index);
                        assertEquals(-1, in.read());
                        return c.smcStatus();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL));
        }
        go.countDown();
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Pair(i, clients.get(i).get(90, TimeUnit.SECONDS), null));
        }
        srv.get(90, TimeUnit.SECONDS);
        return out.stream().map(p -> new Pair(p.index(), p.client(), server.get(p.index()))).toList();
    }

    private static SimPair pair(boolean limit, int max) {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").limitSmcHs(limit).maxConcurrentHandshakes(max)
                .build();
        // the server waits long for a Proposal, so a stalled handshake stays in flight
        return new SimPair(cfg, SimPair.v2Config(), true, true, (who, b) -> {
            if (who.equals("server")) {
                b.clcWait(Duration.ofSeconds(60));
            }
        });
    }

    /** TCP connections that offered SMC, got it, and never send a Proposal: handshakes in flight. */
    private static List<TcpStream> stall(SimPair p, int k) throws Exception {
        SimTcpStreams raw = new SimTcpStreams(p.net, SimPair.ip("10.0.0.3"));
        List<TcpStream> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            TcpStream s = raw.connect(p.serverAddr, true, Duration.ofSeconds(5));
            assertTrue(s.smcVerdict().smcPossible(), s.smcVerdict().toString());
            out.add(s);
        }
        return out;
    }

    @Test
    void congestedListenerDropsTheOptionAndBothSidesFallBackPeerNoSmc() throws Exception {
        try (SimPair p = pair(true, 3); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<String> tcpTrace = new java.util.concurrent.CopyOnWriteArrayList<>();
            p.fabric.addTraceSink(e -> tcpTrace.add(e.toString()));
            List<TcpStream> stalled = stall(p, 3);
            CloseAndAbortTest.await(ss::smcHsCongested, "listener congested");
            List<Pair> r = burst(p.client, ss, p.serverAddr, 12);
            for (Pair x : r) {
                assertFalse(x.client().smc(), x.toString());
                assertEquals(DeclineCode.PEERNOSMC, x.client().fallbackReason(), x.toString());
                assertEquals(DeclineCode.PEERNOSMC, x.server().fallbackReason(), x.toString());
                assertTrue(x.server().detail().contains("limit_smc_hs"), x.server().toString());
            }
            assertEquals(Map.of(DeclineCode.PEERNOSMC.value(), 12L), p.client.stats().snapshot().fallbackClient());
            assertEquals(Map.of(DeclineCode.PEERNOSMC.value(), 12L), p.server.stats().snapshot().fallbackServer());
            // the simulated SYN-ACKs really left the option out: 12 of them, none before congestion
            assertEquals(12, tcpTrace.stream().filter(l -> l.contains("syn-ack [] (listener congested: limit_smc_hs)"))
                    .count(), String.join("\n", tcpTrace));
            // the stalled handshakes end (peer closed: handshake errors), the listener offers SMC again
            for (TcpStream s : stalled) {
                s.close();
            }
            CloseAndAbortTest.await(() -> p.server.stats().snapshot().srvHshakeErr() == 3, "3 handshake errors");
            CloseAndAbortTest.await(() -> !ss.smcHsCongested(), "congestion over");
            List<Pair> after = burst(p.client, ss, p.serverAddr, 2);
            for (Pair x : after) {
                assertTrue(x.client().smc() && x.server().smc(), x.toString());
            }
        }
    }

    @Test
    void burstAboveTheLimitIsConsistentOnBothSidesAndLosesNoByte() throws Exception {
        try (SimPair p = pair(true, 1); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            int n = 40;
            List<Pair> r = burst(p.client, ss, p.serverAddr, n);
            long fellBack = 0;
            for (Pair x : r) {
                // one connection, one outcome: SMC-R on both sides, or PEERNOSMC on both
                assertEquals(x.client().smc(), x.server().smc(), x.toString());
                if (!x.client().smc()) {
                    fellBack++;
                    assertEquals(DeclineCode.PEERNOSMC, x.client().fallbackReason(), x.toString());
                    assertEquals(DeclineCode.PEERNOSMC, x.server().fallbackReason(), x.toString());
                }
            }
            var cs = p.client.stats().snapshot();
            var sv = p.server.stats().snapshot();
            assertEquals(fellBack, cs.fallbackClient().getOrDefault(DeclineCode.PEERNOSMC.value(), 0L), cs.toText());
            assertEquals(fellBack, sv.fallbackServer().getOrDefault(DeclineCode.PEERNOSMC.value(), 0L), sv.toText());
            assertEquals(fellBack, cs.fallbacks());
            assertEquals(n - fellBack, cs.clntV2Succ());
            System.out.println("limit_smc_hs burst: " + fellBack + " of " + n + " connections fell back (PEERNOSMC)");
        }
    }

    @Test
    void belowTheLimitNoConnectionFallsBack() throws Exception {
        try (SimPair p = pair(true, 8); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<Pair> r = burst(p.client, ss, p.serverAddr, 7); // never 8 handshakes in flight
            for (Pair x : r) {
                assertTrue(x.client().smc() && x.server().smc(), x.toString());
            }
            assertFalse(ss.smcHsCongested());
            assertEquals(0, p.client.stats().snapshot().fallbacks() + p.server.stats().snapshot().fallbacks());
        }
    }

    @Test
    void withLimitSmcHsOffStalledHandshakesDoNotCauseFallbacks() throws Exception {
        try (SimPair p = pair(false, 1); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<TcpStream> stalled = stall(p, 3);
            List<Pair> r = burst(p.client, ss, p.serverAddr, 12);
            for (Pair x : r) {
                assertTrue(x.client().smc() && x.server().smc(), x.toString());
            }
            assertFalse(ss.smcHsCongested());
            assertEquals(0, p.client.stats().snapshot().fallbacks() + p.server.stats().snapshot().fallbacks());
            for (TcpStream s : stalled) {
                s.close();
            }
        }
    }

    /**
     * {@code smc_tcp_syn_recv_sock}: with {@code backlog + 1} SMC handshakes in flight the listener
     * takes no further connection (limit_smc_hs off: the rule always applies); it is taken, and its
     * handshake completes on SMC-R, once a stalled handshake ends.
     */
    @Test
    void handshakesInFlightBeyondTheBacklogWaitForRoom() throws Exception {
        try (SimPair p = pair(false, 64); SmcServerSocket ss = p.server.listen(p.serverAddr, 2)) {
            List<TcpStream> stalled = stall(p, 3);
            CloseAndAbortTest.await(() -> ss.handshakesInFlight() == 3, "3 handshakes in flight");
            CompletableFuture<SmcSocket> late = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.client.connect(p.serverAddr);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL);
            Thread.sleep(300);
            assertFalse(late.isDone(), "the 4th connection must wait: " + (late.isDone() ? late.join() : ""));
            assertEquals(3, ss.handshakesInFlight());
            stalled.getFirst().close();
            SmcSocket c = late.get(30, TimeUnit.SECONDS);
            assertTrue(c.smcStatus().smc(), c.smcStatus().toString());
            SmcSocket s = ss.accept();
            assertTrue(s.smcStatus().smc(), s.smcStatus().toString());
            c.close();
            s.close();
            for (TcpStream t : stalled) {
                t.close();
            }
        }
    }

    /** {@code sk_acceptq_is_full}: with more than backlog connections waiting for accept(), no new handshake starts. */
    @Test
    void aFullAcceptQueueHoldsNewHandshakesUntilTheApplicationAccepts() throws Exception {
        try (SimPair p = pair(false, 64); SmcServerSocket ss = p.server.listen(p.serverAddr, 1)) {
            SmcSocket c1 = p.client.connect(p.serverAddr);
            SmcSocket c2 = p.client.connect(p.serverAddr);
            // both server handshakes done: two connections wait for accept() (more than backlog 1)
            CloseAndAbortTest.await(() -> p.server.connections().size() == 2, "2 connections ready");
            CompletableFuture<SmcSocket> late = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.client.connect(p.serverAddr);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL);
            Thread.sleep(300);
            assertFalse(late.isDone(), "the 3rd handshake must wait for accept()");
            List<SmcSocket> accepted = new ArrayList<>(List.of(ss.accept()));
            SmcSocket c3 = late.get(30, TimeUnit.SECONDS);
            assertTrue(c1.smcStatus().smc() && c2.smcStatus().smc() && c3.smcStatus().smc());
            accepted.add(ss.accept());
            accepted.add(ss.accept());
            for (SmcSocket x : accepted) {
                assertTrue(x.smcStatus().smc(), x.smcStatus().toString());
                x.close();
            }
            c1.close();
            c2.close();
            c3.close();
        }
    }
}
