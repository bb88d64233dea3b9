package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcType;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.ProtocolException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rejected CLC message ends the handshake as the kernel's return code says: a decline code
 * ({@link ProtocolException#sendsDecline()}) -> Decline with that code and TCP fallback on both
 * sides, bytes intact; a negative errno ({@link ProtocolException#handshakeError}) -> no Decline,
 * the connection fails and the handshake error counters count it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtocolRejectionTest {

    /** Decodes normally, then rejects the first message of {@code type} with {@code e}. */
    private static ClcChannel.Decoder rejecting(ClcType type, ProtocolException e) {
        return (buf, expected) -> {
            var m = ClcCodec.decode(buf, expected);
            if (m.header().type() == type) {
                throw e;
            }
            return m;
        };
    }

    @Test
    void aProposalRejectedWithADeclineCodeIsDeclinedAndBothSidesFallBack() throws Exception {
        ProtocolException e = new ProtocolException(DeclineCode.MODEUNSUPP, 2, "test: Proposal rejected");
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config(), true, true, (who, b) -> {
            if (who.equals("server")) {
                b.clcDecoder(rejecting(ClcType.PROPOSAL, e));
            }
        }); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            Exchange.Result r = Exchange.run(p.client, ss, p.serverAddr, 100_000, 70_000);
            assertEquals(DeclineCode.MODEUNSUPP, r.server().fallbackReason(), r.toString());
            assertEquals(DeclineCode.PEERDECL, r.client().fallbackReason(), r.toString());
            assertEquals(DeclineCode.MODEUNSUPP.value(), r.client().peerDiagnosis(), r.toString());
            assertEquals(Map.of(DeclineCode.MODEUNSUPP.value(), 1L), p.server.stats().snapshot().fallbackServer());
            assertEquals(0, p.server.stats().snapshot().srvHshakeErr());
        }
    }

    @Test
    void anAcceptRejectedWithADeclineCodeIsDeclinedByTheClient() throws Exception {
        ProtocolException e = new ProtocolException(DeclineCode.NOSRVLINK, 30, "test: Accept rejected");
        try (SimPair p = new SimPair(SimPair.v2Config(), SimPair.v2Config(), true, true, (who, b) -> {
            if (who.equals("client")) {
                b.clcDecoder(rejecting(ClcType.ACCEPT, e));
            }
        }); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            Exchange.Result r = Exchange.run(p.client, ss, p.serverAddr, 50_000, 90_000);
            assertEquals(DeclineCode.NOSRVLINK, r.client().fallbackReason(), r.toString());
            assertEquals(DeclineCode.PEERDECL, r.server().fallbackReason(), r.toString());
            assertEquals(DeclineCode.NOSRVLINK.value(), r.server().peerDiagnosis(), r.toString());
            assertEquals(0, p.client.stats().snapshot().clntHshakeErr());
        }
    }

    /** Linux's behaviour: {@code smcj.clc_error_fallback} off (on: {@link ClcErrorFallbackTest}). */
    @Test
    void aHandshakeErrorSendsNoDeclineAndFailsTheConnection() throws Exception {
        ProtocolException e = ProtocolException.handshakeError(ProtocolException.EPROTO, DeclineCode.INTERR, 9,
                "test: EPROTO");
        SmcConfig linux = SmcConfig.builder().addUeid("SMCJ-TEST").clcErrorFallback(false).build();
        try (SimPair p = new SimPair(linux, linux, true, true, (who, b) -> {
            if (who.equals("server")) {
                b.clcDecoder(rejecting(ClcType.PROPOSAL, e));
            }
        }); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            HandshakeException he = assertThrows(HandshakeException.class, () -> p.client.connect(p.serverAddr));
            assertFalse(he.isEproto(), "the client saw the connection end, not a malformed message: " + he);
            CloseAndAbortTest.await(() -> p.server.stats().snapshot().srvHshakeErr() == 1, "server handshake error");
            assertEquals(Map.of(), p.server.stats().snapshot().fallbackServer());
            assertEquals(1, p.client.stats().snapshot().clntHshakeErr());
            assertTrue(p.traceLines.stream().noneMatch(l -> l.contains("CLC DECLINE")), String.join("\n", p.traceLines));
        }
    }
}
