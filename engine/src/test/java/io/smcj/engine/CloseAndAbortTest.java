package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.cdc.SmcCloseState;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Close in both orders, half close, abort from either side, and that every buffer is freed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseAndAbortTest {

    static void await(BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private record Pair(SimPair p, SmcServerSocket ss, SmcSocket client, SmcSocket server) implements AutoCloseable {
        @Override
        public void close() {
            ss.close();
            p.close();
        }
    }

    private static Pair open() throws Exception {
        SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config());
        SmcServerSocket ss = p.server.listen(p.serverAddr);
        CompletableFuture<SmcSocket> a = CompletableFuture.supplyAsync(() -> {
            try {
                return ss.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
        SmcSocket c = p.client.connect(p.serverAddr);
        SmcSocket s = a.get(10, TimeUnit.SECONDS);
        assertTrue(c.isSmc() && s.isSmc());
        return new Pair(p, ss, c, s);
    }

    private static long linkOnlyMemory(SmcEngine e) {
        return e.bufferMemoryInUse();
    }

    @Test
    void clientClosesFirstThenServer() throws Exception {
        try (Pair x = open()) {
            long before = linkOnlyMemory(x.p.client) - 2 * 65536;
            byte[] data = Exchange.random(100_000, 1);
            x.client.getOutputStream().write(data);
            x.client.close();
            byte[] got = new byte[data.length];
            new DataInputStream(x.server.getInputStream()).readFully(got);
            assertArrayEquals(data, got);
            assertEquals(-1, x.server.getInputStream().read());
            x.server.close();
            await(() -> x.p.client.connections().isEmpty() && x.p.server.connections().isEmpty(), "both released");
            await(() -> linkOnlyMemory(x.p.client) == before, "client buffers freed");
            assertEquals(1, x.p.client.linkGroups().size(), "the link group lingers");
        }
    }

    @Test
    void serverClosesFirstThenClient() throws Exception {
        try (Pair x = open()) {
            byte[] data = Exchange.random(70_000, 2);
            x.server.getOutputStream().write(data);
            x.server.close();
            byte[] got = new byte[data.length];
            new DataInputStream(x.client.getInputStream()).readFully(got);
            assertArrayEquals(data, got);
            assertEquals(-1, x.client.getInputStream().read());
            assertThrows(IOException.class, () -> x.client.getOutputStream().write(1),
                    "writing after the peer closed fails");
            x.client.close();
            await(() -> x.p.client.connections().isEmpty() && x.p.server.connections().isEmpty(), "both released");
        }
    }

    @Test
    void bothCloseAtOnce() throws Exception {
        try (Pair x = open()) {
            CompletableFuture<Void> a = CompletableFuture.runAsync(x.client::close, Exchange.POOL);
            CompletableFuture<Void> b = CompletableFuture.runAsync(x.server::close, Exchange.POOL);
            a.get(10, TimeUnit.SECONDS);
            b.get(10, TimeUnit.SECONDS);
            await(() -> x.p.client.connections().isEmpty() && x.p.server.connections().isEmpty(), "both released");
        }
    }

    @Test
    void halfCloseKeepsTheOtherDirection() throws Exception {
        try (Pair x = open()) {
            x.client.shutdownOutput();
            assertEquals(-1, x.server.getInputStream().read());
            byte[] data = Exchange.random(200_000, 3);
            CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                try {
                    x.server.getOutputStream().write(data);
                    x.server.close();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, Exchange.POOL);
            byte[] got = new byte[data.length];
            new DataInputStream(x.client.getInputStream()).readFully(got);
            w.get(10, TimeUnit.SECONDS);
            assertArrayEquals(data, got);
            assertEquals(-1, x.client.getInputStream().read());
            x.client.close();
        }
    }

    @Test
    void clientAbortResetsTheServer() throws Exception {
        try (Pair x = open()) {
            x.client.abort();
            IOException e = assertThrows(IOException.class, () -> x.server.getInputStream().read());
            assertTrue(e.getMessage().toLowerCase().contains("reset"), e.getMessage());
            x.server.close();
            await(() -> x.p.server.connections().isEmpty(), "server released");
        }
    }

    @Test
    void serverAbortWakesABlockedWriter() throws Exception {
        try (Pair x = open()) {
            CompletableFuture<Exception> w = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] big = new byte[1 << 20];
                    for (int i = 0; i < 16; i++) {
                        x.client.getOutputStream().write(big); // the server never reads: blocks
                    }
                    return null;
                } catch (Exception e) {
                    return e;
                }
            }, Exchange.POOL);
            Thread.sleep(200);
            assertTrue(!w.isDone(), "writer should block on the full ring");
            x.server.abort();
            Exception e = w.get(10, TimeUnit.SECONDS);
            assertTrue(e instanceof IOException, String.valueOf(e));
            x.client.close();
        }
    }

    @Test
    void closeWithUnreadDataAbortsThePeer() throws Exception {
        try (Pair x = open()) {
            x.client.getOutputStream().write(new byte[1000]);
            await(() -> {
                try {
                    return x.server.getInputStream().available() == 1000;
                } catch (IOException e) {
                    return false;
                }
            }, "data arrived");
            x.server.close(); // unread data: the kernel sends peer_conn_abort
            await(() -> x.p.client.connections().stream().anyMatch(
                    c -> c.cdc() != null && c.cdc().rxConnStateFlags().peerConnAbort()), "abort seen by the client");
            assertThrows(IOException.class, () -> x.client.getInputStream().read());
            assertEquals(SmcCloseState.PROCESSABORT.name(), x.p.client.connections().getFirst().state());
            x.client.close();
        }
    }

    @Test
    void readTimeoutIsASocketTimeout() throws Exception {
        try (Pair x = open()) {
            x.client.setSoTimeout(100);
            assertThrows(java.net.SocketTimeoutException.class, () -> x.client.getInputStream().read());
            x.server.getOutputStream().write(7);
            assertEquals(7, x.client.getInputStream().read());
            x.client.close();
            x.server.close();
        }
    }
}
