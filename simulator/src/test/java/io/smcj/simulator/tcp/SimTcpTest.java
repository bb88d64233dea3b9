package io.smcj.simulator.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.simulator.SimFabric;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SimTcpTest {

    static final InetAddress CLIENT = ip("10.0.0.1");
    static final InetSocketAddress SERVER = new InetSocketAddress(ip("10.0.0.2"), 12345);

    private SimFabric fabric;

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private SimNetwork net(SimFabric f) {
        fabric = f;
        return new SimNetwork(f);
    }

    @AfterEach
    void close() {
        if (fabric != null) {
            fabric.close();
        }
    }

    private static int read(SimTcpConnection c, byte[] into) throws Exception {
        return c.read(ByteBuffer.wrap(into));
    }

    @Test
    void smcOptionIsEchoedOnlyByAnSmcListenerToAnSmcSyn() throws Exception {
        SimNetwork net = net(SimFabric.fast());
        SimTcpListener smc = net.listen(SERVER, true);
        SimTcpConnection c = net.connect(CLIENT, SERVER, List.of(TcpOption.SMC));
        SimTcpConnection s = smc.accept();
        assertTrue(c.synInfo().smcNegotiated());
        assertTrue(s.synInfo().smcNegotiated());
        assertEquals(SERVER, c.remoteAddress());
        assertEquals(c.localAddress(), s.remoteAddress());

        SimTcpConnection plain = net.connect(CLIENT, SERVER, List.of(new TcpOption(2, new byte[] {5, (byte) 0xb4})));
        SimTcpConnection sPlain = smc.accept();
        assertFalse(plain.synInfo().sentSmc());
        assertFalse(plain.synInfo().peerSmc());
        assertFalse(sPlain.synInfo().peerSmc());
        assertFalse(sPlain.synInfo().sentSmc());

        InetSocketAddress other = new InetSocketAddress(ip("10.0.0.2"), 80);
        SimTcpListener nonSmc = net.listen(other, false);
        SimTcpConnection c2 = net.connect(CLIENT, other, List.of(TcpOption.SMC));
        SimTcpConnection s2 = nonSmc.accept();
        assertTrue(c2.synInfo().sentSmc());
        assertFalse(c2.synInfo().peerSmc());
        assertTrue(s2.synInfo().peerSmc());
        assertFalse(s2.synInfo().sentSmc());
    }

    @Test
    void middleboxesStripTheOptionInEitherDirection() throws Exception {
        SimNetwork net = net(SimFabric.fast());
        SimTcpListener l = net.listen(SERVER, true);
        net.setMiddlebox(Middlebox.stripSmcFromSyn());
        SimTcpConnection c = net.connect(CLIENT, SERVER, List.of(TcpOption.SMC));
        SimTcpConnection s = l.accept();
        assertTrue(c.synInfo().sentSmc());
        assertFalse(s.synInfo().peerSmc(), "stripped on the way");
        assertFalse(s.synInfo().sentSmc(), "so the server does not echo it");
        assertFalse(c.synInfo().peerSmc());

        net.setMiddlebox(Middlebox.stripSmcFromSynAck());
        SimTcpConnection c2 = net.connect(CLIENT, SERVER, List.of(TcpOption.SMC));
        SimTcpConnection s2 = l.accept();
        assertTrue(s2.synInfo().smcNegotiated(), "the server saw and echoed the option");
        assertFalse(c2.synInfo().peerSmc(), "but the echo was stripped: the client falls back");
    }

    @Test
    void refusedWhenNobodyListens() {
        SimNetwork net = net(SimFabric.fast());
        assertThrows(ConnectException.class, () -> net.connect(CLIENT, SERVER, List.of()));
        SimTcpListener l = net.listen(SERVER, false);
        l.close();
        assertThrows(ConnectException.class, () -> net.connect(CLIENT, SERVER, List.of()));
    }

    @Test
    void bytesFlowBothWaysInOrderNonBlocking() throws Exception {
        SimNetwork net = net(SimFabric.fast());
        SimTcpListener l = net.listen(SERVER, false);
        SimTcpConnection c = net.connect(CLIENT, SERVER, List.of());
        SimTcpConnection s = l.accept();
        byte[] buf = new byte[100];
        assertEquals(0, read(s, buf), "nothing yet");
        c.write(ByteBuffer.wrap("hello ".getBytes(StandardCharsets.US_ASCII)));
        c.write(ByteBuffer.wrap("world".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(11, s.available());
        int n = read(s, buf);
        assertEquals("hello world", new String(buf, 0, n, StandardCharsets.US_ASCII));
        s.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertEquals(3, read(c, buf));
        assertEquals(11, c.bytesSent());
        assertEquals(11, s.bytesReceived());
    }

    @Test
    void receiveBufferBoundsTheWriter() throws Exception {
        SimNetwork net = net(SimFabric.fast());
        net.setReceiveBuffer(1000);
        SimTcpListener l = net.listen(SERVER, false);
        SimTcpConnection c = net.connect(CLIENT, SERVER, List.of());
        SimTcpConnection s = l.accept();
        AtomicInteger wakeups = new AtomicInteger();
        c.setReadinessListener(wakeups::incrementAndGet);
        ByteBuffer src = ByteBuffer.wrap(new byte[5000]);
        assertEquals(1000, c.write(src));
        assertEquals(0, c.write(src));
        assertEquals(0, c.writableBytes());
        assertEquals(400, read(s, new byte[400]));
        assertTrue(wakeups.get() > 0, "the writer is told the window opened");
        assertEquals(400, c.writableBytes());
        assertEquals(400, c.write(src));
    }

    @Test
    void halfCloseDeliversEofWhileThePeerCanStillWrite() throws Exception {
        SimNetwork net = net(SimFabric.fast());
        SimTcpListener l = net.listen(SERVER, false);
        SimTcpConnection c = net.connect(CLIENT, SERVER, List.of());
        SimTcpConnection s = l.accept();
        c.write(ByteBuffer.wrap(new byte[] {9, 8}));
        c.shutdownOutput();
        assertThrows(SocketException.class, () -> c.write(ByteBuffer.wrap(new byte[1])));
        byte[] buf = new byte[10];
        assertEquals(2, read(s, buf), "data before the FIN");
        assertEquals(-1, read(s, buf));
        assertTrue(s.isInputShutdown());
        s.write(ByteBuffer.wrap(new byte[] {7}));
        assertEquals(1, read(c, buf));
        assertEquals(7, buf[0]);
        s.close();
        assertEquals(-1, read(c, buf));
    }

    @Test
    void resetReachesBothSides() throws Exception {
        SimNetwork net = net(SimFabric.fast());
        SimTcpListener l = net.listen(SERVER, false);
        SimTcpConnection c = net.connect(CLIENT, SERVER, List.of());
        SimTcpConnection s = l.accept();
        c.write(ByteBuffer.wrap(new byte[10]));
        s.reset();
        assertTrue(c.isReset());
        assertEquals("Connection reset", assertThrows(SocketException.class, () -> read(c, new byte[1])).getMessage());
        assertThrows(SocketException.class, () -> read(s, new byte[1]));
        assertThrows(SocketException.class, () -> c.write(ByteBuffer.wrap(new byte[1])));
    }

    @Test
    void closeWithUnreadDataResets() throws Exception {
        SimNetwork net = net(SimFabric.fast());
        SimTcpListener l = net.listen(SERVER, false);
        SimTcpConnection c = net.connect(CLIENT, SERVER, List.of());
        SimTcpConnection s = l.accept();
        c.write(ByteBuffer.wrap(new byte[10]));
        s.close();
        assertThrows(SocketException.class, () -> read(c, new byte[1]));
    }

    @Test
    void delayRunsOnTheVirtualClock() throws Exception {
        SimFabric f = SimFabric.deterministic(1);
        SimNetwork net = net(f);
        net.setDelay(Duration.ofMillis(5));
        SimTcpListener l = net.listen(SERVER, true);
        SimTcpConnection c = net.connect(CLIENT, SERVER, List.of(TcpOption.SMC));
        SimTcpConnection s = l.accept(Duration.ofSeconds(1));
        assertNotNull(s);
        c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        c.shutdownOutput();
        byte[] buf = new byte[8];
        f.advance(Duration.ofMillis(4));
        assertEquals(0, read(s, buf), "still on the wire at t=4ms");
        f.advance(Duration.ofMillis(1));
        assertEquals(3, read(s, buf), "arrived at t=5ms");
        assertEquals(-1, read(s, buf));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(5), f.deterministicScheduler().nanoTime());
        // a blocking read on the virtual clock drives the simulation and times out virtually
        InputStream in = c.inputStream(Duration.ofSeconds(10));
        assertThrows(SocketTimeoutException.class, in::read);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(10_005), f.deterministicScheduler().nanoTime());
        assertNull(l.accept());
    }

    @Test
    void blockingStreamsMoveAMegabyteThroughASmallWindow() throws Exception {
        SimNetwork net = net(SimFabric.fast());
        net.setReceiveBuffer(16 * 1024);
        SimTcpListener l = net.listen(SERVER, false);
        SimTcpConnection c = net.connect(CLIENT, SERVER, List.of());
        SimTcpConnection s = l.accept(Duration.ofSeconds(1));
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> w = pool.submit(() -> {
                try (OutputStream out = c.outputStream(Duration.ofSeconds(10))) {
                    out.write(data);
                }
                return null;
            });
            InputStream in = s.inputStream(Duration.ofSeconds(10));
            byte[] got = in.readAllBytes();
            w.get(10, TimeUnit.SECONDS);
            assertArrayEquals(data, got);
        } finally {
            pool.shutdownNow();
        }
        assertThrows(SocketTimeoutException.class, () -> s.outputStream(Duration.ofMillis(1)).write(new byte[20_000]));
    }
}
