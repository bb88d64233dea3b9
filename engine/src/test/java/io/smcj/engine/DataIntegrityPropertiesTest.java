package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Arbitrary write chunkings and read buffer sizes over SMC-R: every byte arrives once, in order,
 * whatever the ring wraps, corking and consumer updates do. One engine pair for all tries (new
 * connections reuse its link group); end-to-end tries are expensive, so the count is explicit.
 */
class DataIntegrityPropertiesTest {
    private static SimPair pair;
    private static SmcServerSocket ss;

    @BeforeContainer
    static void start() throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").rmem(16 * 1024).wmem(16 * 1024).build();
        pair = new SimPair(cfg, SimPair.v2Config());
        ss = pair.server.listen(pair.serverAddr);
    }

    @AfterContainer
    static void stop() {
        ss.close();
        pair.close();
    }

    @Property(tries = 40)
    void bytesArriveExactlyOnceInOrder(@ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 60_000) Integer> chunks,
                                       @ForAll @IntRange(min = 1, max = 40_000) int readBuffer,
                                       @ForAll boolean serverSends) throws Exception {
        int total = chunks.stream().mapToInt(Integer::intValue).sum();
        byte[] data = Exchange.random(total, total * 7L + readBuffer);
        CompletableFuture<SmcSocket> acc = CompletableFuture.supplyAsync(() -> {
            try {
                return ss.accept();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
        try (SmcSocket c = pair.client.connect(pair.serverAddr); SmcSocket s = acc.get(10, TimeUnit.SECONDS)) {
            assertTrue(c.isSmc() && s.isSmc());
            SmcSocket tx = serverSends ? s : c;
            SmcSocket rx = serverSends ? c : s;
            CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream o = tx.getOutputStream();
                    int off = 0;
                    for (int n : chunks) {
                        o.write(data, off, n);
                        off += n;
                    }
                    tx.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL);
            rx.setSoTimeout(20_000);
            InputStream in = rx.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream(total);
            byte[] buf = new byte[readBuffer];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
            w.get(20, TimeUnit.SECONDS);
            assertEquals(total, got.size());
            assertArrayEquals(data, got.toByteArray());
        }
    }
}
