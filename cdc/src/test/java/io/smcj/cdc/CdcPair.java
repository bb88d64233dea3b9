package io.smcj.cdc;

import io.smcj.protocol.AlertToken;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Test model: two {@link CdcConnection}s joined by a simulated RC link. Each direction has a FIFO
 * of posted transmissions; their RDMA WRITEs are placed into the peer's RMBE and their CDCs
 * delivered at arbitrary moments chosen by the test, but in order (RC: writes before the CDC
 * behind them, CDCs in order). Send completions come after delivery, in order. The model checks
 * the data-path invariants after every step.
 */
final class CdcPair {
    final Side a;
    final Side b;
    final List<String> log = new ArrayList<>();
    /** Every post, delivery, completion and link switch, for failure messages (the last ones). */
    final List<String> events = new ArrayList<>();

    static String lastEvents(List<String> events) {
        return String.join("\n  ", events.subList(Math.max(0, events.size() - 40), events.size()));
    }

    static String brief(io.smcj.cdc.CdcMessage c) {
        return "seq=" + c.seqno() + " prod=" + c.prod() + " cons=" + c.cons()
                + (c.prodFlags().failoverValidation() ? " VALIDATION" : "") + " " + c.connStateFlags();
    }

    CdcPair(int sndbufA, int rmbeA, int sndbufB, int rmbeB, CdcConfig.Validation v, int autocork, Cursor aToB,
            Cursor bToA) {
        CdcConfig ca = new CdcConfig(new AlertToken(1), new AlertToken(2), autocork, CdcConfig.SOCK_MIN_SNDBUF_HALF, v,
                aToB, bToA, new Cursor(0xFFFF, 0));
        CdcConfig cb = new CdcConfig(new AlertToken(2), new AlertToken(1), autocork, CdcConfig.SOCK_MIN_SNDBUF_HALF, v,
                bToA, aToB, new Cursor(7, 0));
        a = new Side("A", ca, sndbufA, rmbeA, rmbeB);
        b = new Side("B", cb, sndbufB, rmbeB, rmbeA);
        a.events = events;
        b.events = events;
        a.peer = b;
        b.peer = a;
    }

    @Override
    public String toString() {
        return "CdcPair[A=" + a.conn.snapshot() + ", B=" + b.conn.snapshot() + "]";
    }

    /** A posted transmission travelling from one side to the other. */
    static final class InFlight {
        final ArrayDeque<RdmaWriteSegment> unplaced;
        final CdcMessage cdc;
        /** Absolute stream position of its first data byte. */
        final long startAbs;
        /** Absolute stream position the CDC announces (end of all data posted with it and before). */
        final long endAbs;
        long placed;

        InFlight(Transmission t, long startAbs, long endAbs) {
            this.unplaced = new ArrayDeque<>(t.writes());
            this.cdc = t.cdc();
            this.startAbs = startAbs;
            this.endAbs = endAbs;
        }
    }

    static final class Side {
        final String name;
        final CdcConnection conn;
        /** The pair's event list (shared by both sides). */
        List<String> events = new ArrayList<>();
        final MemorySegment sndbuf;
        final MemorySegment rmbe;
        final int peerRmbeSize;
        Side peer;

        /** Every byte the application wrote, in order (urgent bytes included). */
        final ByteList written = new ByteList();
        /** Stream positions (index into written) of urgent bytes. */
        final List<Long> urgentPositions = new ArrayList<>();
        /** Index into peer.written of the next normal byte we expect to read. */
        long readPos;
        long bytesRead;
        int urgIdx;
        /** Absolute stream position of the end of all posted RDMA WRITEs. */
        long postedAbs;
        /** Our producer cursor as of postedAbs. */
        Cursor lastProd;
        /** Highest absolute position ever placed into the peer (re-sends after a link switch land below it). */
        long maxPlacedAbs;
        /** Link switches and failover-validation CDCs seen by this side. */
        int switches;
        /** Absolute consumer position in our RMBE (bytes consumed or skipped). */
        long consAbs;
        Cursor lastCons;
        Cursor lastRxProd;
        /** Absolute stream position up to which the peer's CDCs announced data to us. */
        long rxProdAbs;
        final ArrayDeque<InFlight> toPeer = new ArrayDeque<>();
        int awaitingCompletion;
        final List<CdcResult> results = new ArrayList<>();
        int urgentRead = -1;

        Side(String name, CdcConfig cfg, int sndbufSize, int rmbeSize, int peerRmbeSize) {
            this.name = name;
            Arena arena = Arena.ofAuto();
            this.sndbuf = arena.allocate(sndbufSize);
            this.rmbe = arena.allocate(rmbeSize);
            this.peerRmbeSize = peerRmbeSize;
            this.conn = new CdcConnection(cfg, sndbuf, rmbe, peerRmbeSize);
            this.lastCons = conn.receiver().cons();
            this.lastRxProd = conn.receiver().prod();
            this.lastProd = conn.sender().prod();
        }

        int rmbeSize() {
            return (int) rmbe.byteSize();
        }

        // ---------------------------------------------------------------- application actions

        int write(byte[] data, boolean more) {
            int n = conn.write(data, 0, data.length, more ? CdcConnection.MSG_MORE : 0);
            if (n > 0) {
                written.add(data, 0, n);
            }
            return n;
        }

        /** An OOB send of min(len, writable) bytes, all of which fit: last byte urgent. */
        int writeUrgent(byte[] data) {
            int len = Math.min(data.length, conn.writable());
            if (len <= 0) {
                return 0;
            }
            int n = conn.write(data, 0, len, CdcConnection.MSG_OOB);
            assertEquals(len, n, "an OOB send that fits is copied whole");
            written.add(data, 0, n);
            urgentPositions.add((long) written.size() - 1);
            return n;
        }

        int read(int max) {
            byte[] buf = new byte[max];
            int before = conn.readable();
            int n = conn.read(buf, 0, max);
            if (n > 0) {
                assertTrue(n <= before, "read more than readable");
                for (int i = 0; i < n; i++) {
                    skipUrgentPositions();
                    if (readPos >= peer.written.size() || peer.written.get(readPos) != buf[i]) {
                        fail(name + " read a byte that was never written or is wrong: i=" + i + " n=" + n
                                + " readPos=" + readPos + " peerWritten=" + peer.written.size() + " urg="
                                + peer.urgentPositions + " bytesRead=" + bytesRead + " " + conn.snapshot() + " peer "
                                + peer.conn.snapshot());
                    }
                    readPos++;
                }
                bytesRead += n;
            }
            trackCons();
            return n;
        }

        private void skipUrgentPositions() {
            // urgent positions ascend: pass those at or before readPos, skipping the byte itself
            while (urgIdx < peer.urgentPositions.size() && peer.urgentPositions.get(urgIdx) <= readPos) {
                if (peer.urgentPositions.get(urgIdx) == readPos) {
                    readPos++;
                }
                urgIdx++;
            }
        }

        void readUrgent() {
            OptionalInt u = conn.readUrgent();
            if (u.isPresent()) {
                // the newest urgent byte among the bytes announced to us by the peer's CDCs
                long pos = -1;
                for (long p : peer.urgentPositions) {
                    if (p < rxProdAbs) {
                        pos = p;
                    }
                }
                assertTrue(pos >= 0, "urgent byte without an announced OOB send");
                assertEquals(peer.written.get(pos) & 0xFF, u.getAsInt(), "urgent byte value");
                urgentRead = u.getAsInt();
            }
            trackCons();
        }

        void trackCons() {
            Cursor c = conn.receiver().cons();
            long d = Cursor.distance(rmbeSize(), lastCons, c);
            assertTrue(d >= 0, name + " consumer cursor moved backwards");
            consAbs += d;
            lastCons = c;
        }

        // ---------------------------------------------------------------- link actions

        /** Polls once; returns false when nothing was due. */
        boolean poll() {
            followProd();
            boolean mayBeDue = conn.transmissionMayBeDue();
            var t = conn.poll();
            if (t.isEmpty()) {
                return false;
            }
            assertTrue(mayBeDue, "poll() sent although transmissionMayBeDue() said nothing was due");
            Transmission tr = t.get();
            for (RdmaWriteSegment s : tr.writes()) {
                assertTrue(s.localOffset() + s.length() <= sndbuf.byteSize(), "write source outside send buffer");
                assertTrue(s.remoteOffset() + s.length() <= peerRmbeSize, "write target outside peer RMBE");
            }
            long start = postedAbs;
            postedAbs += tr.dataBytes();
            assertEquals(tr.dataBytes(), Cursor.distance(peerRmbeSize, lastProd, conn.sender().prod()),
                    "the producer cursor moved by the bytes sent");
            lastProd = conn.sender().prod();
            toPeer.addLast(new InFlight(tr, start, postedAbs));
            events.add(name + " posts " + brief(tr.cdc()) + " data " + tr.dataBytes() + " (" + conn.state() + ")");
            return true;
        }

        /**
         * After a rewind the sender skips bytes the peer reports consumed (its producer cursor
         * jumps forward without a post): follow it.
         */
        void followProd() {
            long jump = Cursor.distance(peerRmbeSize, lastProd, conn.sender().prod());
            assertTrue(jump >= 0, name + " producer cursor moved back outside a link switch");
            postedAbs += jump;
            lastProd = conn.sender().prod();
        }

        /** Places the next unplaced RDMA WRITE segment (RC order); false if none. */
        boolean placeOne() {
            for (InFlight f : toPeer) {
                RdmaWriteSegment s = f.unplaced.pollFirst();
                if (s != null) {
                    long at = f.startAbs + f.placed;
                    long expectOff = Math.floorMod(at + startCount(), peerRmbeSize);
                    assertEquals(expectOff, s.remoteOffset(), name + " RDMA WRITE at the wrong RMBE offset");
                    assertTrue(at + s.length() <= peer.consAbs + peerRmbeSize,
                            name + " would overwrite unread bytes in the peer RMBE");
                    MemorySegment.copy(sndbuf, ValueLayout.JAVA_BYTE, s.localOffset(), peer.rmbe,
                            ValueLayout.JAVA_BYTE, s.remoteOffset(), s.length());
                    f.placed += s.length();
                    maxPlacedAbs = Math.max(maxPlacedAbs, at + s.length());
                    return true;
                }
            }
            return false;
        }

        private int startCount() {
            return conn.config().initialTxCursor().count();
        }

        /** Delivers the oldest CDC if its writes (and all earlier ones) are placed. */
        boolean deliverOne() {
            InFlight f = toPeer.peekFirst();
            if (f == null || !f.unplaced.isEmpty()) {
                return false;
            }
            toPeer.pollFirst();
            CdcResult r = peer.conn.onCdc(f.cdc);
            peer.results.add(r);
            events.add(name + "->" + peer.name + " delivered " + brief(f.cdc) + " -> " + r + " (" + peer.conn.state() + ")");
            assertFalse(r instanceof CdcResult.Aborted, () -> peer.name + " aborted an honest CDC: " + r
                    + "\nlast events:\n  " + lastEvents(events));
            awaitingCompletion++;
            if (f.cdc.prodFlags().failoverValidation()) {
                assertTrue(r instanceof CdcResult.Ignored ign
                        && (ign.reason() == CdcResult.IgnoreReason.FAILOVER_VALIDATION_OK
                        || ign.reason() == CdcResult.IgnoreReason.CONNECTION_CLOSED), () -> "validation: " + r);
                return true;
            }
            if (r instanceof CdcResult.Ignored ign) {
                // only a closed receiver ignores CDCs of an honest peer
                assertEquals(CdcResult.IgnoreReason.CONNECTION_CLOSED, ign.reason(), r.toString());
                assertEquals(SmcCloseState.CLOSED, peer.conn.state());
                return true;
            }
            Cursor p = peer.conn.receiver().prod();
            long moved = Cursor.distance(peer.rmbeSize(), peer.lastRxProd, p);
            assertTrue(moved >= 0, "producer cursor went back");
            long before = peer.rxProdAbs;
            peer.rxProdAbs += moved;
            // after a link switch, re-sent CDCs may announce bytes the peer has: it keeps its cursor
            assertEquals(Math.max(before, f.endAbs), peer.rxProdAbs,
                    "the CDC announces exactly the bytes written before it");
            peer.lastRxProd = p;
            assertTrue(peer.conn.readable() <= peer.rmbeSize());
            return true;
        }

        boolean completeOne() {
            if (awaitingCompletion == 0) {
                return false;
            }
            awaitingCompletion--;
            conn.onCdcSendComplete();
            events.add(name + " send completion (" + conn.state() + ")");
            return true;
        }

        /**
         * The link failed: {@code keep} of the CDCs the peer received but whose completion we did
         * not see yet complete successfully, the others are flushed; then {@link CdcConnection#switchLink()}.
         * Call {@link CdcPair#failLink} first to drop what was in flight.
         */
        void switchLink(int keep) {
            int k = Math.min(keep, awaitingCompletion);
            for (int i = 0; i < k; i++) {
                conn.onCdcSendComplete();
            }
            awaitingCompletion = 0;
            followProd();
            Cursor before = conn.sender().prod();
            boolean v = conn.switchLink();
            switches++;
            events.add(name + " switches link keeping " + k + " completions: validation " + v + ", prod " + before
                    + " -> " + conn.sender().prod() + " (" + conn.state() + ")");
            long back = Cursor.distance(peerRmbeSize, conn.sender().prod(), before);
            assertTrue(back >= 0, name + " rewind moved the producer cursor forward");
            postedAbs -= back;
            lastProd = conn.sender().prod();
            assertTrue(postedAbs <= maxPlacedAbs, () -> name + " rewound to a position never placed: postedAbs "
                    + postedAbs + " maxPlaced " + maxPlacedAbs + " back " + back + " from " + before + " " + conn.snapshot()
                    + " peer " + peer.conn.snapshot());
            // the peer may have consumed beyond postedAbs (its consumer update was lost): the
            // re-sent bytes land on consumed positions with the same values, which is harmless
            if (conn.linkSwitches() > 0 && conn.validationDue()) {
                assertEquals(conn.sender().txCursFin(), conn.sender().txCursSent(), "sent == fin after the rewind");
            }
        }

        long normalBytesWritten() {
            return written.size() - urgentPositions.size();
        }
    }

    /** Small growable byte list. */
    static final class ByteList {
        private byte[] data = new byte[1024];
        private int size;

        void add(byte[] b, int off, int n) {
            while (size + n > data.length) {
                data = java.util.Arrays.copyOf(data, data.length * 2);
            }
            System.arraycopy(b, off, data, size, n);
            size += n;
        }

        byte get(long i) {
            return data[(int) i];
        }

        int size() {
            return size;
        }
    }

    /**
     * The RC link fails: whatever was not yet placed or delivered in either direction is lost;
     * each side keeps {@code keepA}/{@code keepB} successful completions and switches to a new
     * link ({@link Side#switchLink}). The new link is modelled by the same (now empty) FIFOs.
     */
    void failLink(int keepA, int keepB) {
        a.toPeer.clear();
        b.toPeer.clear();
        a.switchLink(keepA);
        b.switchLink(keepB);
        log.add("link failed, keep " + keepA + "/" + keepB);
    }

    // -------------------------------------------------------------------- invariants

    void checkInvariants() {
        for (Side s : List.of(a, b)) {
            CdcSender tx = s.conn.sender();
            CdcReceiver rx = s.conn.receiver();
            assertTrue(tx.sndbufSpace() >= 0 && tx.sndbufSpace() <= tx.sndbufSize(), "sndbuf space");
            assertTrue(tx.peerRmbeSpace() >= 0 && tx.peerRmbeSpace() <= tx.peerRmbeSize(), "peer RMBE space");
            assertTrue(tx.preparedSends() >= 0 && tx.preparedSends() <= tx.sndbufSize(), "prepared sends");
            assertTrue(rx.readable() >= 0 && rx.readable() <= rx.rmbeSize(), "readable");
            int sum = 0;
            for (RingSpan sp : rx.readableSpans()) {
                assertTrue(sp.end() <= rx.rmbeSize(), "span outside RMBE");
                sum += sp.length();
            }
            assertEquals(rx.readable(), sum);
            assertTrue(s.conn.readableSpans().size() <= 2);
            // the reader never sees unplaced bytes: readable bytes were all placed by the peer
            assertTrue(s.consAbs + rx.readable() <= s.peer.maxPlacedAbs, s.name + " may read unwritten bytes");
            assertNull(s.conn.abortReason(), s.name + " aborted");
        }
    }

    // -------------------------------------------------------------------- quiescence

    /** Delivers, completes, reads and flushes until nothing moves. */
    void drain(boolean read) {
        for (int round = 0; round < 100_000; round++) {
            boolean progress = false;
            for (Side s : List.of(a, b)) {
                s.conn.setCork(false);
                while (s.poll()) {
                    progress = true;
                }
                while (s.placeOne()) {
                    progress = true;
                }
                while (s.deliverOne()) {
                    progress = true;
                }
                while (s.completeOne()) {
                    progress = true;
                }
                if (read) {
                    while (s.read(1 << 19) > 0) {
                        progress = true;
                    }
                    s.readUrgent();
                    while (s.poll()) {
                        progress = true;
                    }
                }
            }
            checkInvariants();
            if (!progress) {
                return;
            }
        }
        fail("no quiescence after 100000 rounds: " + this);
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
