package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TestLinkAndUrgentTest {

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

    @Test
    void idleLinkIsKeptAliveByTestLink() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").testlinkTime(Duration.ofMillis(200)).build();
        try (SimPair p = new SimPair(cfg, cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss);
            Thread.sleep(1200);
            assertTrue(p.traceLines.stream().anyMatch(l -> l.contains("LLC TEST LINK request")), p.traceLines.toString());
            assertTrue(p.traceLines.stream().anyMatch(l -> l.contains("LLC TEST LINK response")), p.traceLines.toString());
            x[0].getOutputStream().write(42);
            assertEquals(42, x[1].getInputStream().read());
            assertEquals(0, p.client.stats().snapshot().linksDown());
            x[0].close();
            x[1].close();
        }
    }

    @Test
    void testLinkOffSendsNothing() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").testlinkTime(Duration.ZERO).build();
        try (SimPair p = new SimPair(cfg, cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss);
            Thread.sleep(300);
            assertTrue(p.traceLines.stream().noneMatch(l -> l.contains("TEST LINK")));
            x[0].close();
            x[1].close();
        }
    }

    @Test
    void unansweredTestLinkFailsTheLink() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").testlinkTime(Duration.ofMillis(200)).build();
        try (SimPair p = new SimPair(cfg, cfg); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss);
            p.fabric.setDrop("srv0", 1, true); // the peer is gone silently: no port event
            x[0].setSoTimeout(20_000);
            IOException e = assertThrows(IOException.class, () -> x[0].getInputStream().read());
            assertTrue(e instanceof LinkDownException, e.toString());
            assertTrue(p.client.stats().snapshot().linksDown() >= 1);
            x[0].close();
            x[1].abort();
        }
    }

    @Test
    void urgentByteArrivesOutOfBand() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config());
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss);
            x[0].getOutputStream().write(new byte[] {1, 2, 3});
            x[0].sendUrgentData(0x55);
            byte[] got = x[1].getInputStream().readNBytes(3);
            assertEquals(3, got.length);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int urg;
            while ((urg = x[1].readUrgentData()) < 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0x55, urg);
            assertEquals(1, p.client.stats().snapshot().urgDataCnt());
            x[0].close();
            x[1].close();
        }
    }
}
