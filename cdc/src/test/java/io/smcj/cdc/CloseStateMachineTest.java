package io.smcj.cdc;

import org.junit.jupiter.api.Test;

import static io.smcj.cdc.SmcCloseState.*;
import static org.junit.jupiter.api.Assertions.*;

/** The kernel's close tables (smc_close.c), transition by transition. */
class CloseStateMachineTest {
    static final ConnStateFlags DONE = ConnStateFlags.of(true, false, false);
    static final ConnStateFlags CLOSED_F = ConnStateFlags.of(false, true, false);
    static final ConnStateFlags ABORT = ConnStateFlags.of(false, false, true);

    @Test
    void shouldUseTheSmcDiagNumbers() {
        assertEquals(1, ACTIVE.diagNumber());
        assertEquals(2, INIT.diagNumber());
        assertEquals(7, CLOSED.diagNumber());
        assertEquals(20, PEERCLOSEWAIT1.diagNumber());
        assertEquals(21, PEERCLOSEWAIT2.diagNumber());
        assertEquals(22, APPCLOSEWAIT1.diagNumber());
        assertEquals(23, APPCLOSEWAIT2.diagNumber());
        assertEquals(24, APPFINCLOSEWAIT.diagNumber());
        assertEquals(25, PEERFINCLOSEWAIT.diagNumber());
        assertEquals(26, PEERABORTWAIT.diagNumber());
        assertEquals(27, PROCESSABORT.diagNumber());
        assertEquals(PROCESSABORT, SmcCloseState.ofDiagNumber(27));
    }

    @Test
    void activeCloseSendsClosedThenPeerCloseEndsIt() {
        CloseStateMachine m = new CloseStateMachine(ACTIVE);
        assertTrue(m.closeActive(0));
        assertEquals(PEERCLOSEWAIT1, m.state());
        assertEquals(0x40, m.txFlags().raw());
        m.passive(CLOSED_F);
        assertEquals(CLOSED, m.state());
    }

    @Test
    void closeWithUnreadDataSendsAbortAndIsFinal() {
        CloseStateMachine m = new CloseStateMachine(ACTIVE);
        assertTrue(m.closeActive(1));
        assertEquals(0x20, m.txFlags().raw());
        assertEquals(CLOSED, m.state(), "deviation: the kernel would wait in PEERCLOSEWAIT1");
    }

    @Test
    void shutdownWriteThenPeerDoneWritingThenClosed() {
        CloseStateMachine m = new CloseStateMachine(ACTIVE);
        assertTrue(m.shutdownWrite());
        assertEquals(PEERCLOSEWAIT1, m.state());
        assertEquals(0x80, m.txFlags().raw());
        m.passive(DONE);
        assertEquals(PEERCLOSEWAIT2, m.state());
        m.passive(ConnStateFlags.of(true, true, false));
        assertEquals(APPFINCLOSEWAIT, m.state(), "not closed locally yet");
        assertTrue(m.closeActive(0));
        assertEquals(0xc0, m.txFlags().raw(), "done_writing and closed, as seen in the captures");
        assertEquals(CLOSED, m.state());
    }

    @Test
    void passiveCloseAndShutdown() {
        CloseStateMachine m = new CloseStateMachine(ACTIVE);
        m.passive(DONE);
        assertEquals(APPCLOSEWAIT1, m.state());
        assertTrue(m.shutdownWrite());
        assertEquals(APPCLOSEWAIT2, m.state());
        assertTrue(m.closeActive(0));
        assertEquals(PEERFINCLOSEWAIT, m.state(), "peer only shut down writing");
        m.passive(CLOSED_F);
        assertEquals(CLOSED, m.state());
    }

    @Test
    void passiveCloseAfterPeerClosedEndsImmediately() {
        CloseStateMachine m = new CloseStateMachine(ACTIVE);
        m.passive(CLOSED_F);
        assertEquals(APPCLOSEWAIT1, m.state());
        assertTrue(m.closeActive(0));
        assertEquals(CLOSED, m.state());
    }

    @Test
    void receivedAbortFollowsSmcClosePassiveAbortReceived() {
        for (var c : new Object[][] {{ACTIVE, PROCESSABORT}, {APPCLOSEWAIT1, PROCESSABORT},
                {APPCLOSEWAIT2, CLOSED}, {APPFINCLOSEWAIT, PROCESSABORT}, {PEERCLOSEWAIT1, CLOSED},
                {PEERCLOSEWAIT2, CLOSED}, {PEERFINCLOSEWAIT, CLOSED}, {PEERABORTWAIT, CLOSED},
                {PROCESSABORT, PROCESSABORT}, {CLOSED, CLOSED}}) {
            CloseStateMachine m = new CloseStateMachine((SmcCloseState) c[0]);
            m.passive(ABORT);
            assertEquals(c[1], m.state(), "abort received in " + c[0]);
            assertTrue(m.txFlags().peerConnAbort(), "our later CDCs carry abort (smc_cdc_msg_recv_action)");
        }
    }

    @Test
    void abortAfterOurShutdownWaitsForOurCloseToAnswerWithAbort() {
        CloseStateMachine m = new CloseStateMachine(ACTIVE);
        m.shutdownWrite();
        m.passive(DONE);
        assertEquals(PEERCLOSEWAIT2, m.state());
        m.passive(ConnStateFlags.of(true, false, true));
        assertEquals(PROCESSABORT, m.state(), "the kernel's intent; its actual code goes CLOSED silently");
        assertTrue(m.closeActive(0));
        assertEquals(CLOSED, m.state());
        assertEquals(0xa0, m.txFlags().raw());
    }

    @Test
    void processAbortCloseSendsAbortAndCloses() {
        CloseStateMachine m = new CloseStateMachine(ACTIVE);
        m.passive(ABORT);
        assertEquals(PROCESSABORT, m.state());
        assertTrue(m.closeActive(0));
        assertEquals(CLOSED, m.state());
        assertTrue(m.txFlags().peerConnAbort());
    }

    @Test
    void localAbortClosesAndSendsAbortOnce() {
        CloseStateMachine m = new CloseStateMachine(APPCLOSEWAIT1);
        assertTrue(m.activeAbort());
        assertEquals(CLOSED, m.state());
        assertFalse(m.activeAbort(), "second abort sends nothing more");
    }

    @Test
    void shutdownInOtherStatesDoesNothing() {
        CloseStateMachine m = new CloseStateMachine(PEERCLOSEWAIT1);
        assertFalse(m.shutdownWrite());
        assertEquals(PEERCLOSEWAIT1, m.state());
    }
}
