package io.smcj.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The two kinds of handshake failure the kernel distinguishes by the sign of the return code in
 * {@code __smc_connect} / {@code smc_listen_work}: a decline code (Decline + fallback) or a
 * negative errno (handshake error, no Decline).
 */
class ProtocolExceptionTest {

    @Test
    void aDeclineCodeMeansSendADecline() {
        ProtocolException e = new ProtocolException(DeclineCode.MODEUNSUPP, 12, "no common mode");
        assertTrue(e.sendsDecline());
        assertEquals(0, e.errno());
        assertEquals(DeclineCode.MODEUNSUPP, e.declineCode());
        assertEquals("no common mode at offset 12 (decline 0x03040000 MODEUNSUPP)", e.getMessage());
    }

    @Test
    void aHandshakeErrorSendsNoDeclineAndKeepsItsErrnoWhenShifted() {
        ProtocolException e = ProtocolException.handshakeError(ProtocolException.EPROTO, DeclineCode.INTERR, 5,
                "EPROTO: bad length");
        assertFalse(e.sendsDecline());
        assertEquals(71, e.errno());
        assertEquals(DeclineCode.INTERR, e.declineCode(), "the recorded code");
        ProtocolException shifted = e.atBase(40);
        assertFalse(shifted.sendsDecline());
        assertEquals(71, shifted.errno());
        assertEquals(45, shifted.offset());
        assertSame(e, shifted.getCause());
        ProtocolException decline = new ProtocolException(DeclineCode.NOV2EXT, 3, "x").atBase(8);
        assertTrue(decline.sendsDecline());
        assertEquals(11, decline.offset());
    }

    @Test
    void aHandshakeErrorNeedsAnErrno() {
        assertThrows(IllegalArgumentException.class,
                () -> ProtocolException.handshakeError(0, DeclineCode.INTERR, -1, "none"));
        assertThrows(IllegalArgumentException.class,
                () -> ProtocolException.handshakeError(-71, DeclineCode.INTERR, -1, "negative"));
    }
}
