package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.protocol.DeclineCode;
import io.smcj.simulator.tcp.Middlebox;
import io.smcj.simulator.tcp.SimTcpStreams;
import io.smcj.transport.tcp.stream.TcpStream;
import io.smcj.transport.tcp.stream.TcpStreamListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every pre-data failure leaves a working TCP connection with the kernel's reason code on both
 * sides, and the application's bytes arrive exactly once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FallbackTest {
    static final int UP = 300_000;
    static final int DOWN = 200_001;

    private static Exchange.Result exchange(SimPair p) throws Exception {
        try (SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            return Exchange.run(p.client, ss, p.serverAddr, UP, DOWN);
        }
    }

    private static void assertFallback(SmcStatus s, DeclineCode code, int peerDiag) {
        assertFalse(s.smc(), s.toString());
        assertEquals(code, s.fallbackReason(), s.toString());
        assertEquals(peerDiag, s.peerDiagnosis(), s.toString());
    }

    @Test
    void middleboxStripsTheOptionFromTheSyn() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config())) {
            p.net.setMiddlebox(Middlebox.stripSmcFromSyn());
            Exchange.Result r = exchange(p);
            assertFallback(r.client(), DeclineCode.PEERNOSMC, 0);
            assertFallback(r.server(), DeclineCode.PEERNOSMC, 0);
            assertEquals(1, p.client.stats().snapshot().fallbacks());
            assertEquals(1, p.server.stats().snapshot().fallbacks());
        }
    }

    @Test
    void clientWithoutDeviceDeclinesNoSmcDev() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config(), true, false, null)) {
            Exchange.Result r = exchange(p);
            assertFallback(r.client(), DeclineCode.NOSMCDEV, 0);
            assertFallback(r.server(), DeclineCode.PEERDECL, DeclineCode.NOSMCDEV.value());
        }
    }

    @Test
    void serverWithoutDeviceDeclines() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config(), false, true, null)) {
            Exchange.Result r = exchange(p);
            assertFallback(r.server(), DeclineCode.NOSMCRDEV, 0);
            assertFallback(r.client(), DeclineCode.PEERDECL, DeclineCode.NOSMCRDEV.value());
        }
    }

    @Test
    void noCommonUserEidWithV1DisabledDeclinesNoSmcDev() throws Exception {
        SmcConfig s = SmcConfig.builder().v1Enabled(false).addUeid("SERVER-EID").build();
        SmcConfig c = SmcConfig.builder().v1Enabled(false).addUeid("CLIENT-EID").build();
        try (SimPair p = new SimPair(s, c)) {
            Exchange.Result r = exchange(p);
            assertFallback(r.server(), DeclineCode.NOSMCDEV, 0);
            assertFallback(r.client(), DeclineCode.PEERDECL, DeclineCode.NOSMCDEV.value());
        }
    }

    @Test
    void noCommonUserEidFallsBackToSmcRv1() throws Exception {
        SmcConfig s = SmcConfig.builder().addUeid("SERVER-EID").build();
        SmcConfig c = SmcConfig.builder().addUeid("CLIENT-EID").build();
        try (SimPair p = new SimPair(s, c)) {
            Exchange.Result r = exchange(p);
            assertTrue(r.client().smc(), r.client().toString());
            assertEquals(1, r.client().version());
            assertEquals(1, r.server().version());
        }
    }

    @Test
    void v1WithDifferentSubnetDeclinesDiffPrefix() throws Exception {
        SmcConfig v1 = SmcConfig.builder().v2Enabled(false).build();
        try (SimPair p = new SimPair(v1, v1, true, true, (name, b) -> {
            if (name.equals("server")) {
                b.prefixLength(30);
            }
        })) {
            Exchange.Result r = exchange(p);
            assertFallback(r.server(), DeclineCode.DIFFPREFIX, 0);
            assertFallback(r.client(), DeclineCode.PEERDECL, DeclineCode.DIFFPREFIX.value());
        }
    }

    @Test
    void memoryWatermarkDeclinesMem() throws Exception {
        SmcConfig small = SmcConfig.builder().addUeid("SMCJ-TEST").bufferMemoryLimit(64 * 1024).build();
        try (SimPair p = new SimPair(small, SimPair.v2Config())) {
            Exchange.Result r = exchange(p);
            assertFallback(r.server(), DeclineCode.MEM, 0);
            assertFallback(r.client(), DeclineCode.PEERDECL, DeclineCode.MEM.value());
            assertEquals(1, p.server.stats().snapshot().fallbacks());
        }
    }

    @Test
    void v1OnlyConnectionRunsSmcRv1() throws Exception {
        SmcConfig v1 = SmcConfig.builder().v2Enabled(false).build();
        try (SimPair p = new SimPair(v1, v1)) {
            Exchange.Result r = exchange(p);
            assertTrue(r.client().smc());
            assertEquals(1, r.client().version());
            assertTrue(r.server().smc());
        }
    }

    /** Linux's behaviour ({@code smcj.clc_error_fallback} off); with it on see {@link ClcErrorFallbackTest}. */
    @Test
    void clcTimeoutIsAHandshakeErrorNotAFallback() throws Exception {
        SmcConfig linux = SmcConfig.builder().addUeid("SMCJ-TEST").clcErrorFallback(false).build();
        try (SimPair p = new SimPair(SimPair.v2Config(), linux, true, true,
                (name, b) -> b.clcWait(Duration.ofMillis(300)))) {
            // a "server" that accepts with the option and never answers
            InetSocketAddress addr = new InetSocketAddress(SimPair.ip("10.0.0.1"), 6000);
            try (TcpStreamListener l = new SimTcpStreams(p.net, SimPair.ip("10.0.0.1")).listen(addr, true)) {
                HandshakeException e = assertThrows(HandshakeException.class, () -> p.client.connect(addr));
                assertTrue(e.getMessage().contains("timeout"), e.getMessage());
                assertFalse(e.isEproto());
                assertEquals(1, p.client.stats().snapshot().clntHshakeErr());
            }
        }
    }

    @Test
    void malformedAcceptIsEproto() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config())) {
            InetSocketAddress addr = new InetSocketAddress(SimPair.ip("10.0.0.1"), 6001);
            try (TcpStreamListener l = new SimTcpStreams(p.net, SimPair.ip("10.0.0.1")).listen(addr, true)) {
                CompletableFuture<Void> bad = CompletableFuture.runAsync(() -> {
                    try {
                        TcpStream s = l.accept(Duration.ofSeconds(10));
                        byte[] junk = new byte[] {(byte) 0xE2, (byte) 0xD4, (byte) 0xC3, (byte) 0xD9, 2, 0, 44, 0x20};
                        s.write(junk, 0, junk.length, Duration.ofSeconds(5));
                        byte[] rest = new byte[36];
                        s.write(rest, 0, rest.length, Duration.ofSeconds(5));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, Exchange.POOL);
                HandshakeException e = assertThrows(HandshakeException.class, () -> p.client.connect(addr));
                assertTrue(e.isEproto(), e.getMessage());
                bad.get(10, TimeUnit.SECONDS);
                assertEquals(1, p.client.stats().snapshot().clntHshakeErr());
            }
        }
    }

    @Test
    void serverCountsAHandshakeErrorForGarbageInsteadOfAProposal() throws Exception {
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config());
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            TcpStream raw = new SimTcpStreams(p.net, SimPair.ip("10.0.0.2")).connect(p.serverAddr, true,
                    Duration.ofSeconds(5));
            byte[] junk = "GET / HTTP/1.0\r\n\r\n".getBytes();
            raw.write(junk, 0, junk.length, Duration.ofSeconds(5));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.server.stats().snapshot().srvHshakeErr() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, p.server.stats().snapshot().srvHshakeErr());
            raw.close();
        }
    }
}
