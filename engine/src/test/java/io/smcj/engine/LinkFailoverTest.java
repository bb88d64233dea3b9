package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection-to-link assignment ({@code smcr_lgr_conn_assign_link}) and failover the way Linux
 * 6.12 does it ({@code smc_switch_conns}, {@code smc_switch_cursor}, failover-validation CDC),
 * on the fast simulator with two devices per host.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LinkFailoverTest {

    private static SmcSocket[] connect(SimPair p, SmcServerSocket ss) throws Exception {
        CompletableFuture<SmcSocket> a = CompletableFuture.supplyAsync(() -> {
            try {
                return ss.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
        SmcSocket c = p.client.connect(p.serverAddr);
        return new SmcSocket[] {c, a.get(10, TimeUnit.SECONDS)};
    }

    /** The first connection (first contact) plus {@code more} on the two-link group. */
    private static List<SmcSocket[]> connections(SimPair p, SmcServerSocket ss, int more) throws Exception {
        List<SmcSocket[]> out = new ArrayList<>();
        out.add(connect(p, ss));
        SecondLinkTest.awaitTwoLinks(p);
        for (int i = 0; i < more; i++) {
            out.add(connect(p, ss));
        }
        return out;
    }

    private static int indexOf(List<String> lines, String start, String contains) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start) && lines.get(i).contains(contains)) {
                return i;
            }
        }
        return -1;
    }

    /** Reads n bytes; runs {@code atThird} in the reading thread once a third has arrived. */
    static CompletableFuture<byte[]> read(SmcSocket s, int n, Runnable atThird) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                byte[] b = new byte[n];
                int off = 0;
                boolean fired = atThird == null;
                while (off < n) {
                    int k = s.getInputStream().read(b, off, Math.min(32 * 1024, n - off));
                    if (k < 0) {
                        throw new java.io.EOFException("EOF after " + off);
                    }
                    off += k;
                    if (!fired && off >= n / 3) {
                        fired = true;
                        atThird.run();
                    }
                }
                return b;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
    }

    @Test
    void serverAlternatesLinksAndTheClientFollowsTheAcceptsQpn() throws Exception {
        try (SimPair p = SecondLinkTest.pair(SimPair.v2Config()); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<SmcSocket[]> cs = connections(p, ss, 4);
            LinkGroup srvLgr = cs.get(0)[1].connection().lgr;
            List<Link> links = srvLgr.activeLinks();
            assertEquals(2, links.size());
            // conns_num before each: 0 (first contact, only link), then 1, 2, 3, 4 -> odd: the second link
            Link[] expected = {links.get(0), links.get(1), links.get(0), links.get(1), links.get(0)};
            for (int i = 0; i < cs.size(); i++) {
                Link srv = cs.get(i)[1].connection().link();
                Link cli = cs.get(i)[0].connection().link();
                assertSame(expected[i], srv, "server connection " + i + " on the balanced link");
                assertEquals(srv.qpn(), cli.peerQpn, "client connection " + i + " on the link the Accept named");
                assertEquals(cli.qpn(), srv.peerQpn);
                assertEquals(srv.linkNum, cli.linkNum);
                // smcss shows the connection's own link
                assertEquals(srv.linkId, cs.get(i)[1].info().link());
                assertEquals(cli.linkId, cs.get(i)[0].info().link());
            }
            // data flows on every connection
            for (SmcSocket[] c : cs) {
                byte[] d = Exchange.random(200_000, c.hashCode());
                CompletableFuture<byte[]> r = SecondLinkTest.read(c[1], d.length);
                c[0].getOutputStream().write(d);
                assertArrayEquals(d, r.get(20, TimeUnit.SECONDS));
            }
            for (SmcSocket[] c : cs) {
                c[0].close();
                c[1].close();
            }
        }
    }

    @Test
    void v2FailoverWhenTheServersFirstPortGoesDown() throws Exception {
        failoverMidTransfer(SimPair.v2Config(), "srv0");
    }

    @Test
    void v2FailoverWhenTheClientsSecondPortGoesDown() throws Exception {
        failoverMidTransfer(SimPair.v2Config(), "cli1");
    }

    @Test
    void v1FailoverWhenTheClientsFirstPortGoesDown() throws Exception {
        failoverMidTransfer(SmcConfig.builder().v2Enabled(false).build(), "cli0");
    }

    @Test
    void v1FailoverWhenTheServersSecondPortGoesDown() throws Exception {
        failoverMidTransfer(SmcConfig.builder().v2Enabled(false).build(), "srv1");
    }

    /**
     * Five connections spread over both links, data both ways in all of them; one port goes down
     * when a third of the first stream on its link has arrived (packets through it are dropped
     * for a moment before, so transmissions are in flight). Every byte arrives once, in order; each
     * connection on the failed link sent a failover-validation CDC from both sides, the peer
     * validated it, and the connection moved to the survivor; connections on the survivor did
     * not move.
     */
    private void failoverMidTransfer(SmcConfig cfg, String downDevice) throws Exception {
        try (SimPair p = SecondLinkTest.pair(cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<SmcSocket[]> cs = connections(p, ss, 4);
            String failedSide = downDevice.startsWith("srv") ? "server" : "client";
            int failedDeviceIdx = downDevice.endsWith("0") ? 0 : 1;
            List<Boolean> onFailed = new ArrayList<>();
            for (SmcSocket[] c : cs) {
                Link l = c[failedSide.equals("server") ? 1 : 0].connection().link();
                onFailed.add(l.device.name.equals(downDevice));
            }
            assertTrue(onFailed.contains(true) && onFailed.contains(false), "connections on both links: " + onFailed);
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            List<CompletableFuture<byte[]>> reads = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            CountDownLatch third = new CountDownLatch(1);
            for (int i = 0; i < cs.size(); i++) {
                byte[] up = Exchange.random(2_000_000 + i * 100_003, 10 + i);
                byte[] down = Exchange.random(1_500_000 + i * 77_777, 20 + i);
                sent.add(up);
                sent.add(down);
                // the failure comes when a third of the first stream on the failing link has arrived
                // (the reader itself starts dropping the port's packets, before any other thread runs)
                reads.add(read(cs.get(i)[1], up.length, i != onFailed.indexOf(true) ? null : () -> {
                    p.fabric.setDrop(downDevice, 1, true);
                    third.countDown();
                }));
                reads.add(SecondLinkTest.read(cs.get(i)[0], down.length));
                writes.add(SecondLinkTest.write(cs.get(i)[0], up));
                writes.add(SecondLinkTest.write(cs.get(i)[1], down));
            }
            assertTrue(third.await(20, TimeUnit.SECONDS));
            // packets through the port are lost for a moment before it goes down, so transmissions
            // are surely in flight (posted, not completed) when the link fails
            Thread.sleep(20);
            p.fabric.linkDown(downDevice, 1);
            try {
                for (int i = 0; i < reads.size(); i++) {
                    assertArrayEquals(sent.get(i), reads.get(i).get(30, TimeUnit.SECONDS), "stream " + i);
                }
            } catch (java.util.concurrent.TimeoutException e) {
                p.traceLines.forEach(System.err::println);
                throw e;
            }
            for (CompletableFuture<Void> w : writes) {
                w.get(5, TimeUnit.SECONDS);
            }
            CloseAndAbortTest.await(() -> p.traceLines.stream().filter(l -> l.contains("connections move")).count() >= 2,
                    "both sides moved their connections");
            for (int i = 0; i < cs.size(); i++) {
                SmcConnection cli = cs.get(i)[0].connection();
                SmcConnection srv = cs.get(i)[1].connection();
                String tokens = "connection " + i + " (client " + cli.localToken + ", server " + srv.localToken + ")";
                if (onFailed.get(i)) {
                    int[] vc = cli.validations();
                    int[] vs = srv.validations();
                    assertTrue(vc[0] >= 1 && vs[0] >= 1, tokens + ": both sides sent a failover-validation CDC");
                    assertTrue(vc[1] >= 1 && vs[1] >= 1, tokens + ": both sides validated the peer's");
                    assertTrue(p.traceLines.stream().anyMatch(l -> l.startsWith("client connection " + cli.localToken
                            + " moves to link_num") && l.contains("failover validation seqno")), tokens);
                    assertTrue(p.traceLines.stream().anyMatch(l -> l.startsWith("server connection " + srv.localToken
                            + " failover validation ok")), tokens);
                    assertTrue(p.traceLines.stream().anyMatch(l -> l.startsWith("client connection " + cli.localToken
                            + " failover validation ok")), tokens);
                    assertFalse(cli.link().device.name.endsWith(String.valueOf(failedDeviceIdx)), tokens + " moved");
                    assertFalse(srv.link().device.name.endsWith(String.valueOf(failedDeviceIdx)), tokens + " moved");
                } else {
                    assertEquals(0, cli.validations()[0] + srv.validations()[0], tokens + " stayed on its link");
                    assertFalse(p.traceLines.stream().anyMatch(l -> l.startsWith("server connection " + srv.localToken
                            + " moves")), tokens);
                }
                assertEquals(srv.link().linkNum, cli.link().linkNum, tokens + ": both ends on the same link");
            }
            assertTrue(p.traceLines.stream().anyMatch(l -> l.contains(" moves to link_num") && l.contains(" re-send ")
                    && !l.contains(" re-send 0 bytes")), "some connection re-sent rewound data");
            // smcr_link_down: the connections move (validation CDCs) before the DELETE LINK goes out
            String other = failedSide.equals("server") ? "client" : "server";
            List<String> t = List.copyOf(p.traceLines);
            int firstMove = indexOf(t, failedSide + " connection ", " moves to link_num");
            int delReq = indexOf(t, failedSide + " -> LLC DELETE LINK request", "reason=0x10000");
            assertTrue(firstMove >= 0 && delReq > firstMove, "validation before DELETE LINK");
            if (failedSide.equals("server")) {
                // smc_llc_process_cli_delete_link: response with reason 0
                assertTrue(indexOf(t, "client -> LLC DELETE LINK response", "reason=0x0") > delReq);
            } else {
                // smc_llc_process_srv_delete_link: the server sends the request back after moving
                // its connections; the client no longer has the link: NOLNK
                int echo = indexOf(t, "server -> LLC DELETE LINK request", "reason=0x10000");
                assertTrue(echo > indexOf(t, other + " connection ", " moves to link_num"), "server moved first");
                assertTrue(indexOf(t, "client -> LLC DELETE LINK response", "reason=0x100000") > echo);
            }
            assertTrue(p.traceLines.stream().noneMatch(l -> l.contains("aborted:")), "no connection aborted");
            for (SmcSocket[] c : cs) {
                c[0].close();
                c[1].close();
            }
        }
    }

    /**
     * The writers close right after their last write, so close CDCs and data are in flight on the
     * failing link (closing states: the kernel would only move the link): every byte and the
     * end of stream still arrive, and every connection is released on both sides.
     */
    @Test
    void failoverWhileClosing() throws Exception {
        try (SimPair p = SecondLinkTest.pair(SimPair.v2Config()); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            List<SmcSocket[]> cs = connections(p, ss, 4);
            List<CompletableFuture<byte[]>> reads = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < cs.size(); i++) {
                byte[] d = Exchange.random(20_000 + i * 1000, 40 + i); // fits the send buffer: write returns
                sent.add(d);
                reads.add(readToEof(cs.get(i)[1]));
            }
            p.fabric.setDrop("srv0", 1, true);
            for (int i = 0; i < cs.size(); i++) {
                cs.get(i)[0].getOutputStream().write(sent.get(i));
                cs.get(i)[0].close(); // the close CDC follows the data, both stuck on the failing link
            }
            CloseAndAbortTest.await(() -> cs.stream().allMatch(c -> c[0].connection().state()
                    == io.smcj.cdc.SmcCloseState.PEERCLOSEWAIT1), "client sent its closes");
            p.fabric.linkDown("srv0", 1);
            for (int i = 0; i < cs.size(); i++) {
                assertArrayEquals(sent.get(i), reads.get(i).get(30, TimeUnit.SECONDS), "stream " + i);
                cs.get(i)[1].close();
            }
            assertTrue(p.traceLines.stream().anyMatch(l -> l.startsWith("client connection ")
                    && l.contains("moves to link_num") && l.contains("(PEERCLOSEWAIT1, failover validation")
                    && !l.contains("re-send 0 bytes")), "a closing connection re-sent its data after the rewind");
            // released: RMBs freed and the connections gone from their link groups
            CloseAndAbortTest.await(() -> p.client.connections().isEmpty() && p.server.connections().isEmpty()
                    && p.client.linkGroups().stream().allMatch(l -> l.contains("conns 0"))
                    && p.server.linkGroups().stream().allMatch(l -> l.contains("conns 0")),
                    "all connections released on both sides");
            assertTrue(p.traceLines.stream().noneMatch(l -> l.contains("aborted:")), "no connection aborted");
        }
    }

    static CompletableFuture<byte[]> readToEof(SmcSocket s) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return s.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
    }
}
