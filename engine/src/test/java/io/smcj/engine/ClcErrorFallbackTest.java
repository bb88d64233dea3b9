package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcDecline;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcType;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.ProtocolException;
import io.smcj.simulator.tcp.SimTcpStreams;
import io.smcj.transport.tcp.stream.TcpStream;
import io.smcj.transport.tcp.stream.TcpStreamListener;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code smcj.clc_error_fallback}: a CLC timeout or a malformed CLC message in the two safe places
 * (client waiting for the Accept, server waiting for the Proposal) falls back to TCP; the peer's
 * late CLC message is discarded, never delivered; bytes that are not that message fail the
 * connection. Timing scenarios run in deterministic mode (virtual time: the network delay and the
 * CLC waits decide the order, nothing depends on the machine's speed).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClcErrorFallbackTest {
    private static final int TIMEOUT = LateClcMessage.TIMEOUT_CODE.value();
    private static final Duration NET_DELAY = Duration.ofMillis(300);

    private static SmcConfig cfg(boolean clcErrorFallback) {
        return SmcConfig.builder().addUeid("SMCJ-TEST").clcErrorFallback(clcErrorFallback).build();
    }

    private static BiConsumer<String, SmcEngine.Builder> clcWait(Duration server, Duration client) {
        return (who, b) -> b.clcWait(who.equals("server") ? server : client);
    }

    private static byte[] data(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /** Both directions through the two sockets, checked byte for byte, then EOF. */
    private static void exchange(DetSim sim, SmcSocket c, SmcSocket s, int up, int down) throws Exception {
        byte[] upData = data(up, up);
        byte[] downData = data(down, down + 1);
        DetSim.Task cw = sim.spawn("client-writer", () -> {
            c.getOutputStream().write(upData);
            c.shutdownOutput();
            return null;
        });
        DetSim.Task sw = sim.spawn("server-writer", () -> {
            s.getOutputStream().write(downData);
            s.shutdownOutput();
            return null;
        });
        DetSim.Task sr = sim.spawn("server-reader", () -> {
            byte[] got = new byte[up];
            new DataInputStream(s.getInputStream()).readFully(got);
            assertArrayEquals(upData, got, "client->server bytes");
            assertEquals(-1, s.getInputStream().read());
            return null;
        });
        byte[] got = new byte[down];
        new DataInputStream(c.getInputStream()).readFully(got);
        assertArrayEquals(downData, got, "server->client bytes");
        assertEquals(-1, c.getInputStream().read());
        cw.join();
        sw.join();
        sr.join();
    }

    private static void assertTraced(DetSim sim, String text) {
        assertTrue(sim.trace.stream().anyMatch(l -> l.contains(text)), text + " not in\n" + String.join("\n", sim.trace));
    }

    /** Reads one whole CLC message from a raw stream (header, then its length). */
    private static byte[] readClc(TcpStream t) throws IOException {
        byte[] head = readN(t, 8);
        int len = ((head[5] & 0xff) << 8) | (head[6] & 0xff);
        byte[] m = Arrays.copyOf(head, len);
        byte[] rest = readN(t, len - 8);
        System.arraycopy(rest, 0, m, 8, rest.length);
        return m;
    }

    private static byte[] readN(TcpStream t, int n) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int r = t.read(b, off, n - off, Duration.ofSeconds(60));
            if (r < 0) {
                throw new java.io.EOFException("after " + off + " of " + n);
            }
            off += r;
        }
        return b;
    }

    private static void write(TcpStream t, byte[] b) throws IOException {
        t.write(b, 0, b.length, Duration.ofSeconds(60));
    }

    @Test
    void lateAcceptAfterTheClientsTimeoutIsDeclinedAndBothSidesFallBack() throws Exception {
        // client waits 100 ms, the Proposal needs 300 ms and the Accept 300 ms back: the Accept is late
        DetSim sim = DetSim.run(11, false, cfg(true), cfg(true), Duration.ofMinutes(30),
                clcWait(Duration.ofSeconds(6), Duration.ofMillis(100)), s -> {
                    s.net.setDelay(NET_DELAY);
                    try (SmcServerSocket ss = s.server.listen(s.serverAddr)) {
                        DetSim.Task acc = s.spawn("accept", ss::accept);
                        try (SmcSocket c = s.client.connect(s.serverAddr)) {
                            assertFalse(c.isSmc());
                            assertEquals(LateClcMessage.TIMEOUT_CODE, c.smcStatus().fallbackReason());
                            SmcSocket srv = (SmcSocket) acc.join();
                            exchange(s, c, srv, 70_000, 50_001);
                            assertFalse(srv.isSmc());
                            assertEquals(DeclineCode.PEERDECL, srv.smcStatus().fallbackReason(), srv.smcStatus().toString());
                            assertEquals(TIMEOUT, srv.smcStatus().peerDiagnosis());
                            assertTrue(c.smcStatus().detail().contains("CLC timeout waiting for Accept; late Accept discarded"),
                                    c.smcStatus().toString());
                            srv.close();
                        }
                    }
                    assertEquals(Map.of(TIMEOUT, 1L), s.client.stats().snapshot().fallbackClient());
                    assertEquals(Map.of(DeclineCode.PEERDECL.value(), 1L), s.server.stats().snapshot().fallbackServer());
                    assertEquals(0, s.client.stats().snapshot().clntHshakeErr());
                    assertEquals(0, s.server.stats().snapshot().srvHshakeErr());
                });
        assertTraced(sim, "client late Accept discarded, Decline 0x02000000 sent");
        assertTraced(sim, "client CLC timeout waiting for Accept");
    }

    @Test
    void lateProposalIsDiscardedByTheServerAfterItsTimeout() throws Exception {
        // server waits 100 ms, the Proposal arrives after 300 ms; the client (6 s) gets the Decline
        DetSim sim = DetSim.run(12, false, cfg(true), cfg(true), Duration.ofMinutes(30),
                clcWait(Duration.ofMillis(100), Duration.ofSeconds(6)), s -> {
                    s.net.setDelay(NET_DELAY);
                    try (SmcServerSocket ss = s.server.listen(s.serverAddr)) {
                        DetSim.Task acc = s.spawn("accept", ss::accept);
                        try (SmcSocket c = s.client.connect(s.serverAddr)) {
                            SmcSocket srv = (SmcSocket) acc.join();
                            assertEquals(DeclineCode.PEERDECL, c.smcStatus().fallbackReason(), c.smcStatus().toString());
                            assertEquals(TIMEOUT, c.smcStatus().peerDiagnosis());
                            exchange(s, c, srv, 40_000, 90_000);
                            assertEquals(LateClcMessage.TIMEOUT_CODE, srv.smcStatus().fallbackReason());
                            assertTrue(srv.smcStatus().detail().contains("late Proposal discarded"), srv.smcStatus().toString());
                            srv.close();
                        }
                    }
                    assertEquals(Map.of(TIMEOUT, 1L), s.server.stats().snapshot().fallbackServer());
                    assertEquals(0, s.server.stats().snapshot().srvHshakeErr());
                });
        assertTraced(sim, "server late Proposal discarded");
    }

    @Test
    void bothSidesTimeOutAndTheirDeclinesCross() throws Exception {
        // server 100 ms, client 200 ms, 300 ms each way: both time out; the client must not decline
        // the server's late Decline (its Decline would reach the server's application as data)
        DetSim sim = DetSim.run(13, false, cfg(true), cfg(true), Duration.ofMinutes(30),
                clcWait(Duration.ofMillis(100), Duration.ofMillis(200)), s -> {
                    s.net.setDelay(NET_DELAY);
                    try (SmcServerSocket ss = s.server.listen(s.serverAddr)) {
                        DetSim.Task acc = s.spawn("accept", ss::accept);
                        try (SmcSocket c = s.client.connect(s.serverAddr)) {
                            SmcSocket srv = (SmcSocket) acc.join();
                            exchange(s, c, srv, 33_333, 44_444);
                            assertEquals(LateClcMessage.TIMEOUT_CODE, c.smcStatus().fallbackReason());
                            assertEquals(TIMEOUT, c.smcStatus().peerDiagnosis(), c.smcStatus().toString());
                            assertTrue(c.smcStatus().detail().contains("late Decline (peer_diagnosis 0x02000000) discarded"),
                                    c.smcStatus().toString());
                            assertTrue(srv.smcStatus().detail().contains("late Proposal discarded"), srv.smcStatus().toString());
                            srv.close();
                        }
                    }
                });
        // one Decline on the wire, the server's; the client sent none (the exchange saw no extra byte)
        assertEquals(0, sim.trace.stream().filter(l -> l.contains("client -> CLC DECLINE")).count(),
                String.join("\n", sim.trace));
        assertEquals(1, sim.trace.stream().filter(l -> l.contains("server -> CLC DECLINE")).count(),
                String.join("\n", sim.trace));
        assertTraced(sim, "client late Decline");
    }

    @Test
    void serverThatAnswersLateWithADeclineThenData() throws Exception {
        DetSim.run(14, false, cfg(true), cfg(true), Duration.ofMinutes(30),
                clcWait(Duration.ofSeconds(6), Duration.ofMillis(100)), s -> {
                    InetSocketAddress addr = new InetSocketAddress(SimPair.ip("10.0.0.1"), 6100);
                    try (TcpStreamListener l = new SimTcpStreams(s.net, SimPair.ip("10.0.0.1")).listen(addr, true)) {
                        DetSim.Task raw = s.spawn("raw-server", () -> {
                            TcpStream t = l.accept(Duration.ofSeconds(60));
                            ClcMessage p = ClcCodec.decode(readClc(t));
                            assertEquals(ClcType.PROPOSAL, p.header().type());
                            s.sleep(Duration.ofSeconds(1)); // long after the client's 100 ms
                            write(t, ClcCodec.encode(ClcDecline.linux(2, s.server.peerId(), DeclineCode.NOSMCDEV)));
                            write(t, "hello".getBytes(StandardCharsets.US_ASCII));
                            // the client must send nothing but its data: no Decline after ours
                            byte[] got = readN(t, 4);
                            t.close();
                            return new String(got, StandardCharsets.US_ASCII);
                        });
                        try (SmcSocket c = s.client.connect(addr)) {
                            assertEquals(LateClcMessage.TIMEOUT_CODE, c.smcStatus().fallbackReason());
                            c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                            byte[] got = new DataInputStream(c.getInputStream()).readNBytes(5);
                            assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
                            assertEquals("ping", raw.join());
                            assertEquals(DeclineCode.NOSMCDEV.value(), c.smcStatus().peerDiagnosis(), c.smcStatus().toString());
                        }
                    }
                });
    }

    @Test
    void serverThatAnswersLateWithAnAcceptGetsADeclineThenData() throws Exception {
        DetSim.run(15, false, cfg(true), cfg(true), Duration.ofMinutes(30),
                clcWait(Duration.ofSeconds(6), Duration.ofMillis(100)), s -> {
                    InetSocketAddress addr = new InetSocketAddress(SimPair.ip("10.0.0.1"), 6101);
                    try (TcpStreamListener l = new SimTcpStreams(s.net, SimPair.ip("10.0.0.1")).listen(addr, true)) {
                        DetSim.Task raw = s.spawn("raw-server", () -> {
                            TcpStream t = l.accept(Duration.ofSeconds(60));
                            readClc(t);
                            s.sleep(Duration.ofSeconds(1));
                            write(t, framedAccept());
                            // an Accept waits for a Confirm or Decline: the client's Decline comes first
                            ClcMessage d = ClcCodec.decode(readClc(t));
                            byte[] got = readN(t, 4);
                            write(t, "hello".getBytes(StandardCharsets.US_ASCII));
                            t.shutdownOutput();
                            return new Object[] {d, new String(got, StandardCharsets.US_ASCII)};
                        });
                        try (SmcSocket c = s.client.connect(addr)) {
                            c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                            byte[] got = new DataInputStream(c.getInputStream()).readNBytes(6);
                            assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
                            Object[] r = (Object[]) raw.join();
                            ClcDecline d = (ClcDecline) r[0];
                            assertEquals(TIMEOUT, d.peerDiagnosis());
                            assertEquals("ping", r[1]);
                        }
                    }
                });
    }

    @Test
    void aServerThatNeverAnswersFailsTheFallbackConnectionAfterTheLateWait() throws Exception {
        DetSim.run(20, false, cfg(true), cfg(true), Duration.ofMinutes(30),
                clcWait(Duration.ofSeconds(6), Duration.ofMillis(100)), s -> {
                    InetSocketAddress addr = new InetSocketAddress(SimPair.ip("10.0.0.1"), 6103);
                    try (TcpStreamListener l = new SimTcpStreams(s.net, SimPair.ip("10.0.0.1")).listen(addr, true)) {
                        DetSim.Task raw = s.spawn("raw-server", () -> {
                            TcpStream t = l.accept(Duration.ofSeconds(60));
                            readClc(t);
                            byte[] one = new byte[1];
                            // the client's data must never come: it is held, then the connection is reset
                            return t.read(one, 0, 1, Duration.ofSeconds(60));
                        });
                        try (SmcSocket c = s.client.connect(addr)) {
                            long t0 = s.now();
                            c.setSoTimeout(1000);
                            assertThrows(java.net.SocketTimeoutException.class, () -> c.getInputStream().read());
                            IOException e = assertThrows(IOException.class, () -> c.getOutputStream().write(1));
                            assertTrue(e.getMessage().contains("no late Accept within 12000 ms"), e.getMessage());
                            assertTrue(s.now() - t0 >= Duration.ofSeconds(12).toNanos() - Duration.ofMillis(200).toNanos(),
                                    "virtual wait " + (s.now() - t0));
                            IOException r = assertThrows(IOException.class, () -> raw.join());
                            assertTrue(r.getMessage().toLowerCase().contains("reset"), r.getMessage());
                        }
                    }
                });
    }

    @Test
    void aMalformedDeclineIsAPeerDeclineAndTheClientSendsNothing() throws Exception {
        DetSim.run(21, false, cfg(true), cfg(true), s -> {
            InetSocketAddress addr = new InetSocketAddress(SimPair.ip("10.0.0.1"), 6104);
            try (TcpStreamListener l = new SimTcpStreams(s.net, SimPair.ip("10.0.0.1")).listen(addr, true)) {
                DetSim.Task raw = s.spawn("raw-server", () -> {
                    TcpStream t = l.accept(Duration.ofSeconds(60));
                    readClc(t);
                    // a v1 Decline 4 bytes too long (Linux: EPROTO), framing intact, diagnosis NOSMCRDEV
                    byte[] d = ClcCodec.encode(ClcDecline.linux(1, s.server.peerId(), DeclineCode.NOSMCRDEV));
                    byte[] m = Arrays.copyOf(d, d.length + 4);
                    m[6] = (byte) m.length;
                    System.arraycopy(d, d.length - 4, m, m.length - 4, 4);
                    write(t, m);
                    write(t, "hello".getBytes(StandardCharsets.US_ASCII));
                    byte[] got = readN(t, 4);
                    t.close();
                    return new String(got, StandardCharsets.US_ASCII);
                });
                try (SmcSocket c = s.client.connect(addr)) {
                    assertEquals(DeclineCode.PEERDECL, c.smcStatus().fallbackReason(), c.smcStatus().toString());
                    assertEquals(DeclineCode.NOSMCRDEV.value(), c.smcStatus().peerDiagnosis());
                    assertTrue(c.smcStatus().detail().contains("malformed Decline"), c.smcStatus().toString());
                    c.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                    assertEquals("hello", new String(new DataInputStream(c.getInputStream()).readNBytes(5),
                            StandardCharsets.US_ASCII));
                    assertEquals("ping", raw.join());
                }
            }
        });
    }

    /** An SMC-R v1 Accept's framing (eyecatcher, type, length 68, version 1, trailer), zero content. */
    private static byte[] framedAccept() {
        byte[] m = new byte[68];
        byte[] eye = {(byte) 0xE2, (byte) 0xD4, (byte) 0xC3, (byte) 0xD9};
        System.arraycopy(eye, 0, m, 0, 4);
        m[4] = 2;
        m[6] = 68;
        m[7] = 0x10;
        System.arraycopy(eye, 0, m, 64, 4);
        return m;
    }

    @Test
    void garbageInsteadOfTheLateAcceptFailsTheConnectionWithoutDeliveringAByte() throws Exception {
        DetSim.run(16, false, cfg(true), cfg(true), Duration.ofMinutes(30),
                clcWait(Duration.ofSeconds(6), Duration.ofMillis(100)), s -> {
                    InetSocketAddress addr = new InetSocketAddress(SimPair.ip("10.0.0.1"), 6102);
                    try (TcpStreamListener l = new SimTcpStreams(s.net, SimPair.ip("10.0.0.1")).listen(addr, true)) {
                        DetSim.Task raw = s.spawn("raw-server", () -> {
                            TcpStream t = l.accept(Duration.ofSeconds(60));
                            readClc(t);
                            s.sleep(Duration.ofSeconds(1));
                            write(t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                            return null;
                        });
                        try (SmcSocket c = s.client.connect(addr)) {
                            byte[] buf = new byte[100];
                            IOException e = assertThrows(IOException.class, () -> c.getInputStream().read(buf));
                            assertTrue(e.getMessage().contains("not a CLC Accept or Decline"), e.getMessage());
                            assertTrue(e.getMessage().contains("no byte delivered"), e.getMessage());
                            assertThrows(IOException.class, () -> c.getOutputStream().write(1));
                            assertTrue(c.smcStatus().detail().contains("failed"), c.smcStatus().toString());
                            raw.join();
                        }
                    }
                });
    }

    @Test
    void garbageInsteadOfTheLateProposalFailsTheServersConnection() throws Exception {
        DetSim.run(17, false, cfg(true), cfg(true), Duration.ofMinutes(30),
                clcWait(Duration.ofMillis(100), Duration.ofSeconds(6)), s -> {
                    try (SmcServerSocket ss = s.server.listen(s.serverAddr)) {
                        DetSim.Task acc = s.spawn("accept", ss::accept);
                        TcpStream t = new SimTcpStreams(s.net, SimPair.ip("10.0.0.2")).connect(s.serverAddr, true,
                                Duration.ofSeconds(10));
                        ClcDecline d = (ClcDecline) ClcCodec.decode(readClc(t)); // the server timed out
                        assertEquals(TIMEOUT, d.peerDiagnosis());
                        write(t, "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        SmcSocket srv = (SmcSocket) acc.join();
                        IOException e = assertThrows(IOException.class, () -> srv.getInputStream().read(new byte[64]));
                        assertTrue(e.getMessage().contains("not a CLC Decline or Proposal"), e.getMessage());
                        srv.close();
                        t.close();
                    }
                });
    }

    @Test
    void switchedOffTheLateProposalIsAServerHandshakeError() throws Exception {
        DetSim.run(18, false, cfg(false), cfg(true), Duration.ofMinutes(30),
                clcWait(Duration.ofMillis(100), Duration.ofSeconds(6)), s -> {
                    s.net.setDelay(NET_DELAY);
                    try (SmcServerSocket ss = s.server.listen(s.serverAddr)) {
                        assertThrows(IOException.class, () -> s.client.connect(s.serverAddr));
                        assertEquals(1, s.server.stats().snapshot().srvHshakeErr());
                        assertEquals(Map.of(), s.server.stats().snapshot().fallbackServer());
                    }
                });
    }

    @Test
    void switchedOffTheLateAcceptIsAClientHandshakeError() throws Exception {
        DetSim.run(19, false, cfg(true), cfg(false), Duration.ofMinutes(30),
                clcWait(Duration.ofSeconds(6), Duration.ofMillis(100)), s -> {
                    s.net.setDelay(NET_DELAY);
                    try (SmcServerSocket ss = s.server.listen(s.serverAddr)) {
                        HandshakeException e = assertThrows(HandshakeException.class, () -> s.client.connect(s.serverAddr));
                        assertTrue(e.getMessage().contains("timeout"), e.getMessage());
                        assertEquals(1, s.client.stats().snapshot().clntHshakeErr());
                        assertEquals(Map.of(), s.client.stats().snapshot().fallbackClient());
                    }
                });
    }

    /** Decodes normally, then rejects the first message of {@code type} as malformed (-EPROTO). */
    private static ClcChannel.Decoder eproto(ClcType type) {
        return (buf, expected) -> {
            var m = ClcCodec.decode(buf, expected);
            if (m.header().type() == type) {
                throw ProtocolException.handshakeError(ProtocolException.EPROTO, DeclineCode.INTERR, 9, "test: EPROTO");
            }
            return m;
        };
    }

    @Test
    void aMalformedProposalIsDeclinedInterrAndBothSidesFallBack() throws Exception {
        try (SimPair p = new SimPair(cfg(true), cfg(true), true, true, (who, b) -> {
            if (who.equals("server")) {
                b.clcDecoder(eproto(ClcType.PROPOSAL));
            }
        }); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            Exchange.Result r = Exchange.run(p.client, ss, p.serverAddr, 60_000, 30_000);
            assertEquals(DeclineCode.INTERR, r.server().fallbackReason(), r.toString());
            assertTrue(r.server().detail().contains("malformed Proposal"), r.toString());
            assertEquals(DeclineCode.PEERDECL, r.client().fallbackReason(), r.toString());
            assertEquals(DeclineCode.INTERR.value(), r.client().peerDiagnosis(), r.toString());
            assertEquals(0, p.server.stats().snapshot().srvHshakeErr());
            assertEquals(Map.of(DeclineCode.INTERR.value(), 1L), p.server.stats().snapshot().fallbackServer());
        }
    }

    @Test
    void aMalformedAcceptIsDeclinedInterrAndBothSidesFallBack() throws Exception {
        try (SimPair p = new SimPair(cfg(true), cfg(true), true, true, (who, b) -> {
            if (who.equals("client")) {
                b.clcDecoder(eproto(ClcType.ACCEPT));
            }
        }); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            Exchange.Result r = Exchange.run(p.client, ss, p.serverAddr, 30_000, 60_000);
            assertEquals(DeclineCode.INTERR, r.client().fallbackReason(), r.toString());
            assertEquals(DeclineCode.PEERDECL, r.server().fallbackReason(), r.toString());
            assertEquals(DeclineCode.INTERR.value(), r.server().peerDiagnosis(), r.toString());
            assertEquals(0, p.client.stats().snapshot().clntHshakeErr());
        }
    }

    @Test
    void aMalformedConfirmStaysAServerHandshakeError() throws Exception {
        try (SimPair p = new SimPair(cfg(true), cfg(true), true, true, (who, b) -> {
            if (who.equals("server")) {
                b.clcDecoder(eproto(ClcType.CONFIRM));
            }
        }); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            try {
                p.client.connect(p.serverAddr).close();
            } catch (IOException expected) {
                // the server dropped the connection
            }
            CloseAndAbortTest.await(() -> p.server.stats().snapshot().srvHshakeErr() == 1, "server handshake error");
            assertEquals(Map.of(), p.server.stats().snapshot().fallbackServer());
        }
    }
}
