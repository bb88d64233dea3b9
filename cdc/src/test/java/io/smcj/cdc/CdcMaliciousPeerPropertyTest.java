package io.smcj.cdc;

import io.smcj.protocol.AlertToken;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A peer that sends arbitrary CDCs (random or near-valid cursors, seqnos, flags) and writes
 * arbitrary bytes anywhere into our RMBE, interleaved with our application's reads, writes and
 * polls. Whatever it does, the connection never touches memory outside its rings and never
 * throws; every CDC ends accepted (with forward-only cursors and bounded readable bytes), ignored
 * for a kernel reason, or in an abort with a named reason after which the connection is closed
 * and sends peer_conn_abort.
 */
class CdcMaliciousPeerPropertyTest {

    enum Kind { RANDOM_CDC, NEAR_VALID_CDC, RMBE_SCRIBBLE, APP_READ, APP_READ_URGENT, APP_WRITE, POLL, COMPLETE, SWITCH_LINK }

    record Step(Kind kind, int a, int b, int c, int flags, long seed) {
    }

    @Provide
    Arbitrary<Step> steps() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers(), Arbitraries.integers(),
                Arbitraries.integers(), Arbitraries.integers().between(0, 255), Arbitraries.longs())
                .as(Step::new);
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(16 * 1024)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(32 * 1024, 64 * 1024, 128 * 1024)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(256 * 1024, 512 * 1024)));
    }

    @Provide
    Arbitrary<Integer> wraps() {
        return Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0xFFFC, 0xFFFF));
    }

    /** Fixed tries: a stateful property (about 4 s at 2000 tries). */
    @Property(tries = 2000)
    void arbitraryPeerCdcsNeverBreakTheRings(@ForAll("sizes") int rmbeSize, @ForAll("sizes") int peerRmbeSize,
            @ForAll("wraps") int wrap, @ForAll boolean strict,
            @ForAll("stepLists") List<Step> steps) {
        CdcConfig cfg = new CdcConfig(new AlertToken(5), new AlertToken(6), CdcConfig.AUTOCORKING_DEFAULT_SIZE,
                CdcConfig.SOCK_MIN_SNDBUF_HALF, strict ? CdcConfig.Validation.STRICT : CdcConfig.Validation.KERNEL,
                new Cursor(wrap, 0), new Cursor(wrap, 0), new Cursor(wrap, 0));
        Arena arena = Arena.ofAuto();
        MemorySegment rmbe = arena.allocate(rmbeSize);
        MemorySegment sndbuf = arena.allocate(16 * 1024);
        CdcConnection c = new CdcConnection(cfg, sndbuf, rmbe, peerRmbeSize);
        int peerSeq = 0;
        boolean aborted = false;
        int postedNotCompleted = 0;
        byte[] buf = new byte[20 * 1024];
        for (Step s : steps) {
            Random r = new Random(s.seed());
            switch (s.kind()) {
                case RANDOM_CDC, NEAR_VALID_CDC -> {
                    CdcMessage m = s.kind() == Kind.RANDOM_CDC ? randomCdc(r, s, cfg)
                            : nearValidCdc(r, s, c, cfg, peerSeq, rmbeSize, peerRmbeSize);
                    Cursor prodBefore = c.receiver().prod();
                    Cursor peerConsBefore = c.sender().peerCons();
                    int readableBefore = c.readable();
                    CdcResult res = c.onCdc(m);
                    assertNotNull(res);
                    switch (res) {
                        case CdcResult.Accepted acc -> {
                            assertFalse(aborted, "accepted a CDC after aborting");
                            peerSeq = m.seqno();
                            long moved = Cursor.distance(rmbeSize, prodBefore, c.receiver().prod());
                            assertTrue(moved >= 0, "producer cursor moved backwards silently");
                            assertTrue(Cursor.distance(peerRmbeSize, peerConsBefore, c.sender().peerCons()) >= 0,
                                    "consumer cursor moved backwards silently");
                            assertTrue(acc.newBytes() >= 0 && acc.newBytes() <= moved);
                            assertEquals(readableBefore + acc.newBytes(), c.readable());
                        }
                        case CdcResult.Ignored ign -> {
                            assertNotNull(ign.reason());
                            assertEquals(prodBefore, c.receiver().prod(), "ignored CDC changed the producer cursor");
                        }
                        case CdcResult.Aborted ab -> {
                            assertNotNull(ab.violation());
                            assertFalse(ab.detail().isEmpty());
                            aborted = true;
                            assertEquals(SmcCloseState.CLOSED, c.state());
                            assertEquals(ab.violation(), c.abortReason());
                            var t = c.poll();
                            if (t.isPresent() && t.get().cdc().prodFlags().failoverValidation()) {
                                postedNotCompleted++; // a due validation CDC goes first on the new link
                                t = c.poll();
                            }
                            assertTrue(t.isPresent(), "abort must send a CDC");
                            assertTrue(t.get().cdc().connStateFlags().peerConnAbort());
                            assertTrue(t.get().writes().isEmpty());
                            postedNotCompleted++;
                        }
                    }
                }
                case RMBE_SCRIBBLE -> {
                    int off = Math.floorMod(s.a(), rmbeSize);
                    int len = Math.min(Math.floorMod(s.b(), 4096), rmbeSize - off);
                    byte[] junk = new byte[len];
                    r.nextBytes(junk);
                    MemorySegment.copy(MemorySegment.ofArray(junk), 0, rmbe, off, len);
                }
                case APP_READ -> {
                    int n = c.read(buf, 0, 1 + Math.floorMod(s.a(), buf.length));
                    assertTrue(n >= -1 && n <= buf.length);
                }
                case APP_READ_URGENT -> c.readUrgent();
                case APP_WRITE -> {
                    int n = c.write(buf, 0, 1 + Math.floorMod(s.a(), buf.length),
                            (s.flags() & 1) != 0 ? CdcConnection.MSG_OOB : 0);
                    assertTrue(n >= CdcConnection.ECONNRESET);
                }
                case POLL -> {
                    var t = c.poll();
                    if (t.isPresent()) {
                        postedNotCompleted++;
                        for (RdmaWriteSegment w : t.get().writes()) {
                            assertTrue(w.remoteOffset() + w.length() <= peerRmbeSize, "write outside peer RMBE");
                            assertTrue(w.localOffset() + w.length() <= sndbuf.byteSize(), "write outside send buffer");
                        }
                        assertEquals(new AlertToken(6), t.get().cdc().token());
                    }
                }
                case COMPLETE -> {
                    if (postedNotCompleted > 0) {
                        postedNotCompleted--;
                        c.onCdcSendComplete();
                    }
                }
                case SWITCH_LINK -> {
                    // our link fails: what was not completed is flushed; rewind and re-send
                    c.switchLink();
                    postedNotCompleted = 0;
                    assertTrue(c.sender().preparedSends() >= 0 && c.sender().preparedSends() <= sndbuf.byteSize());
                }
            }
            // invariants after every step
            assertTrue(c.readable() >= 0 && c.readable() <= rmbeSize);
            for (RingSpan sp : c.readableSpans()) {
                assertTrue(sp.end() <= rmbeSize);
            }
            assertTrue(c.sender().peerRmbeSpace() >= 0 && c.sender().peerRmbeSpace() <= peerRmbeSize);
            assertTrue(c.sender().sndbufSpace() >= 0 && c.sender().sndbufSpace() <= sndbuf.byteSize());
            assertTrue(c.receiver().prod().count() < rmbeSize);
            assertTrue(c.sender().peerCons().count() < peerRmbeSize);
            assertTrue(c.receiver().consConfirmed().count() < rmbeSize);
            if (aborted) {
                assertEquals(SmcCloseState.CLOSED, c.state());
            }
        }
    }

    @Provide
    Arbitrary<List<Step>> stepLists() {
        return steps().list().ofMaxSize(40);
    }

    private static CdcMessage randomCdc(Random r, Step s, CdcConfig cfg) {
        byte[] reserved = new byte[CdcMessage.RESERVED_LENGTH];
        r.nextBytes(reserved);
        AlertToken token = r.nextInt(8) == 0 ? new AlertToken(r.nextInt()) : cfg.localToken();
        return new CdcMessage(r.nextInt(0x10000), token,
                new CdcCursor(r.nextInt(0x10000), r.nextInt(0x10000), r.nextLong(0x1_0000_0000L)),
                new CdcCursor(r.nextInt(0x10000), r.nextInt(0x10000), r.nextLong(0x1_0000_0000L)),
                new ProducerFlags(s.flags()), new ConnStateFlags(r.nextInt(256)), reserved);
    }

    /** Cursors close to the current ones (including just beyond what is allowed), plausible seqnos. */
    private static CdcMessage nearValidCdc(Random r, Step s, CdcConnection c, CdcConfig cfg, int peerSeq,
            int rmbeSize, int peerRmbeSize) {
        int seq = switch (r.nextInt(6)) {
            case 0 -> r.nextInt(0x10000);
            case 1 -> peerSeq;
            case 2 -> (peerSeq + 2) & 0xFFFF;
            default -> (peerSeq + 1) & 0xFFFF;
        };
        Cursor prod = shifted(r, c.receiver().prod(), rmbeSize);
        Cursor cons = shifted(r, c.sender().peerCons(), peerRmbeSize);
        int cf = r.nextInt(4) == 0 ? (r.nextInt(8) << 5) : 0;
        int pf = s.flags() & (r.nextBoolean() ? 0xF0 : 0x20);
        return CdcMessage.of(seq, cfg.localToken(), prod, cons, new ProducerFlags(pf), new ConnStateFlags(cf));
    }

    private static Cursor shifted(Random r, Cursor from, int size) {
        long delta = switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> r.nextInt(size + 2);
            case 2 -> -r.nextInt(size + 2);
            case 3 -> (long) size * (r.nextInt(5) - 2) + r.nextInt(3) - 1;
            default -> r.nextInt(4097);
        };
        long modulus = 65536L * size;
        long abs = Math.floorMod((long) from.wrap() * size + from.count() + delta, modulus);
        return new Cursor((int) (abs / size), (int) (abs % size));
    }
}
