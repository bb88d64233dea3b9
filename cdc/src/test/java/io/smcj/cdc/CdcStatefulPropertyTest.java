package io.smcj.cdc;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Model-based properties: two connections joined by a simulated RC link ({@link CdcPair}),
 * driven by arbitrary interleavings of application writes (plain, MSG_MORE, MSG_OOB), reads,
 * urgent reads, RDMA WRITE placements, CDC deliveries and send completions. After every action
 * the invariants of {@link CdcPair#checkInvariants()} hold and every read byte matches the
 * written stream; at the end both sides drain, agree on their cursors and close cleanly.
 */
class CdcStatefulPropertyTest {

    /** All SMC-R RMBE sizes (16 KiB .. 512 KiB). */
    static Arbitrary<Integer> smcrSizes() {
        return Arbitraries.of(16 * 1024, 32 * 1024, 64 * 1024, 128 * 1024, 256 * 1024, 512 * 1024);
    }

    /** Start cursors: 0:0 like the kernel, or just below the u16 wrap roll-over. */
    static Arbitrary<Integer> startWraps() {
        return Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0xFFF0, 0xFFFF),
                Arbitraries.integers().between(0, 0xFFFF));
    }

    record Setup(int sndA, int rmbeA, int sndB, int rmbeB, int wrapAB, int wrapBA, int countFracAB, int countFracBA,
            boolean autocork, boolean strict, long seed) {
        CdcPair create() {
            Cursor ab = new Cursor(wrapAB, (int) ((long) rmbeB * countFracAB / 100));
            Cursor ba = new Cursor(wrapBA, (int) ((long) rmbeA * countFracBA / 100));
            return new CdcPair(sndA, rmbeA, sndB, rmbeB,
                    strict ? CdcConfig.Validation.STRICT : CdcConfig.Validation.KERNEL,
                    autocork ? CdcConfig.AUTOCORKING_DEFAULT_SIZE : 0, ab, ba);
        }
    }

    @Provide
    Arbitrary<Setup> setups() {
        return Combinators.combine(smcrSizes(), smcrSizes(), smcrSizes(), smcrSizes(), startWraps(), startWraps(),
                Arbitraries.integers().between(0, 99), Arbitraries.integers().between(0, 99))
                .as((sa, ra, sb, rb, wab, wba, cab, cba) -> new int[] {sa, ra, sb, rb, wab, wba, cab, cba})
                .flatMap(p -> Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
                        Arbitraries.longs())
                        .as((ac, strict, seed) -> new Setup(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], ac, strict,
                                seed)));
    }

    /** A mutable model wrapper so actions can keep a seeded byte source. */
    static final class Model {
        final CdcPair pair;
        final Random random;

        Model(Setup s) {
            pair = s.create();
            random = new Random(s.seed());
        }

        CdcPair.Side side(boolean a) {
            return a ? pair.a : pair.b;
        }

        @Override
        public String toString() {
            return pair.toString();
        }
    }

    static Action<Model> act(Arbitrary<Transformer<Model>> t) {
        return new Action.Independent<Model>() {
            @Override
            public Arbitrary<Transformer<Model>> transformer() {
                return t;
            }
        };
    }

    static Arbitrary<Integer> writeSizes() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 64), Arbitraries.integers().between(1, 8192),
                Arbitraries.integers().between(1, 300_000));
    }

    static Action<Model> write() {
        return act(Combinators.combine(Arbitraries.of(true, false), writeSizes(), Arbitraries.of(true, false))
                .as((sa, n, more) -> Transformer.<Model>mutate("write " + (sa ? "A" : "B") + " " + n + (more ? " MORE" : ""),
                        (Model m) -> {
                            m.side(sa).write(CdcPair.randomBytes(m.random, n), more);
                            m.pair.checkInvariants();
                        })));
    }

    static Action<Model> writeUrgent() {
        return act(Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(1, 3000))
                .as((sa, n) -> Transformer.<Model>mutate("OOB " + (sa ? "A" : "B") + " " + n, (Model m) -> {
                    m.side(sa).writeUrgent(CdcPair.randomBytes(m.random, n));
                    m.pair.checkInvariants();
                })));
    }

    static Action<Model> read() {
        return act(Combinators.combine(Arbitraries.of(true, false), writeSizes())
                .as((sa, n) -> Transformer.<Model>mutate("read " + (sa ? "A" : "B") + " " + n, (Model m) -> {
                    m.side(sa).read(n);
                    m.pair.checkInvariants();
                })));
    }

    static Action<Model> readUrgent() {
        return act(Arbitraries.of(true, false)
                .map(sa -> Transformer.<Model>mutate("readUrgent " + (sa ? "A" : "B"), (Model m) -> {
                    m.side(sa).readUrgent();
                    m.pair.checkInvariants();
                })));
    }

    static Action<Model> poll() {
        return act(Arbitraries.of(true, false)
                .map(sa -> Transformer.<Model>mutate("poll " + (sa ? "A" : "B"), (Model m) -> {
                    m.side(sa).poll();
                    m.pair.checkInvariants();
                })));
    }

    static Action<Model> place() {
        return act(Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(1, 4))
                .as((sa, k) -> Transformer.<Model>mutate("place " + k + " " + (sa ? "A->B" : "B->A"), (Model m) -> {
                    for (int i = 0; i < k; i++) {
                        m.side(sa).placeOne();
                    }
                    m.pair.checkInvariants();
                })));
    }

    static Action<Model> deliver() {
        return act(Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(1, 3))
                .as((sa, k) -> Transformer.<Model>mutate("deliver " + k + " " + (sa ? "A->B" : "B->A"), (Model m) -> {
                    for (int i = 0; i < k; i++) {
                        m.side(sa).deliverOne();
                    }
                    m.pair.checkInvariants();
                })));
    }

    static Action<Model> complete() {
        return act(Arbitraries.of(true, false)
                .map(sa -> Transformer.<Model>mutate("complete " + (sa ? "A" : "B"), (Model m) -> {
                    m.side(sa).completeOne();
                    m.pair.checkInvariants();
                })));
    }

    /** The link fails at an arbitrary moment; both sides switch to a new one (smc_switch_conns). */
    static Action<Model> failLink() {
        return act(Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3))
                .as((ka, kb) -> Transformer.<Model>mutate("failLink keep " + ka + "/" + kb, (Model m) -> {
                    m.pair.failLink(ka, kb);
                    m.pair.checkInvariants();
                })));
    }

    @Provide
    Arbitrary<ActionChain<Model>> chains() {
        return setups().flatMap(s -> ActionChain.<Model>startWith(() -> new Model(s))
                .withAction(4, write())
                .withAction(1, writeUrgent())
                .withAction(4, read())
                .withAction(1, readUrgent())
                .withAction(4, poll())
                .withAction(3, place())
                .withAction(4, deliver())
                .withAction(3, complete())
                .withAction(1, failLink())
                .withMaxTransformations(60));
    }

    @Property(tries = 300)
    void streamIsDeliveredExactlyAndViewsAgree(@ForAll("chains") ActionChain<Model> chain,
            @ForAll("closeOrders") CloseOrder order) {
        Model m = chain.run();
        CdcPair p = m.pair;
        p.drain(true);
        for (CdcPair.Side s : java.util.List.of(p.a, p.b)) {
            CdcPair.Side peer = s.peer;
            // bytes read == bytes written (urgent bytes taken out of the stream), in order
            assertEquals(peer.normalBytesWritten(), s.bytesRead, s.name + " did not read everything");
            // both sides' views agree
            assertEquals(peer.conn.sender().prod(), s.conn.receiver().prod(), "producer cursor views");
            assertEquals(s.conn.receiver().consConfirmed(), peer.conn.sender().peerCons(), "consumer cursor views");
            assertEquals(0, peer.conn.sender().preparedSends());
            assertEquals(peer.conn.sender().sndbufSize(), peer.conn.sender().sndbufSpace(), "send buffer freed");
            assertEquals(0, peer.conn.sender().pendingCdcCount());
        }
        order.close(p);
        assertEquals(SmcCloseState.CLOSED, p.a.conn.state(), () -> "A not closed: " + p);
        assertEquals(SmcCloseState.CLOSED, p.b.conn.state(), () -> "B not closed: " + p);
    }

    /** The orders in which the two applications close. */
    enum CloseOrder {
        A_THEN_B, B_THEN_A, BOTH, A_SHUTDOWN_THEN_BOTH_CLOSE, B_SHUTDOWN_THEN_A_CLOSE_THEN_B_CLOSE;

        void close(CdcPair p) {
            switch (this) {
                case A_THEN_B -> {
                    p.a.conn.close();
                    p.drain(false);
                    assertEquals(SmcCloseState.PEERCLOSEWAIT1, p.a.conn.state());
                    assertEquals(SmcCloseState.APPCLOSEWAIT1, p.b.conn.state());
                    assertEquals(CdcConnection.EOF, p.b.conn.read(new byte[1], 0, 1));
                    p.b.conn.close();
                    p.drain(false);
                }
                case B_THEN_A -> {
                    p.b.conn.close();
                    p.drain(false);
                    p.a.conn.close();
                    p.drain(false);
                }
                case BOTH -> {
                    p.a.conn.close();
                    p.b.conn.close();
                    p.drain(false);
                }
                case A_SHUTDOWN_THEN_BOTH_CLOSE -> {
                    p.a.conn.shutdownWrite();
                    p.drain(false);
                    assertEquals(SmcCloseState.PEERCLOSEWAIT1, p.a.conn.state());
                    assertEquals(SmcCloseState.APPCLOSEWAIT1, p.b.conn.state());
                    assertEquals(CdcConnection.EPIPE, p.a.conn.write(new byte[1], 0, 1, 0));
                    p.b.conn.close();
                    p.drain(false);
                    assertEquals(SmcCloseState.PEERFINCLOSEWAIT, p.b.conn.state());
                    assertEquals(SmcCloseState.APPFINCLOSEWAIT, p.a.conn.state());
                    p.a.conn.close();
                    p.drain(false);
                }
                case B_SHUTDOWN_THEN_A_CLOSE_THEN_B_CLOSE -> {
                    p.b.conn.shutdownWrite();
                    p.drain(false);
                    p.a.conn.close();
                    p.drain(false);
                    assertEquals(SmcCloseState.APPFINCLOSEWAIT, p.b.conn.state());
                    p.b.conn.close();
                    p.drain(false);
                }
            }
        }
    }

    @Provide
    Arbitrary<CloseOrder> closeOrders() {
        return Arbitraries.of(CloseOrder.class);
    }

    static Action<Model> closeOrShutdown() {
        return act(Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as((sa, full) -> Transformer.<Model>mutate((full ? "close " : "shutdown ") + (sa ? "A" : "B"),
                        (Model m) -> {
                            if (full) {
                                m.side(sa).conn.close();
                            } else {
                                m.side(sa).conn.shutdownWrite();
                            }
                            m.pair.checkInvariants();
                        })));
    }

    @Provide
    Arbitrary<ActionChain<Model>> chainsWithClose() {
        return setups().flatMap(s -> ActionChain.<Model>startWith(() -> new Model(s))
                .withAction(4, write())
                .withAction(1, writeUrgent())
                .withAction(3, read())
                .withAction(1, readUrgent())
                .withAction(4, poll())
                .withAction(3, place())
                .withAction(4, deliver())
                .withAction(3, complete())
                .withAction(1, closeOrShutdown())
                .withAction(1, failLink())
                .withMaxTransformations(50));
    }

    /**
     * Close and shutdown at arbitrary moments, with data in flight in both directions: the
     * invariants hold throughout, no side ever sees a protocol violation, the data written before
     * a side's close is still delivered in order, and once both applications have closed both
     * sides reach CLOSED.
     */
    @Property(tries = 300)
    void closeAtArbitraryMomentsEndsClosedOnBothSides(@ForAll("chainsWithClose") ActionChain<Model> chain) {
        Model m = chain.run();
        CdcPair p = m.pair;
        p.drain(true);
        p.a.conn.close();
        p.b.conn.close();
        p.drain(true);
        assertEquals(SmcCloseState.CLOSED, p.a.conn.state(), () -> "A: " + p);
        assertEquals(SmcCloseState.CLOSED, p.b.conn.state(), () -> "B: " + p);
        for (CdcPair.Side s : java.util.List.of(p.a, p.b)) {
            assertTrue(s.bytesRead <= s.peer.normalBytesWritten());
        }
    }

    /**
     * Wrap counts roll over from 0xFFFF to 0 in the middle of the transfer: a deterministic pump
     * moves five rings' worth of data through each ring size starting at wrap 0xFFFE.
     */
    @Property(tries = 60)
    void wrapRollOverIsSeamless(@ForAll("sizesForRollOver") int size, @ForAll long seed) {
        Random r = new Random(seed);
        CdcPair p = new CdcPair(size, size, size, size, CdcConfig.Validation.STRICT,
                CdcConfig.AUTOCORKING_DEFAULT_SIZE, new Cursor(0xFFFE, r.nextInt(size)), new Cursor(0xFFFF, 0));
        long target = 5L * size;
        while (p.a.written.size() < target) {
            byte[] chunk = CdcPair.randomBytes(r, 1 + r.nextInt(size / 2));
            p.a.write(chunk, r.nextBoolean());
            p.b.write(CdcPair.randomBytes(r, 1 + r.nextInt(100)), false);
            while (p.a.poll() | p.b.poll()) {
                p.a.placeOne();
            }
            while (p.a.placeOne() | p.b.placeOne()) {
                // place everything
            }
            while (p.a.deliverOne() | p.b.deliverOne()) {
                // deliver everything
            }
            while (p.a.completeOne() | p.b.completeOne()) {
                // complete everything
            }
            p.b.read(1 + r.nextInt(size));
            p.a.read(1 + r.nextInt(size));
            p.checkInvariants();
        }
        p.drain(true);
        assertEquals(p.a.normalBytesWritten(), p.b.bytesRead);
        assertEquals(p.b.normalBytesWritten(), p.a.bytesRead);
        assertTrue(p.a.conn.sender().prod().wrap() < 0xFFFE, "the wrap count rolled over: " + p.a.conn.sender().prod());
        assertEquals(p.a.conn.sender().prod(), p.b.conn.receiver().prod());
    }

    @Provide
    Arbitrary<Integer> sizesForRollOver() {
        return smcrSizes();
    }
}
