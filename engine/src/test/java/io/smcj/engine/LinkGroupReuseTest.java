package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Link-group reuse: many connections share one link group, up to max conns; then a second one. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LinkGroupReuseTest {

    /** Echo server: each accepted connection echoes until EOF. */
    private static CompletableFuture<Void> echoServer(SmcServerSocket ss, int n, List<SmcStatus> statuses) {
        return CompletableFuture.runAsync(() -> {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    SmcSocket s = ss.accept();
                    synchronized (statuses) {
                        statuses.add(s.smcStatus());
                    }
                    all.add(CompletableFuture.runAsync(() -> {
                        try (s) {
                            byte[] buf = new byte[8192];
                            int k;
                            while ((k = s.getInputStream().read(buf)) > 0) {
                                s.getOutputStream().write(buf, 0, k);
                            }
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

    private static void echoOnce(SmcSocket c, int size, long seed) throws Exception {
        byte[] data = Exchange.random(size, seed);
        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
            try {
                c.getOutputStream().write(data);
                c.shutdownOutput();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
        byte[] got = new byte[size];
        new DataInputStream(c.getInputStream()).readFully(got);
        w.get(30, TimeUnit.SECONDS);
        assertArrayEquals(data, got);
        assertEquals(-1, c.getInputStream().read());
    }

    @Test
    void hundredConcurrentConnectionsShareOneLinkGroup() throws Exception {
        int n = 100;
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config());
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<SmcStatus> serverStatuses = new ArrayList<>();
            CompletableFuture<Void> server = echoServer(ss, n, serverStatuses);
            List<SmcSocket> sockets = new ArrayList<>();
            List<CompletableFuture<SmcSocket>> connects = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                connects.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return p.client.connect(p.serverAddr);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, Exchange.POOL));
            }
            for (var f : connects) {
                sockets.add(f.get(60, TimeUnit.SECONDS));
            }
            for (SmcSocket s : sockets) {
                assertTrue(s.isSmc(), s.smcStatus().toString());
            }
            assertEquals(1, p.client.linkGroups().size(), p.client.linkGroups().toString());
            assertEquals(1, p.server.linkGroups().size(), p.server.linkGroups().toString());
            assertEquals(n, p.client.connections().size());
            List<CompletableFuture<Void>> echoes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SmcSocket s = sockets.get(i);
                int size = 10_000 + 997 * i;
                long seed = i;
                echoes.add(CompletableFuture.runAsync(() -> {
                    try (s) {
                        echoOnce(s, size, seed);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, Exchange.POOL));
            }
            CompletableFuture.allOf(echoes.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
            server.get(90, TimeUnit.SECONDS);
            assertEquals(n, p.client.stats().snapshot().clntV2Succ());
            assertEquals(1, p.client.stats().snapshot().lgrCreated());
            long first = serverStatuses.stream().filter(s -> s.detail().contains("first contact")).count();
            assertEquals(1, first, serverStatuses.toString());
        }
    }

    @Test
    void beyondMaxConnectionsASecondLinkGroupIsCreated() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").maxConnsPerLgr(16).build();
        int n = 20;
        try (SimPair p = new SimPair(cfg, cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<SmcStatus> serverStatuses = new ArrayList<>();
            CompletableFuture<Void> server = echoServer(ss, n, serverStatuses);
            List<SmcSocket> sockets = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SmcSocket s = p.client.connect(p.serverAddr);
                assertTrue(s.isSmc(), s.smcStatus().toString());
                sockets.add(s);
            }
            assertEquals(2, p.client.linkGroups().size(), p.client.linkGroups().toString());
            assertEquals(2, p.server.linkGroups().size(), p.server.linkGroups().toString());
            for (int i = 0; i < n; i++) {
                try (SmcSocket s = sockets.get(i)) {
                    echoOnce(s, 50_000, i);
                }
            }
            server.get(60, TimeUnit.SECONDS);
            assertEquals(2, p.server.stats().snapshot().lgrCreated());
        }
    }

    @Test
    void closedConnectionsLeaveTheLinkGroupToBeReused() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config());
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<SmcStatus> serverStatuses = new ArrayList<>();
            CompletableFuture<Void> server = echoServer(ss, 5, serverStatuses);
            for (int i = 0; i < 5; i++) {
                try (SmcSocket s = p.client.connect(p.serverAddr)) {
                    echoOnce(s, 100_000, i);
                }
            }
            server.get(60, TimeUnit.SECONDS);
            assertEquals(1, p.server.stats().snapshot().lgrCreated());
            assertEquals(1, p.server.linkGroups().size());
            // as Linux 6.12 (fixture smcr612-harness-reuse-4k.pcap): new RMBs of a reused group are
            // confirmed with CONFIRM RKEY, freed ones deleted with DELETE RKEY, even on one link
            CloseAndAbortTest.await(() -> p.traceLines.stream().anyMatch(l -> l.contains("DELETE RKEY request")),
                    "DELETE RKEY");
            assertTrue(p.traceLines.stream().anyMatch(l -> l.contains("CONFIRM RKEY request")));
            // every connection released its buffers: only the link's slot buffers stay registered
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.client.connections().size() + p.server.connections().size() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, p.client.connections().size());
        }
    }
}
