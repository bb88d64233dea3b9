package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SmcDataPathTest {
    static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    });

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void v2ConnectionMovesBytesBothWaysOverSmcR() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config());
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            byte[] up = random(3 * 1024 * 1024 + 17, 1);
            byte[] down = random(2 * 1024 * 1024 + 5, 2);
            CompletableFuture<byte[]> srv = CompletableFuture.supplyAsync(() -> {
                try (SmcSocket s = ss.accept()) {
                    assertTrue(s.isSmc(), s.smcStatus().toString());
                    byte[] got = new byte[up.length];
                    new DataInputStream(s.getInputStream()).readFully(got);
                    s.getOutputStream().write(down);
                    assertEquals(-1, s.getInputStream().read());
                    return got;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, POOL);
            try (SmcSocket c = p.client.connect(p.serverAddr)) {
                assertTrue(c.isSmc(), c.smcStatus().toString());
                assertEquals(2, c.smcStatus().version());
                assertEquals(1, c.smcStatus().release());
                OutputStream out = c.getOutputStream();
                InputStream in = c.getInputStream();
                CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                    try {
                        out.write(up);
                        c.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, POOL);
                byte[] got = new byte[down.length];
                new DataInputStream(in).readFully(got);
                w.get(30, TimeUnit.SECONDS);
                assertArrayEquals(down, got);
                assertEquals(-1, in.read());
            }
            assertArrayEquals(up, srv.get(30, TimeUnit.SECONDS));
            var st = p.client.stats().snapshot();
            assertEquals(1, st.clntV2Succ());
        }
    }
}
