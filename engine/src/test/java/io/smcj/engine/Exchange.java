package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Connects once through a {@link SimPair} and moves random bytes both ways, checking them. */
final class Exchange {
    static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-worker");
        t.setDaemon(true);
        return t;
    });

    record Result(SmcStatus client, SmcStatus server) {
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** One connection, {@code up} bytes client to server and {@code down} back, both checked. */
    static Result run(SmcEngine client, SmcServerSocket ss, java.net.InetSocketAddress addr, int up, int down)
            throws Exception {
        byte[] upData = random(up, up * 31L + 7);
        byte[] downData = random(down, down * 17L + 3);
        CompletableFuture<SmcStatus> srv = CompletableFuture.supplyAsync(() -> {
            try (SmcSocket s = ss.accept()) {
                CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(downData);
                        s.shutdownOutput();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, POOL);
                byte[] got = new byte[up];
                new DataInputStream(s.getInputStream()).readFully(got);
                assertArrayEquals(upData, got, "client->server bytes");
                assertEquals(-1, s.getInputStream().read());
                w.get(30, TimeUnit.SECONDS);
                return s.smcStatus();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, POOL);
        SmcStatus cs;
        try (SmcSocket c = client.connect(addr)) {
            cs = c.smcStatus();
            CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                try {
                    c.getOutputStream().write(upData);
                    c.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, POOL);
            byte[] got = new byte[down];
            new DataInputStream(c.getInputStream()).readFully(got);
            assertArrayEquals(downData, got, "server->client bytes");
            assertEquals(-1, c.getInputStream().read());
            w.get(30, TimeUnit.SECONDS);
        }
        return new Result(cs, srv.get(30, TimeUnit.SECONDS));
    }
}
