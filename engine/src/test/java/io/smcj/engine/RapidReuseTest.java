package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rapid connect + write + close with a small {@code smcr_max_conns_per_lgr}: the client's link
 * group still holds connections whose close has not completed on its side while the server has
 * already released them. The server decides reuse (Linux {@code smc_conn_create}: only the server
 * checks {@code conns_num < max_conns}); a client that also counts declines the server's reuse with
 * SYNCERR and the connection falls back.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RapidReuseTest {

    @Test
    void rapidConnectWriteCloseNeverFallsBack() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").maxConnsPerLgr(16).build();
        int n = 300;
        try (SimPair p = new SimPair(cfg, cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<byte[]> received = new ArrayList<>();
            List<SmcStatus> serverStatus = new ArrayList<>();
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                List<CompletableFuture<Void>> all = new ArrayList<>();
                try {
                    for (int i = 0; i < n; i++) {
                        SmcSocket s = ss.accept();
                        int idx = i;
                        synchronized (serverStatus) {
                            serverStatus.add(s.smcStatus());
                            received.add(null);
                        }
                        all.add(CompletableFuture.runAsync(() -> {
                            try (s) {
                                ByteArrayOutputStream b = new ByteArrayOutputStream();
                                s.getInputStream().transferTo(b);
                                synchronized (serverStatus) {
                                    received.set(idx, b.toByteArray());
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
            List<SmcStatus> clientStatus = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SmcSocket c = p.client.connect(p.serverAddr);
                clientStatus.add(c.smcStatus());
                c.getOutputStream().write(Exchange.random(100 + i, i));
                c.close(); // returns at once: the close handshake completes later
            }
            server.get(90, TimeUnit.SECONDS);
            // accept order may differ from connect order (server handshakes run concurrently):
            // connection i is recognised by its length 100 + i
            received.sort(java.util.Comparator.comparingInt(b -> b.length));
            for (int i = 0; i < n; i++) {
                assertArrayEquals(Exchange.random(100 + i, i), received.get(i), "connection " + i);
            }
            var cs = p.client.stats().snapshot();
            var sv = p.server.stats().snapshot();
            assertEquals(Map.of(), cs.fallbackClient(), cs.toText());
            assertEquals(Map.of(), sv.fallbackServer(), sv.toText());
            for (SmcStatus st : clientStatus) {
                assertTrue(st.smc(), st.toString());
            }
            assertEquals(n, cs.clntV2Succ());
            assertEquals(n, sv.srvV2Succ());
        }
    }

    /** As the setup benchmark: the server closes each accepted socket at once, the client connects and closes. */
    @Test
    void rapidConnectCloseWithServerClosingAtOnceNeverFallsBack() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").maxConnsPerLgr(16).build();
        int n = 400;
        try (SimPair p = new SimPair(cfg, cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        ss.accept().close();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL);
            List<SmcStatus> clientStatus = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SmcSocket c = p.client.connect(p.serverAddr);
                clientStatus.add(c.smcStatus());
                c.close();
            }
            server.get(90, TimeUnit.SECONDS);
            var cs = p.client.stats().snapshot();
            var sv = p.server.stats().snapshot();
            assertEquals(Map.of(), cs.fallbackClient(), cs.toText());
            assertEquals(Map.of(), sv.fallbackServer(), sv.toText());
            for (SmcStatus st : clientStatus) {
                assertTrue(st.smc(), st.toString());
            }
        }
    }

    /**
     * The asymmetry made deterministic: the server aborts each connection (released at once on its
     * side) while the client application still holds its socket (the kernel's client too frees the
     * connection only when the application closes it, {@code smc_conn_free}). The server's link
     * group has room, the client's holds max conns: the 17th connection must still reuse it.
     */
    @Test
    void serverReleasedConnectionsTheClientStillHoldsDoNotBlockReuse() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").maxConnsPerLgr(16).build();
        int n = 24;
        try (SimPair p = new SimPair(cfg, cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<SmcSocket> held = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                CompletableFuture<SmcSocket> acc = CompletableFuture.supplyAsync(() -> {
                    try {
                        return ss.accept();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, Exchange.POOL);
                SmcSocket c = p.client.connect(p.serverAddr);
                held.add(c);
                assertTrue(c.smcStatus().smc(), "connection " + i + ": " + c.smcStatus());
                SmcSocket s = acc.get(30, TimeUnit.SECONDS);
                assertTrue(s.smcStatus().smc(), s.smcStatus().toString());
                s.abort();
                CloseAndAbortTest.await(() -> p.server.linkGroups().stream().allMatch(l -> l.endsWith(" conns 0]")),
                        "server released connection " + i);
            }
            assertEquals(1, p.server.stats().snapshot().lgrCreated(), p.server.linkGroups().toString());
            assertEquals(1, p.client.stats().snapshot().lgrCreated(), p.client.linkGroups().toString());
            assertTrue(p.client.linkGroups().getFirst().endsWith(" conns " + n + "]"), p.client.linkGroups().toString());
            for (SmcSocket c : held) {
                c.close();
            }
            CloseAndAbortTest.await(() -> p.client.linkGroups().stream().allMatch(l -> l.endsWith(" conns 0]")),
                    "client released all connections");
            var cs = p.client.stats().snapshot();
            assertEquals(Map.of(), cs.fallbackClient(), cs.toText());
        }
    }

    /**
     * A real out-of-sync case: the client lost its link group without telling the server. The
     * server's reuse is declined with SYNCERR (the Decline carries the out-of-sync flag, as
     * {@code smc_clc_send_decline}); the server then marks its group {@code sync_err} and ends it
     * ({@code smc_clc_wait_msg} -> {@code smc_lgr_terminate_sched}), so the next connection is a
     * first contact on both sides and runs SMC-R.
     */
    @Test
    void syncErrDeclineEndsTheServersLinkGroup() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config());
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<SmcSocket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        accepted.add(ss.accept());
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL);
            SmcSocket c1 = p.client.connect(p.serverAddr);
            assertTrue(c1.smcStatus().smc(), c1.smcStatus().toString());
            LinkGroup forgotten = p.client.lgrs.getFirst();
            // the client's group goes out of use while its links still answer LLC (as a kernel
            // client's group being freed): the server's CONFIRM RKEY for the reuse succeeds, the
            // client cannot match the Accept's link group and declines SYNCERR. (Destroying the
            // client's QPs instead makes the server's CONFIRM RKEY fail first: ERR_REGBUF, no SYNCERR.)
            forgotten.terminating = true;
            SmcSocket c2 = p.client.connect(p.serverAddr);
            assertEquals(io.smcj.protocol.DeclineCode.SYNCERR, c2.smcStatus().fallbackReason(), c2.smcStatus().toString());
            CloseAndAbortTest.await(() -> accepted.size() == 2, "second accept");
            SmcStatus s2 = accepted.get(1).smcStatus();
            assertEquals(io.smcj.protocol.DeclineCode.PEERDECL, s2.fallbackReason(), s2.toString());
            assertEquals(io.smcj.protocol.DeclineCode.SYNCERR.value(), s2.peerDiagnosis());
            CloseAndAbortTest.await(() -> p.server.linkGroups().isEmpty(), "server ends the out-of-sync link group");
            // the fallback connection still carries data over TCP
            c2.getOutputStream().write(new byte[] {1, 2, 3});
            byte[] got = accepted.get(1).getInputStream().readNBytes(3);
            assertArrayEquals(new byte[] {1, 2, 3}, got);
            SmcSocket c3 = p.client.connect(p.serverAddr);
            assertTrue(c3.smcStatus().smc(), c3.smcStatus().toString());
            assertTrue(c3.smcStatus().detail().contains("first contact"), c3.smcStatus().toString());
            server.get(30, TimeUnit.SECONDS);
            c1.abort();
            c2.close();
            c3.close();
            for (SmcSocket s : accepted) {
                s.abort();
            }
        }
    }

    /**
     * {@code smc_lgr_schedule_free_work}: the client lingers 10 s longer than the server, so an idle
     * link group is ended by the server (DELETE LINK) and the client follows; the client never drops
     * a group on its own timer while the server might still reuse it.
     */
    @Test
    void anIdleLinkGroupEndsFromTheServersSide() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").lgrLinger(java.time.Duration.ofMillis(300)).build();
        try (SimPair p = new SimPair(cfg, cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            CompletableFuture<SmcSocket> acc = CompletableFuture.supplyAsync(() -> {
                try {
                    return ss.accept();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL);
            SmcSocket c = p.client.connect(p.serverAddr);
            SmcSocket s = acc.get(30, TimeUnit.SECONDS);
            assertTrue(c.smcStatus().smc(), c.smcStatus().toString());
            c.close();
            s.close();
            CloseAndAbortTest.await(() -> p.client.linkGroups().isEmpty() && p.server.linkGroups().isEmpty(),
                    "both link groups ended");
            assertTrue(p.traceLines.stream().anyMatch(l -> l.startsWith("server link group") && l.contains("no connections")),
                    String.join("\n", p.traceLines));
            assertTrue(p.traceLines.stream().anyMatch(l -> l.startsWith("client link group")
                    && l.contains("peer sent DELETE LINK")), String.join("\n", p.traceLines));
            assertTrue(p.traceLines.stream().noneMatch(l -> l.startsWith("client link group") && l.contains("no connections")));
        }
    }
}
