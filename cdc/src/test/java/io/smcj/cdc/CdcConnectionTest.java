package io.smcj.cdc;

import io.smcj.protocol.AlertToken;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CdcConnectionTest {
    static final int K16 = 16 * 1024;
    static final AlertToken OURS = new AlertToken(1);
    static final AlertToken THEIRS = new AlertToken(2);

    static CdcConnection conn(CdcConfig cfg, int sndbuf, int rmbe, int peerRmbe) {
        Arena arena = Arena.ofAuto();
        return new CdcConnection(cfg, arena.allocate(sndbuf), arena.allocate(rmbe), peerRmbe);
    }

    static CdcConnection conn() {
        return conn(CdcConfig.defaults(OURS, THEIRS).withAutocorkingSize(0), K16, K16, K16);
    }

    static CdcMessage cdc(int seq, Cursor prod, Cursor cons, int pflags, int cflags) {
        return CdcMessage.of(seq, OURS, prod, cons, new ProducerFlags(pflags), new ConnStateFlags(cflags));
    }

    @Test
    void shouldSplitRdmaWritesAtTheRmbeEndAndTheSendBufferEnd() {
        CdcConfig cfg = CdcConfig.defaults(OURS, THEIRS).withAutocorkingSize(0)
                .withCursors(new Cursor(0, K16 - 100), Cursor.ZERO, new Cursor(0, K16 - 50));
        CdcConnection c = conn(cfg, K16, K16, K16);
        assertEquals(300, c.write(new byte[300], 0, 300, 0));
        Transmission t = c.poll().orElseThrow();
        assertEquals(List.of(new RdmaWriteSegment(0, K16 - 50, K16 - 100, 50),
                new RdmaWriteSegment(0, 0, K16 - 50, 50), new RdmaWriteSegment(1, 50, 0, 200)), t.writes());
        assertEquals(new CdcCursor(0, 1, 200), t.cdc().prod(), "producer cursor wrapped");
        assertEquals(1, t.cdc().seqno(), "the kernel's first CDC has seqno 1");
        assertEquals(THEIRS, t.cdc().token());
        assertFalse(t.cdc().prodFlags().writeBlocked());
    }

    @Test
    void shouldSetWriteBlockedWhenThePeerRmbeFillsAndResumeOnConsumerCursor() {
        CdcConnection c = conn(CdcConfig.defaults(OURS, THEIRS).withAutocorkingSize(0), 64 * 1024, K16, K16);
        assertEquals(20000, c.write(new byte[20000], 0, 20000, 0));
        Transmission t = c.poll().orElseThrow();
        assertEquals(K16, t.dataBytes());
        assertTrue(t.cdc().prodFlags().writeBlocked());
        assertTrue(c.poll().isEmpty(), "no space left in the peer RMBE");
        c.onCdcSendComplete();
        CdcResult r = c.onCdc(cdc(1, Cursor.ZERO, new Cursor(1, 0), 0, 0));
        assertEquals(new CdcResult.Accepted(0, K16), r);
        Transmission t2 = c.poll().orElseThrow();
        assertEquals(20000 - K16, t2.dataBytes());
        assertFalse(t2.cdc().prodFlags().writeBlocked());
    }

    @Test
    void shouldSendConsumerUpdatesByTheKernelRule() {
        CdcConnection c = conn();
        assertEquals(2304, c.receiver().rmbeUpdateLimit(), "max(16384 / 10, SOCK_MIN_SNDBUF / 2)");
        c.onCdc(cdc(1, new Cursor(0, 3000), Cursor.ZERO, 0, 0));
        assertEquals(3000, c.read(new byte[5000], 0, 5000));
        assertTrue(c.poll().isEmpty(), "3000 > limit but the sender still has more than half the RMBE free");
        c.onCdc(cdc(2, new Cursor(0, 9000), Cursor.ZERO, 0, 0));
        assertEquals(6000, c.read(new byte[6000], 0, 6000));
        Transmission t = c.poll().orElseThrow();
        assertTrue(t.writes().isEmpty());
        assertEquals(new CdcCursor(0, 0, 9000), t.cdc().cons());
        assertTrue(c.poll().isEmpty());
    }

    @Test
    void shouldAnswerWriteBlockedWithAConsumerUpdateAboveTheLimit() {
        CdcConnection c = conn();
        c.onCdc(cdc(1, new Cursor(0, 2000), Cursor.ZERO, ProducerFlags.WRITE_BLOCKED, 0));
        c.read(new byte[5000], 0, 5000);
        assertTrue(c.poll().isEmpty(), "2000 is below the update limit");
        c.onCdc(cdc(2, new Cursor(0, 3000), Cursor.ZERO, ProducerFlags.WRITE_BLOCKED, 0));
        c.read(new byte[5000], 0, 5000);
        assertEquals(new CdcCursor(0, 0, 3000), c.poll().orElseThrow().cdc().cons());
    }

    @Test
    void shouldCarryUrgentDataAndTakeTheUrgentByteOutOfTheStream() {
        CdcPair p = new CdcPair(K16, K16, K16, K16, CdcConfig.Validation.STRICT, 0, Cursor.ZERO, Cursor.ZERO);
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        assertEquals(5, p.a.conn.write(hello, 0, 5, CdcConnection.MSG_OOB));
        assertEquals(0, p.a.conn.writable(), "further sends wait until the peer consumed everything");
        assertTrue(p.a.poll());
        CdcMessage sent = p.a.toPeer.peekFirst().cdc;
        assertTrue(sent.prodFlags().urgDataPending() && sent.prodFlags().urgDataPresent(), sent.toString());
        p.a.placeOne();
        p.a.deliverOne();
        assertEquals(4, p.b.conn.readable());
        assertEquals(UrgState.VALID, p.b.conn.receiver().urgState());
        byte[] buf = new byte[10];
        assertEquals(4, p.b.conn.read(buf, 0, 10));
        assertEquals("hell", new String(buf, 0, 4, StandardCharsets.US_ASCII));
        assertEquals('o', p.b.conn.readUrgent().orElseThrow());
        assertTrue(p.b.conn.readUrgent().isEmpty(), "read once");
        assertTrue(p.b.poll(), "skipping the urgent byte forces a consumer update");
        p.b.deliverOne();
        p.a.completeOne();
        assertEquals(K16, p.a.conn.writable(), "urgent data confirmed");
    }

    @Test
    void shouldIgnoreWhatTheKernelIgnores() {
        CdcConnection c = conn();
        assertEquals(CdcResult.IgnoreReason.WRONG_TOKEN, ((CdcResult.Ignored) c.onCdc(
                CdcMessage.of(1, new AlertToken(9), Cursor.ZERO, Cursor.ZERO, ProducerFlags.NONE,
                        ConnStateFlags.NONE))).reason());
        assertInstanceOf(CdcResult.Accepted.class, c.onCdc(cdc(5, new Cursor(0, 10), Cursor.ZERO, 0, 0)));
        assertEquals(CdcResult.IgnoreReason.SEQNO_OLDER,
                ((CdcResult.Ignored) c.onCdc(cdc(4, new Cursor(0, 20), Cursor.ZERO, 0, 0))).reason());
        assertEquals(10, c.readable(), "an older CDC changes nothing");
        assertEquals(CdcResult.IgnoreReason.FAILOVER_VALIDATION_OK, ((CdcResult.Ignored) c.onCdc(
                cdc(5, Cursor.ZERO, Cursor.ZERO, ProducerFlags.FAILOVER_VALIDATION, 0))).reason());
    }

    @Test
    void shouldAbortWithANamedReasonForEachViolation() {
        record Case(CdcMessage m, CdcViolation v) {
        }
        for (Case k : List.of(
                new Case(cdc(1, new Cursor(0, K16), Cursor.ZERO, 0, 0), CdcViolation.PROD_CURSOR_BEYOND_RMBE),
                new Case(cdc(1, new Cursor(1, 1), Cursor.ZERO, 0, 0), CdcViolation.PROD_CURSOR_OVERRUN),
                new Case(cdc(1, new Cursor(0xFFFF, 5), Cursor.ZERO, 0, 0), CdcViolation.PROD_CURSOR_BACKWARDS),
                new Case(cdc(1, Cursor.ZERO, new Cursor(0, K16 + 1), 0, 0), CdcViolation.CONS_CURSOR_BEYOND_RMBE),
                new Case(cdc(1, Cursor.ZERO, new Cursor(0, 1), 0, 0), CdcViolation.CONS_CURSOR_BEYOND_PRODUCED),
                new Case(cdc(1, Cursor.ZERO, new Cursor(0xFFFF, 1), 0, 0), CdcViolation.CONS_CURSOR_BACKWARDS),
                new Case(cdc(3, Cursor.ZERO, Cursor.ZERO, ProducerFlags.FAILOVER_VALIDATION, 0),
                        CdcViolation.SEQNO_LOST_AFTER_FAILOVER))) {
            CdcConnection c = conn(CdcConfig.defaults(OURS, THEIRS).withValidation(CdcConfig.Validation.STRICT),
                    K16, K16, K16);
            CdcResult r = c.onCdc(k.m());
            assertInstanceOf(CdcResult.Aborted.class, r, k.toString());
            assertEquals(k.v(), ((CdcResult.Aborted) r).violation(), r.toString());
            assertEquals(SmcCloseState.CLOSED, c.state());
            Transmission t = c.poll().orElseThrow();
            assertEquals(0x20, t.cdc().connStateFlags().raw(), "peer_conn_abort");
            assertEquals(0, c.readable(), "nothing of the bad CDC was applied");
        }
        CdcConnection strict = conn(CdcConfig.defaults(OURS, THEIRS).withValidation(CdcConfig.Validation.STRICT),
                K16, K16, K16);
        assertEquals(CdcViolation.SEQNO_GAP,
                ((CdcResult.Aborted) strict.onCdc(cdc(2, Cursor.ZERO, Cursor.ZERO, 0, 0))).violation());
    }

    @Test
    void kernelModeIgnoresOlderCursorsButStillAbortsOnCorruption() {
        CdcConnection c = conn();
        c.onCdc(cdc(1, new Cursor(0, 100), Cursor.ZERO, 0, 0));
        assertInstanceOf(CdcResult.Accepted.class, c.onCdc(cdc(2, new Cursor(0, 50), Cursor.ZERO, 0, 0)));
        assertEquals(new Cursor(0, 100), c.receiver().prod(), "older producer cursor ignored like the kernel");
        assertInstanceOf(CdcResult.Accepted.class, c.onCdc(cdc(9, new Cursor(0, 150), Cursor.ZERO, 0, 0)),
                "the kernel accepts seqno gaps");
        assertEquals(CdcViolation.PROD_CURSOR_OVERRUN,
                ((CdcResult.Aborted) c.onCdc(cdc(10, new Cursor(1, 150), Cursor.ZERO, 0, 0))).violation());
    }

    @Test
    void shouldNotReadPastUnreadDataAfterUrgentByteFromAMaliciousPeer() {
        CdcConnection c = conn();
        c.onCdc(cdc(1, new Cursor(0, 10), Cursor.ZERO, ProducerFlags.URG_DATA_PRESENT, 0));
        assertEquals(9, c.readable());
        assertEquals(CdcViolation.DATA_AFTER_URGENT_BYTE,
                ((CdcResult.Aborted) c.onCdc(cdc(2, new Cursor(0, 20), Cursor.ZERO, 0, 0))).violation());
    }

    @Test
    void shouldPutTheCloseFlagsOnTheWire() {
        CdcPair p = new CdcPair(K16, K16, K16, K16, CdcConfig.Validation.STRICT, 0, Cursor.ZERO, Cursor.ZERO);
        p.a.conn.shutdownWrite();
        assertTrue(p.a.poll());
        assertEquals(0x80, p.a.toPeer.peekLast().cdc.connStateFlags().raw());
        p.drain(false);
        assertEquals(SmcCloseState.APPCLOSEWAIT1, p.b.conn.state());
        p.b.conn.close();
        assertTrue(p.b.poll());
        assertEquals(0x40, p.b.toPeer.peekLast().cdc.connStateFlags().raw());
        p.drain(false);
        assertEquals(SmcCloseState.APPFINCLOSEWAIT, p.a.conn.state());
        p.a.conn.close();
        assertTrue(p.a.poll());
        assertEquals(0xc0, p.a.toPeer.peekLast().cdc.connStateFlags().raw());
        p.drain(false);
        assertEquals(SmcCloseState.CLOSED, p.a.conn.state());
        assertEquals(SmcCloseState.CLOSED, p.b.conn.state());
    }

    @Test
    void closeWaitsForTheSendBufferToDrain() {
        CdcConnection c = conn(CdcConfig.defaults(OURS, THEIRS).withAutocorkingSize(0), 64 * 1024, K16, K16);
        c.write(new byte[20000], 0, 20000, 0);
        c.close();
        assertEquals(CdcConnection.EPIPE, c.write(new byte[1], 0, 1, 0));
        Transmission t = c.poll().orElseThrow();
        assertEquals(K16, t.dataBytes());
        assertEquals(0, t.cdc().connStateFlags().raw(), "data first");
        assertTrue(c.poll().isEmpty(), "close waits for the rest of the data");
        assertEquals(SmcCloseState.ACTIVE, c.state());
        c.onCdc(cdc(1, Cursor.ZERO, new Cursor(1, 0), 0, 0));
        assertEquals(20000 - K16, c.poll().orElseThrow().dataBytes());
        Transmission close = c.poll().orElseThrow();
        assertEquals(0x40, close.cdc().connStateFlags().raw());
        assertEquals(SmcCloseState.PEERCLOSEWAIT1, c.state());
    }

    @Test
    void shouldAutocorkWhileACdcIsUnacknowledged() {
        CdcConnection c = conn(CdcConfig.defaults(OURS, THEIRS), K16, K16, K16);
        c.write(new byte[10], 0, 10, 0);
        assertEquals(10, c.poll().orElseThrow().dataBytes(), "first message never corks");
        c.write(new byte[10], 0, 10, 0);
        assertTrue(c.poll().isEmpty(), "corked: a CDC is pending and little data");
        c.onCdcSendComplete();
        assertEquals(10, c.poll().orElseThrow().dataBytes(), "pushed on completion");
        c.write(new byte[9000], 0, 9000, 0);
        assertEquals(9000, c.poll().orElseThrow().dataBytes(), "more than min(sndbuf/2, 64 KiB) is not corked");
    }

    @Test
    void autocorkingSizeZeroTurnsAutocorkingOff() {
        CdcConnection c = conn();
        c.write(new byte[10], 0, 10, 0);
        c.poll().orElseThrow();
        c.write(new byte[10], 0, 10, 0);
        assertEquals(10, c.poll().orElseThrow().dataBytes());
    }

    @Test
    void msgMoreCorksUntilTheBufferFillsOrAPushComes() {
        CdcConnection c = conn();
        c.write(new byte[10], 0, 10, CdcConnection.MSG_MORE);
        assertTrue(c.poll().isEmpty());
        c.write(new byte[10], 0, 10, 0);
        assertEquals(20, c.poll().orElseThrow().dataBytes());
        c.setCork(true);
        c.write(new byte[10], 0, 10, 0);
        assertTrue(c.poll().isEmpty());
        c.setCork(false);
        assertEquals(10, c.poll().orElseThrow().dataBytes());
    }

    @Test
    void snapshotIsPublishedForOtherThreads() throws Exception {
        CdcConnection c = conn();
        c.write(new byte[100], 0, 100, 0);
        CdcSnapshot[] seen = new CdcSnapshot[1];
        Thread t = new Thread(() -> seen[0] = c.snapshot());
        t.start();
        t.join(5000);
        assertEquals(100, seen[0].txCursPrep().count());
        assertEquals(K16 - 100, seen[0].sndbufSpace());
        assertEquals(SmcCloseState.ACTIVE, seen[0].state());
    }

    @Test
    void snapshotOnDemandEqualsThePublishedSnapshotAfterEveryCall() {
        CdcConnection eager = conn();
        CdcConnection lazy = conn().snapshotOnDemand();
        CdcSnapshot before = lazy.snapshot();
        assertEquals(eager.snapshot(), before);
        java.util.List<java.util.function.Consumer<CdcConnection>> steps = List.of(
                c -> c.write(new byte[20000], 0, 20000, 0),
                CdcConnection::poll,
                CdcConnection::poll,
                CdcConnection::onCdcSendComplete,
                c -> c.onCdc(cdc(1, new Cursor(0, 3000), new Cursor(1, 0), ProducerFlags.WRITE_BLOCKED, 0)),
                c -> c.read(new byte[2500], 0, 2500),
                CdcConnection::poll,
                c -> c.setCork(true),
                c -> c.write(new byte[10], 0, 10, CdcConnection.MSG_OOB),
                c -> c.setCork(false),
                CdcConnection::poll,
                c -> c.onCdc(cdc(2, new Cursor(0, 3000), new Cursor(1, 0), 0, ConnStateFlags.PEER_DONE_WRITING)),
                c -> c.read(new byte[1000], 0, 1000),
                CdcConnection::shutdownWrite,
                CdcConnection::poll,
                CdcConnection::close,
                CdcConnection::poll,
                CdcConnection::abort,
                CdcConnection::poll);
        for (int i = 0; i < steps.size(); i++) {
            steps.get(i).accept(eager);
            steps.get(i).accept(lazy);
            assertEquals(eager.snapshot(), lazy.snapshot(), "after step " + i);
        }
        assertNotEquals(before, lazy.snapshot());
    }

    @Test
    void shouldExposeReadableSpansAroundTheRingEnd() {
        CdcConfig cfg = CdcConfig.defaults(OURS, THEIRS).withCursors(Cursor.ZERO, new Cursor(3, K16 - 10),
                Cursor.ZERO);
        CdcConnection c = conn(cfg, K16, K16, K16);
        c.onCdc(cdc(1, new Cursor(4, 20), Cursor.ZERO, 0, 0));
        assertEquals(List.of(new RingSpan(K16 - 10, 10), new RingSpan(0, 20)), c.readableSpans());
        assertEquals(30, c.consume(30));
        assertEquals(0, c.readable());
    }

    @Test
    void shouldCopyThroughByteBuffersAndRegisteredMemory() {
        CdcPair p = new CdcPair(K16, K16, K16, K16, CdcConfig.Validation.STRICT, 0, Cursor.ZERO, Cursor.ZERO);
        java.nio.ByteBuffer src = java.nio.ByteBuffer.allocateDirect(100);
        for (int i = 0; i < 100; i++) {
            src.put((byte) i);
        }
        src.flip();
        assertEquals(100, p.a.conn.write(src, 0));
        assertEquals(100, src.position());
        p.a.poll();
        p.a.placeOne();
        p.a.deliverOne();
        java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(60);
        assertEquals(60, p.b.conn.read(dst));
        assertEquals(59, dst.get(59));
        MemorySegment seg = Arena.ofAuto().allocate(100);
        assertEquals(40, p.b.conn.read(seg));
        assertEquals(99, seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 39));
        assertEquals(0, p.b.conn.read(seg), "nothing more, not at EOF");
    }
}
