package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two RoCE devices per host: ADD LINK builds a second link; losing one link loses no byte. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecondLinkTest {

    static SimPair pair(SmcConfig cfg) {
        return new SimPair(cfg, cfg, true, true, null, true);
    }

    static void awaitTwoLinks(SimPair p) throws InterruptedException {
        CloseAndAbortTest.await(() -> p.server.linkGroups().stream().anyMatch(l -> l.contains("links 2"))
                && p.client.linkGroups().stream().anyMatch(l -> l.contains("links 2")), "second link");
        CloseAndAbortTest.await(() -> p.traceLines.stream().filter(l -> l.contains("new link up")).count() >= 2,
                "both sides confirmed the second link");
    }

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

    private void failoverDuringTransfer(SmcConfig cfg, String downDevice) throws Exception {
        try (SimPair p = pair(cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss);
            awaitTwoLinks(p);
            // a connection made on the two-link group announces its RMB with CONFIRM RKEY
            SmcSocket[] y = connect(p, ss);
            assertTrue(p.traceLines.stream().anyMatch(l -> l.contains("CONFIRM RKEY request")), "CONFIRM RKEY sent");
            byte[] up = Exchange.random(6_000_000, 1);
            byte[] down = Exchange.random(5_000_000, 2);
            byte[] up2 = Exchange.random(3_000_000, 3);
            CompletableFuture<Void> w1 = write(x[0], up);
            CompletableFuture<Void> w2 = write(x[1], down);
            CompletableFuture<Void> w3 = write(y[0], up2);
            java.util.concurrent.CountDownLatch third = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<byte[]> r1 = read(x[1], up.length, third);
            CompletableFuture<byte[]> r2 = read(x[0], down.length);
            CompletableFuture<byte[]> r3 = read(y[1], up2.length);
            assertTrue(third.await(20, TimeUnit.SECONDS));
            p.fabric.linkDown(downDevice, 1); // a third of the first stream has arrived
            try {
                r1.get(20, TimeUnit.SECONDS);
                r2.get(20, TimeUnit.SECONDS);
                r3.get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                System.err.println("HANG DIAGNOSTICS");
                p.traceLines.forEach(System.err::println);
                p.client.connections().forEach(c -> System.err.println("client " + c + " " + c.cdc()));
                p.server.connections().forEach(c -> System.err.println("server " + c + " " + c.cdc()));
                System.err.println(p.client.linkGroups() + " " + p.server.linkGroups());
                throw e;
            }
            assertArrayEquals(up, r1.get(30, TimeUnit.SECONDS));
            assertArrayEquals(down, r2.get(30, TimeUnit.SECONDS));
            assertArrayEquals(up2, r3.get(30, TimeUnit.SECONDS));
            w1.get(5, TimeUnit.SECONDS);
            w2.get(5, TimeUnit.SECONDS);
            w3.get(5, TimeUnit.SECONDS);
            CloseAndAbortTest.await(() -> p.traceLines.stream().filter(l -> l.contains("connections move")).count() >= 2,
                    "both sides moved their connections");
            assertTrue(p.client.stats().snapshot().linksDown() + p.server.stats().snapshot().linksDown() >= 1);
            assertTrue(p.traceLines.stream().anyMatch(l -> l.startsWith("server link group 1: connections move")));
            assertTrue(p.traceLines.stream().anyMatch(l -> l.startsWith("client link group 1: connections move")));
            assertTrue(p.traceLines.stream().anyMatch(l -> l.contains("DELETE LINK request link_num=1")));
            for (SmcSocket s : new SmcSocket[] {x[0], x[1], y[0], y[1]}) {
                s.close();
            }
        }
    }

    @Test
    void v2FailoverWhenTheServersFirstPortGoesDown() throws Exception {
        failoverDuringTransfer(SimPair.v2Config(), "srv0");
    }

    @Test
    void v1FailoverWhenTheClientsFirstPortGoesDown() throws Exception {
        failoverDuringTransfer(SmcConfig.builder().v2Enabled(false).build(), "cli0");
    }

    @Test
    void freedRmbIsDeletedAndTheIdleGroupEndsAfterItsLinger() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").lgrLinger(java.time.Duration.ofMillis(500)).build();
        try (SimPair p = pair(cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss);
            awaitTwoLinks(p);
            SmcSocket[] y = connect(p, ss);
            y[0].getOutputStream().write(new byte[100_000]);
            y[1].getInputStream().readNBytes(100_000);
            y[0].close();
            y[1].close();
            CloseAndAbortTest.await(() -> p.traceLines.stream().anyMatch(l -> l.contains("DELETE RKEY request")),
                    "DELETE RKEY for the freed RMB");
            x[0].close();
            x[1].close();
            CloseAndAbortTest.await(() -> p.client.linkGroups().isEmpty() && p.server.linkGroups().isEmpty(),
                    "link groups ended after the linger time");
            assertTrue(p.traceLines.stream().anyMatch(l -> l.contains("DELETE LINK request link_num=0")));
        }
    }

    /**
     * Linux 6.12 ({@code smc_llc_cli_add_link}): a client without a second device does not reject
     * the server's ADD LINK from the server's other device; it builds the new link on its only
     * device (ASYMMETRIC_LOCAL), and the server sees the client's port twice (ASYMMETRIC_PEER).
     */
    @Test
    void clientWithoutSecondDeviceBuildsAnAsymmetricLink() throws Exception {
        SimPair p;
        synchronized (SimPair.class) {
            SimPair.clientOneDevice = true;
            try {
                p = pair(SimPair.v2Config());
            } finally {
                SimPair.clientOneDevice = false;
            }
        }
        try (p; SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss);
            awaitTwoLinks(p);
            assertTrue(p.traceLines.stream().noneMatch(l -> l.contains("ADD LINK response rejected")), "no reject");
            assertTrue(p.client.linkGroups().getFirst().contains("type ASYMMETRIC_LOCAL"), p.client.linkGroups().toString());
            assertTrue(p.server.linkGroups().getFirst().contains("type ASYMMETRIC_PEER"), p.server.linkGroups().toString());
            byte[] data = Exchange.random(1_000_000, 5);
            CompletableFuture<byte[]> r = read(x[1], data.length);
            x[0].getOutputStream().write(data);
            assertArrayEquals(data, r.get(20, TimeUnit.SECONDS));
            x[0].close();
            x[1].close();
        }
    }

    static CompletableFuture<Void> write(SmcSocket s, byte[] data) {
        return CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(data);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
    }

    static CompletableFuture<byte[]> read(SmcSocket s, int n) {
        return read(s, n, null);
    }

    /** Reads n bytes; counts down {@code third} once a third has arrived. */
    static CompletableFuture<byte[]> read(SmcSocket s, int n, java.util.concurrent.CountDownLatch third) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                byte[] b = new byte[n];
                int off = 0;
                while (off < n) {
                    int k = s.getInputStream().read(b, off, Math.min(32 * 1024, n - off));
                    if (k < 0) {
                        throw new java.io.EOFException("EOF after " + off);
                    }
                    off += k;
                    if (third != null && off >= n / 3) {
                        third.countDown();
                    }
                }
                return b;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
    }
}
