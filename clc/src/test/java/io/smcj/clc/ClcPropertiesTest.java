package io.smcj.clc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smcj.protocol.ProtocolException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Per message type: encode then decode is the identity; decoding random, truncated or bit-flipped
 * bytes yields a value (which then re-encodes to exactly those bytes) or a ProtocolException, never
 * another exception, and never reads beyond the declared length.
 */
class ClcPropertiesTest {

    @Provide
    Arbitrary<ClcProposal> proposals() {
        return Arbitraries.randomValue(ClcGen::proposal);
    }

    @Provide
    Arbitrary<ClcAcceptConfirm> acceptConfirms() {
        return Arbitraries.randomValue(ClcGen::acceptConfirm);
    }

    @Provide
    Arbitrary<ClcSmcdAcceptConfirm> smcdAcceptConfirms() {
        return Arbitraries.randomValue(ClcGen::smcdAcceptConfirm);
    }

    @Provide
    Arbitrary<ClcDecline> declines() {
        return Arbitraries.randomValue(ClcGen::decline);
    }

    @Provide
    Arbitrary<Random> randoms() {
        return Arbitraries.randomValue(r -> new Random(r.nextLong()));
    }

    static void assertRoundTrip(ClcMessage m) {
        byte[] wire = ClcCodec.encode(m);
        assertEquals(m.length(), wire.length);
        ClcMessage back = ClcCodec.decode(wire);
        assertEquals(m, back);
        assertArrayEquals(wire, ClcCodec.encode(back));
        back.describe().toJson();
    }

    /** Decoding must give a value that re-encodes to the input, or a ProtocolException. */
    static boolean valueOrProtocolException(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            ClcMessage m = ClcCodec.decode(buf);
            assertEquals(m.length(), buf.readerIndex());
            assertArrayEquals(Arrays.copyOf(bytes, m.length()), ClcCodec.encode(m), "re-encoding a decoded value");
            m.describe().toText();
            return true;
        } catch (ProtocolException e) {
            assertEquals(0, buf.readerIndex(), "nothing consumed on error");
            // everything smc_clc_wait_msg rejects is -EPROTO in Linux: a handshake error, never a Decline
            assertFalse(e.sendsDecline(), e.getMessage());
            assertEquals(ProtocolException.EPROTO, e.errno(), e.getMessage());
            return false;
        }
    }

    /** Bit flips must exercise both outcomes, else the property proves little. */
    static void flipped(byte[] wire, Random r) {
        boolean decoded = valueOrProtocolException(mutate(wire, r));
        Statistics.collect(decoded ? "decoded" : "rejected");
        Statistics.coverage(c -> {
            c.check("decoded").count(n -> n > 0);
            c.check("rejected").count(n -> n > 0);
        });
    }

    /** Flips 1..4 bits of a valid message, and sometimes lies about the length. */
    static byte[] mutate(byte[] wire, Random r) {
        byte[] b = wire.clone();
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips; i++) {
            int bit = r.nextInt(b.length * 8);
            b[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return b;
    }

    static void truncated(byte[] wire, Random r) {
        int n = r.nextInt(wire.length);
        byte[] cut = Arrays.copyOf(wire, n);
        if (n >= 8) {
            assertThrows(ProtocolException.class, () -> ClcCodec.decode(Unpooled.wrappedBuffer(cut)));
            // the same prefix with a length field that matches it
            cut[5] = (byte) (n >>> 8);
            cut[6] = (byte) n;
        }
        valueOrProtocolException(cut);
    }

    // ---- Proposal ----

    @Property
    void proposalRoundTrips(@ForAll("proposals") ClcProposal p) {
        assertRoundTrip(p);
    }

    @Property
    void truncatedProposalsAreRejectedCleanly(@ForAll("proposals") ClcProposal p, @ForAll("randoms") Random r) {
        truncated(ClcCodec.encode(p), r);
    }

    @Property
    void bitFlippedProposalsDecodeExactlyOrAreRejected(@ForAll("proposals") ClcProposal p, @ForAll("randoms") Random r) {
        flipped(ClcCodec.encode(p), r);
    }

    // ---- SMC-R Accept / Confirm ----

    @Property
    void acceptConfirmRoundTrips(@ForAll("acceptConfirms") ClcAcceptConfirm a) {
        assertRoundTrip(a);
    }

    @Property
    void truncatedAcceptConfirmsAreRejectedCleanly(@ForAll("acceptConfirms") ClcAcceptConfirm a,
                                                   @ForAll("randoms") Random r) {
        truncated(ClcCodec.encode(a), r);
    }

    @Property
    void bitFlippedAcceptConfirmsDecodeExactlyOrAreRejected(@ForAll("acceptConfirms") ClcAcceptConfirm a,
                                                            @ForAll("randoms") Random r) {
        flipped(ClcCodec.encode(a), r);
    }

    // ---- SMC-D Accept / Confirm ----

    @Property
    void smcdAcceptConfirmRoundTrips(@ForAll("smcdAcceptConfirms") ClcSmcdAcceptConfirm a) {
        assertRoundTrip(a);
    }

    @Property
    void truncatedOrBitFlippedSmcdAcceptConfirmsAreHandled(@ForAll("smcdAcceptConfirms") ClcSmcdAcceptConfirm a,
                                                          @ForAll("randoms") Random r) {
        byte[] wire = ClcCodec.encode(a);
        truncated(wire, r);
        valueOrProtocolException(mutate(wire, r));
    }

    // ---- Decline ----

    @Property
    void declineRoundTrips(@ForAll("declines") ClcDecline d) {
        assertRoundTrip(d);
    }

    @Property
    void truncatedDeclinesAreRejectedCleanly(@ForAll("declines") ClcDecline d, @ForAll("randoms") Random r) {
        truncated(ClcCodec.encode(d), r);
    }

    @Property
    void bitFlippedDeclinesDecodeExactlyOrAreRejected(@ForAll("declines") ClcDecline d, @ForAll("randoms") Random r) {
        flipped(ClcCodec.encode(d), r);
    }

    // ---- TCP stream framing ----

    /** Messages back to back, arriving in random chunks, come out one by one as bytesNeeded says. */
    @Property
    void streamOfMessagesInRandomChunksDecodesInOrder(@ForAll("randoms") Random r) {
        java.util.List<ClcMessage> sent = new java.util.ArrayList<>();
        ByteBuf all = Unpooled.buffer();
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
            ClcMessage m = ClcGen.any(r);
            sent.add(m);
            ClcCodec.encode(m, all);
        }
        ByteBuf stream = Unpooled.buffer();
        java.util.List<ClcMessage> received = new java.util.ArrayList<>();
        while (all.isReadable() || stream.isReadable()) {
            int chunk = Math.min(all.readableBytes(), 1 + r.nextInt(200));
            stream.writeBytes(all, chunk);
            while (stream.isReadable() && ClcCodec.bytesNeeded(stream) == 0) {
                received.add(ClcCodec.decode(stream));
            }
            stream.discardReadBytes();
            if (!all.isReadable() && stream.isReadable()) {
                throw new AssertionError("bytes left that never form a message: " + stream.readableBytes());
            }
        }
        assertEquals(sent, received);
    }

    // ---- arbitrary bytes ----

    @Property
    void arbitraryBytesGiveAValueOrAProtocolException(@ForAll @Size(max = 700) byte[] bytes) {
        valueOrProtocolException(bytes);
    }

    /** Random bodies behind a plausible header reach the per-type checks, not just the eyecatcher test. */
    @Property
    void arbitraryBodiesBehindAValidHeaderGiveAValueOrAProtocolException(
            @ForAll @IntRange(min = 1, max = 4) int type, @ForAll @IntRange(min = 0, max = 255) int versionByte,
            @ForAll("randoms") Random r) {
        int len = 8 + r.nextInt(r.nextBoolean() ? 60 : 700);
        byte[] b = new byte[len + r.nextInt(8)];
        r.nextBytes(b);
        int eye = (r.nextBoolean() ? Eyecatcher.SMCR : Eyecatcher.SMCD).value();
        b[0] = (byte) (eye >>> 24);
        b[1] = (byte) (eye >>> 16);
        b[2] = (byte) (eye >>> 8);
        b[3] = (byte) eye;
        b[4] = (byte) type;
        b[5] = (byte) (len >>> 8);
        b[6] = (byte) len;
        b[7] = (byte) versionByte;
        if (r.nextBoolean()) {
            System.arraycopy(b, 0, b, len - 4, 4); // a valid trailer
        }
        valueOrProtocolException(b);
    }
}
