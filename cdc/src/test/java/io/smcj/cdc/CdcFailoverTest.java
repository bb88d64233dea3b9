package io.smcj.cdc;

import io.smcj.protocol.AlertToken;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Link switch and failover validation ({@code smc_switch_cursor}, {@code smcr_cdc_msg_send_validation},
 * {@code smc_cdc_msg_validate}) on two hand-driven connections A and B.
 */
class CdcFailoverTest {
    static final int K16 = 16 * 1024;
    static final AlertToken TA = new AlertToken(1);
    static final AlertToken TB = new AlertToken(2);

    final Arena arena = Arena.ofAuto();
    final MemorySegment sndA = arena.allocate(K16);
    final MemorySegment rmbeB = arena.allocate(K16);
    final CdcConnection a = new CdcConnection(CdcConfig.defaults(TA, TB).withAutocorkingSize(0), sndA,
            arena.allocate(K16), K16);
    final CdcConnection b = new CdcConnection(CdcConfig.defaults(TB, TA).withAutocorkingSize(0), arena.allocate(K16),
            rmbeB, K16);

    /** Places a transmission's RDMA WRITEs from A's send buffer into B's RMBE. */
    void place(Transmission t) {
        for (RdmaWriteSegment s : t.writes()) {
            MemorySegment.copy(sndA, ValueLayout.JAVA_BYTE, s.localOffset(), rmbeB, ValueLayout.JAVA_BYTE,
                    s.remoteOffset(), s.length());
        }
    }

    byte[] data(int n, long seed) {
        byte[] d = new byte[n];
        new Random(seed).nextBytes(d);
        return d;
    }

    @Test
    void flushedTransmissionIsSentAgainAfterTheValidationCdc() {
        byte[] d = data(3000, 1);
        assertEquals(3000, a.write(d, 0, 3000, 0));
        Transmission lost = a.poll().orElseThrow();
        assertEquals(1, lost.cdc().seqno());
        // the link fails before anything arrived: the CDC is flushed
        assertTrue(a.switchLink());
        assertEquals(a.sender().txCursFin(), a.sender().txCursSent(), "tx_curs_sent := tx_curs_fin");
        assertEquals(Cursor.ZERO, a.sender().prod(), "local_tx_ctrl.prod := local_tx_ctrl_fin");
        Transmission v = a.poll().orElseThrow();
        assertTrue(v.writes().isEmpty());
        assertTrue(v.cdc().prodFlags().failoverValidation());
        assertEquals(0, v.cdc().seqno(), "tx_cdc_seq_fin: no CDC completed yet");
        Transmission again = a.poll().orElseThrow();
        assertEquals(lost.writes(), again.writes(), "same bytes to the same RMBE offsets");
        assertEquals(lost.cdc().prod(), again.cdc().prod());
        assertEquals(2, again.cdc().seqno(), "tx_cdc_seq is not rewound");
        assertTrue(a.poll().isEmpty());

        assertEquals(new CdcResult.Ignored(CdcResult.IgnoreReason.FAILOVER_VALIDATION_OK, "seqno 0"), b.onCdc(v.cdc()));
        assertEquals(1, b.validationsReceived());
        place(again);
        assertEquals(new CdcResult.Accepted(3000, 0), b.onCdc(again.cdc()));
        byte[] got = new byte[4000];
        assertEquals(3000, b.read(got, 0, got.length));
        assertArrayEquals(d, java.util.Arrays.copyOf(got, 3000));
        a.onCdcSendComplete();
        a.onCdcSendComplete();
        assertEquals(K16, a.sender().sndbufSpace());
        assertEquals(2, a.sender().seqFin());
    }

    @Test
    void deliveredTransmissionWhoseCompletionWasLostIsIgnoredByThePeer() {
        byte[] d = data(5000, 2);
        a.write(d, 0, 5000, 0);
        Transmission t1 = a.poll().orElseThrow();
        place(t1);
        assertEquals(new CdcResult.Accepted(5000, 0), b.onCdc(t1.cdc()));
        a.switchLink(); // completion flushed although B received it
        Transmission v = a.poll().orElseThrow();
        assertInstanceOf(CdcResult.Ignored.class, b.onCdc(v.cdc()));
        Transmission again = a.poll().orElseThrow();
        place(again); // the same bytes again, B has not read them yet
        assertEquals(new CdcResult.Accepted(0, 0), b.onCdc(again.cdc()), "no byte duplicated");
        assertEquals(5000, b.readable());
        byte[] got = new byte[5000];
        assertEquals(5000, b.read(got, 0, 5000));
        assertArrayEquals(d, got);
    }

    @Test
    void bytesThePeerAlreadyConsumedAreNotSentAgain() {
        a.write(data(9000, 3), 0, 9000, 0);
        Transmission t1 = a.poll().orElseThrow();
        place(t1);
        b.onCdc(t1.cdc());
        b.read(new byte[9000], 0, 9000);
        // B's consumer update reaches A, A's own completion for t1 is lost
        Transmission upd = b.poll().orElseThrow();
        assertEquals(new CdcCursor(0, 0, 9000), upd.cdc().cons());
        assertEquals(new CdcResult.Accepted(0, 9000), a.onCdc(upd.cdc()));
        a.switchLink();
        assertEquals(new Cursor(0, 9000), a.sender().prod(), "smc_switch_cursor: prod advanced to the peer's cons");
        assertEquals(K16, a.sender().sndbufSpace(), "consumed bytes freed");
        assertTrue(a.poll().orElseThrow().cdc().prodFlags().failoverValidation());
        assertTrue(a.poll().isEmpty(), "nothing to re-send");
    }

    @Test
    void consumerCursorArrivingAfterTheRewindSkipsConsumedBytes() {
        a.write(data(9000, 4), 0, 9000, 0);
        Transmission t1 = a.poll().orElseThrow();
        place(t1);
        b.onCdc(t1.cdc());
        b.read(new byte[9000], 0, 9000);
        Transmission upd = b.poll().orElseThrow();
        a.switchLink(); // before B's update arrives
        assertEquals(Cursor.ZERO, a.sender().prod());
        assertEquals(new CdcResult.Accepted(0, 9000), a.onCdc(upd.cdc()),
                "a consumer cursor beyond the rewound producer cursor is legal (we had sent that far)");
        assertEquals(new Cursor(0, 9000), a.sender().prod());
        assertTrue(a.poll().orElseThrow().cdc().prodFlags().failoverValidation());
        assertTrue(a.poll().isEmpty(), "the consumed bytes are skipped");
        assertEquals(K16, a.sender().sndbufSpace());
    }

    @Test
    void validationShowingLostCdcsAbortsTheConnection() {
        a.write(data(100, 5), 0, 100, 0);
        Transmission t1 = a.poll().orElseThrow();
        // constructed: A saw t1 complete, but B never received it (impossible on a healthy RC QP)
        a.onCdcSendComplete();
        a.switchLink();
        Transmission v = a.poll().orElseThrow();
        assertEquals(1, v.cdc().seqno());
        CdcResult r = b.onCdc(v.cdc());
        assertEquals(CdcViolation.SEQNO_LOST_AFTER_FAILOVER, ((CdcResult.Aborted) r).violation());
        Transmission abort = b.poll().orElseThrow();
        assertTrue(abort.cdc().connStateFlags().peerConnAbort(), "out of sync: peer_conn_abort");
        assertInstanceOf(CdcResult.Ignored.class, b.onCdc(t1.cdc()), "no receive after out_of_sync");
    }

    @Test
    void validationAcrossTheSeqnoRollOverIsAccepted() {
        // smc_cdc_msg_validate compares as s16: 0xFFFF received, validation says 0xFFFE or 0xFFFF
        CdcConnection r = new CdcConnection(CdcConfig.defaults(TB, TA), arena.allocate(K16), arena.allocate(K16), K16);
        ProducerFlags fv = ProducerFlags.NONE.withFailoverValidation(true);
        for (int seq : new int[] {0x7000, 0xE000, 0xFFFF}) {
            assertInstanceOf(CdcResult.Accepted.class,
                    r.onCdc(CdcMessage.of(seq, TB, Cursor.ZERO, Cursor.ZERO, ProducerFlags.NONE, ConnStateFlags.NONE)));
        }
        assertInstanceOf(CdcResult.Ignored.class,
                r.onCdc(CdcMessage.of(0xFFFF, TB, Cursor.ZERO, Cursor.ZERO, fv, ConnStateFlags.NONE)));
        assertInstanceOf(CdcResult.Ignored.class,
                r.onCdc(CdcMessage.of(0xFFF0, TB, Cursor.ZERO, Cursor.ZERO, fv, ConnStateFlags.NONE)));
        assertInstanceOf(CdcResult.Aborted.class,
                r.onCdc(CdcMessage.of(0x0000, TB, Cursor.ZERO, Cursor.ZERO, fv, ConnStateFlags.NONE)));
    }

    @Test
    void strictReceiverAcceptsTheSeqnoGapAndRewoundCursorsAfterAValidation() {
        CdcConnection s = new CdcConnection(CdcConfig.defaults(TB, TA).withValidation(CdcConfig.Validation.STRICT),
                arena.allocate(K16), rmbeB, K16);
        a.write(data(6000, 6), 0, 6000, 0);
        Transmission t1 = a.poll().orElseThrow();
        place(t1);
        assertInstanceOf(CdcResult.Accepted.class, s.onCdc(t1.cdc()));
        a.write(data(10, 7), 0, 10, 0);
        a.poll().orElseThrow(); // seqno 2, flushed
        a.switchLink();
        assertInstanceOf(CdcResult.Ignored.class, s.onCdc(a.poll().orElseThrow().cdc()));
        Transmission again = a.poll().orElseThrow(); // seqno 3, prod 6010: a gap and bytes B partly has
        place(again);
        assertEquals(new CdcResult.Accepted(10, 0), s.onCdc(again.cdc()));
        assertEquals(6010, s.readable());
        // caught up: STRICT again
        CdcResult gap = s.onCdc(CdcMessage.of(9, TB, new Cursor(0, 6010), Cursor.ZERO, ProducerFlags.NONE,
                ConnStateFlags.NONE));
        assertEquals(CdcViolation.SEQNO_GAP, ((CdcResult.Aborted) gap).violation());
    }

    @Test
    void flushedCloseIsSentAgainEvenWhenClosed() {
        b.close();
        Transmission close = b.poll().orElseThrow();
        assertTrue(close.cdc().connStateFlags().peerConnClosed());
        // A closes too and B gets it: B is CLOSED, its close CDC still pending on the failed link
        a.close();
        Transmission aClose = a.poll().orElseThrow();
        b.onCdc(aClose.cdc());
        assertEquals(SmcCloseState.CLOSED, b.state());
        assertTrue(b.switchLink());
        assertTrue(b.poll().orElseThrow().cdc().prodFlags().failoverValidation());
        Transmission again = b.poll().orElseThrow();
        assertTrue(again.cdc().connStateFlags().peerConnClosed(), "the close A waits for is sent again");
        a.onCdc(close.cdc().withSeqno(0)); // (the lost one never arrives)
        a.onCdc(again.cdc());
        assertEquals(SmcCloseState.CLOSED, a.state());
    }

    @Test
    void nothingInFlightInAClosingStateOnlyMovesTheLink() {
        a.shutdownWrite();
        Transmission t = a.poll().orElseThrow();
        a.onCdcSendComplete();
        b.onCdc(t.cdc());
        assertEquals(SmcCloseState.PEERCLOSEWAIT1, a.state());
        assertFalse(a.switchLink(), "smc_switch_conns skips PEERCLOSEWAIT1: no validation");
        assertTrue(a.poll().isEmpty());
        assertEquals(SmcCloseState.APPCLOSEWAIT1, b.state());
        assertFalse(b.switchLink(), "smc_switch_conns skips APPCLOSEWAIT1 too");
        assertTrue(b.poll().isEmpty());
    }

    @Test
    void validationCdcHasTheKernelLayout() {
        a.write(data(10, 8), 0, 10, 0);
        a.poll().orElseThrow();
        a.onCdcSendComplete(); // seqno 1 completed
        a.write(data(10, 9), 0, 10, 0);
        a.poll().orElseThrow(); // seqno 2 flushed
        a.switchLink();
        byte[] wire = CdcCodec.encode(a.poll().orElseThrow().cdc());
        // type 0xFE, len 44, seqno = tx_cdc_seq_fin (1), token of the peer (2), cursors zero,
        // prod_flags failover_validation (0x08), conn state flags zero, reserved zero: what
        // smcr_cdc_msg_send_validation leaves in the zeroed send buffer
        assertEquals("fe2c0001" + "00000002" + "0".repeat(32) + "0800" + "0".repeat(36),
                HexFormat.of().formatHex(wire));
    }

    /**
     * Found by the stateful property (seed 590207524036988067): B has closed; A fills B's whole
     * ring (producer cursor 1:0) and closes, and is CLOSED once B's close arrives; B receives the
     * data, A's close CDC is lost with the link and no completion reaches A. A rewinds to 0:0 and,
     * being CLOSED, re-sends no data: only the validation and its close flags, with producer cursor
     * 0:0. The kernel rule for older cursors ({@code smc_cdc_cursor_to_host}) lets a cursor back to
     * wrap 0 through, so B must ignore it by the wrap-safe rule while it resyncs, not abort
     * (PROD_CURSOR_BACKWARDS) and not count a ring of new bytes.
     */
    @Test
    void aCloseResentAfterARewindToWrapZeroIsAcceptedWithoutItsOlderCursor() {
        b.close();
        Transmission bClose = b.poll().orElseThrow();
        byte[] d = data(K16, 9);
        assertEquals(K16, a.write(d, 0, K16, 0));
        Transmission full = a.poll().orElseThrow();
        assertEquals(new Cursor(1, 0), full.cdc().prod().toCursor());
        a.close();
        Transmission close = a.poll().orElseThrow();
        assertTrue(close.cdc().connStateFlags().peerConnClosed());
        assertInstanceOf(CdcResult.Accepted.class, a.onCdc(bClose.cdc()));
        assertEquals(SmcCloseState.CLOSED, a.state());
        place(full);
        assertEquals(new CdcResult.Accepted(K16, 0), b.onCdc(full.cdc()));
        // A's close CDC is lost with the link; A saw no completion at all
        assertTrue(a.switchLink(), "a flushed close is validated and sent again");
        assertEquals(Cursor.ZERO, a.sender().prod(), "rewound to the last completed CDC");
        Transmission v = a.poll().orElseThrow();
        assertTrue(v.cdc().prodFlags().failoverValidation());
        assertEquals(CdcResult.IgnoreReason.FAILOVER_VALIDATION_OK, ((CdcResult.Ignored) b.onCdc(v.cdc())).reason());
        Transmission again = a.poll().orElseThrow();
        assertTrue(again.writes().isEmpty(), "CLOSED: no data is sent again");
        assertTrue(again.cdc().connStateFlags().peerConnClosed(), "the close flags go out again");
        assertEquals(Cursor.ZERO, again.cdc().prod().toCursor(), "with the rewound producer cursor");
        assertEquals(new CdcResult.Accepted(0, 0), b.onCdc(again.cdc()), "older cursor ignored, close applied");
        assertEquals(new Cursor(1, 0), b.receiver().prod(), "B keeps the newer producer cursor");
        byte[] got = new byte[K16];
        assertEquals(K16, b.read(got, 0, K16));
        assertArrayEquals(d, got);
        assertEquals(CdcConnection.EOF, b.read(got, 0, 1), "then EOF from the close");
    }
}
