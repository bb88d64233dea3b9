package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowReaderAndLinkLossTest {

    @Test
    void slowReaderFillsThePeerRingAndNothingIsLost() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config());
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            byte[] data = Exchange.random(1_500_000, 9);
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                try (SmcSocket s = ss.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] got = new byte[data.length];
                    int off = 0;
                    while (off < got.length) {
                        int n = in.read(got, off, Math.min(3000, got.length - off));
                        if (n < 0) {
                            break;
                        }
                        off += n;
                        if ((off / 3000) % 50 == 0) {
                            Thread.sleep(1);
                        }
                    }
                    assertEquals(got.length, off);
                    return got;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL);
            try (SmcSocket c = p.client.connect(p.serverAddr)) {
                c.getOutputStream().write(data);
            }
            assertArrayEquals(data, reader.get(30, TimeUnit.SECONDS));
            var st = p.client.stats().snapshot();
            assertTrue(st.bufFullPeer() > 0, "the writer found the peer's RMB full: " + st.toText());
            assertTrue(st.sndbufFull() > 0, "the writer waited for send buffer space");
        }
    }

    @Test
    void losingTheOnlyLinkAbortsConnectionsWithAClearErrorAndNoHang() throws Exception {
        // the server learns of the dead link from a failing send or, when idle, from TEST LINK
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").testlinkTime(java.time.Duration.ofMillis(300)).build();
        try (SimPair p = new SimPair(cfg, cfg);
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            CompletableFuture<SmcSocket> acc = CompletableFuture.supplyAsync(() -> {
                try {
                    return ss.accept();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL);
            SmcSocket c = p.client.connect(p.serverAddr);
            SmcSocket s = acc.get(10, TimeUnit.SECONDS);
            CompletableFuture<Exception> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] b = new byte[64 * 1024];
                    while (true) {
                        c.getOutputStream().write(b);
                    }
                } catch (Exception e) {
                    return e;
                }
            }, Exchange.POOL);
            CompletableFuture<Exception> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] b = new byte[64 * 1024];
                    while (s.getInputStream().read(b) >= 0) {
                        // drain
                    }
                    return null;
                } catch (Exception e) {
                    return e;
                }
            }, Exchange.POOL);
            Thread.sleep(100);
            p.fabric.linkDown("cli0", 1);
            Exception we = writer.get(20, TimeUnit.SECONDS);
            assertNotNull(we);
            assertTrue(we instanceof LinkDownException, we.toString());
            assertTrue(we.getMessage().contains("link group lost"), we.getMessage());
            Exception re = reader.get(30, TimeUnit.SECONDS);
            assertTrue(re instanceof IOException, String.valueOf(re));
            assertEquals(0, p.client.linkGroups().size());
            assertTrue(p.client.stats().snapshot().linksDown() >= 1);
            c.close();
            s.close();
        }
    }
}
