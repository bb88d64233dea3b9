package io.smcj.llc;

import io.netty.buffer.Unpooled;
import io.smcj.protocol.ProtocolException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jqwik properties per LLC type, with the build's default number of tries (10,000 in CI):
 * encode-decode is the identity, and decoding random bytes, truncated valid messages and
 * bit-flipped valid messages yields a value or a ProtocolException, never another exception,
 * never a read beyond the given length.
 */
class LlcPropertiesTest {

    // ------------------------------------------------------------------ generators

    static Arbitrary<LlcMessage> messages(LlcType type) {
        return Arbitraries.randomValue(r -> LlcGen.random(r, type));
    }

    @Provide
    Arbitrary<LlcMessage> confirmLink() {
        return messages(LlcType.CONFIRM_LINK);
    }

    @Provide
    Arbitrary<LlcMessage> addLink() {
        return messages(LlcType.ADD_LINK);
    }

    @Provide
    Arbitrary<LlcMessage> addLinkCont() {
        return messages(LlcType.ADD_LINK_CONT);
    }

    @Provide
    Arbitrary<LlcMessage> deleteLink() {
        return messages(LlcType.DELETE_LINK);
    }

    @Provide
    Arbitrary<LlcMessage> reqAddLink() {
        return messages(LlcType.REQ_ADD_LINK);
    }

    @Provide
    Arbitrary<LlcMessage> confirmRkey() {
        return messages(LlcType.CONFIRM_RKEY);
    }

    @Provide
    Arbitrary<LlcMessage> testLink() {
        return messages(LlcType.TEST_LINK);
    }

    @Provide
    Arbitrary<LlcMessage> confirmRkeyCont() {
        return messages(LlcType.CONFIRM_RKEY_CONT);
    }

    @Provide
    Arbitrary<LlcMessage> deleteRkey() {
        return messages(LlcType.DELETE_RKEY);
    }

    @Provide
    Arbitrary<LlcMessage> anyMessage() {
        return Arbitraries.of(LlcType.values()).flatMap(LlcPropertiesTest::messages);
    }

    /** Random payloads whose byte 0 is one of the type's two type bytes and whose length field is often plausible. */
    static Arbitrary<byte[]> garbage(LlcType type) {
        return Arbitraries.randomValue(r -> {
            int len = switch (r.nextInt(6)) {
                case 0 -> r.nextInt(44);
                case 1 -> 44;
                case 2 -> 44 + r.nextInt(100);
                case 3 -> r.nextInt(9000);
                default -> 44 + r.nextInt(300);
            };
            byte[] b = new byte[len];
            r.nextBytes(b);
            if (len > 0) {
                b[0] = (byte) (r.nextBoolean() ? type.code() : 0x20 | type.code());
            }
            if (len > 2 && r.nextBoolean()) {
                int declared = r.nextInt(4) == 0 ? r.nextInt(0x10000) : Math.max(0, len - r.nextInt(8));
                boolean le = r.nextBoolean();
                b[1] = (byte) (le ? declared : declared >>> 8);
                b[2] = (byte) (le ? declared >>> 8 : declared);
                if ((b[0] & 0xf0) == 0 && r.nextBoolean()) {
                    b[1] = 44;
                }
            }
            return b;
        });
    }

    // ------------------------------------------------------------------ checks

    static void roundTrips(LlcMessage m) {
        byte[] bytes = LlcCodec.toBytes(m);
        assertEquals(m.encodedLength(), bytes.length);
        LlcMessage back = LlcCodec.DEFAULT.decode(bytes);
        boolean sameLengthReadings = m.framing().isV2() && bytes[1] == bytes[2];
        if (!sameLengthReadings || back.framing() == m.framing()) {
            assertEquals(m, back);
        } else if (!(m instanceof AddLink a && a.v2Ext() != null)) {
            // equal length bytes read the same both ways: reported little-endian, same wire bytes
            assertEquals(LlcFraming.V2, back.framing());
            assertEquals(m.withHeader(m.header().withFraming(LlcFraming.V2)), back);
        }
        // (an ADD LINK whose order was guessed from num_rkeys may read num_rkeys differently;
        // its wire bytes are still the same, checked next)
        assertArrayEquals(bytes, LlcCodec.toBytes(back));
        assertEquals(m.type(), back.type());
        assertTrue(!back.describe().list().isEmpty());
    }

    /** Decoding yields a value that re-encodes to a prefix of the input, or a ProtocolException. */
    static void valueOrProtocolException(byte[] b, int length) {
        // the buffer holds more bytes than the payload: the decoder must not look at them
        byte[] padded = Arrays.copyOf(b, b.length + 64);
        Arrays.fill(padded, b.length, padded.length, (byte) 0x5a);
        LlcMessage exact = null;
        ProtocolException exactError = null;
        try {
            exact = LlcCodec.DEFAULT.decode(Unpooled.wrappedBuffer(b, 0, length), length);
        } catch (ProtocolException e) {
            exactError = e;
            assertTrue(e.offset() >= -1 && e.offset() <= length, "offset " + e.offset());
        }
        LlcMessage padRead = null;
        try {
            padRead = LlcCodec.DEFAULT.decode(Unpooled.wrappedBuffer(padded), length);
        } catch (ProtocolException e) {
            assertTrue(exactError != null, "padding changed the outcome: " + e);
            assertEquals(exactError.getMessage(), e.getMessage());
            return;
        }
        assertEquals(exact, padRead, "bytes after the payload changed the decoded value");
        byte[] re = LlcCodec.toBytes(exact);
        assertTrue(re.length <= length);
        assertArrayEquals(Arrays.copyOf(b, re.length), re, "re-encoding gives the decoded bytes back");
        exact.describe();
    }

    static void truncatedDecodes(LlcMessage m, int cutSeed) {
        byte[] bytes = LlcCodec.toBytes(m);
        int cut = Math.floorMod(cutSeed, bytes.length);
        valueOrProtocolException(Arrays.copyOf(bytes, cut), cut);
    }

    static void bitFlippedDecodes(LlcMessage m, long seed) {
        byte[] bytes = LlcCodec.toBytes(m);
        Random r = new Random(seed);
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips; i++) {
            // favour the header, where the framing decisions are made
            int pos = r.nextBoolean() ? r.nextInt(Math.min(4, bytes.length)) : r.nextInt(bytes.length);
            bytes[pos] ^= (byte) (1 << r.nextInt(8));
        }
        valueOrProtocolException(bytes, bytes.length);
    }

    // ------------------------------------------------------------------ round trips, per type

    @Property
    void confirmLinkRoundTrips(@ForAll("confirmLink") LlcMessage m) {
        roundTrips(m);
    }

    @Property
    void addLinkRoundTrips(@ForAll("addLink") LlcMessage m) {
        roundTrips(m);
    }

    @Property
    void addLinkContRoundTrips(@ForAll("addLinkCont") LlcMessage m) {
        roundTrips(m);
    }

    @Property
    void deleteLinkRoundTrips(@ForAll("deleteLink") LlcMessage m) {
        roundTrips(m);
    }

    @Property
    void reqAddLinkRoundTrips(@ForAll("reqAddLink") LlcMessage m) {
        roundTrips(m);
    }

    @Property
    void confirmRkeyRoundTrips(@ForAll("confirmRkey") LlcMessage m) {
        roundTrips(m);
    }

    @Property
    void testLinkRoundTrips(@ForAll("testLink") LlcMessage m) {
        roundTrips(m);
    }

    @Property
    void confirmRkeyContRoundTrips(@ForAll("confirmRkeyCont") LlcMessage m) {
        roundTrips(m);
    }

    @Property
    void deleteRkeyRoundTrips(@ForAll("deleteRkey") LlcMessage m) {
        roundTrips(m);
    }

    // ------------------------------------------------------------------ arbitrary bytes, per type

    @Provide
    Arbitrary<byte[]> confirmLinkGarbage() {
        return garbage(LlcType.CONFIRM_LINK);
    }

    @Provide
    Arbitrary<byte[]> addLinkGarbage() {
        return garbage(LlcType.ADD_LINK);
    }

    @Provide
    Arbitrary<byte[]> addLinkContGarbage() {
        return garbage(LlcType.ADD_LINK_CONT);
    }

    @Provide
    Arbitrary<byte[]> deleteLinkGarbage() {
        return garbage(LlcType.DELETE_LINK);
    }

    @Provide
    Arbitrary<byte[]> reqAddLinkGarbage() {
        return garbage(LlcType.REQ_ADD_LINK);
    }

    @Provide
    Arbitrary<byte[]> confirmRkeyGarbage() {
        return garbage(LlcType.CONFIRM_RKEY);
    }

    @Provide
    Arbitrary<byte[]> testLinkGarbage() {
        return garbage(LlcType.TEST_LINK);
    }

    @Provide
    Arbitrary<byte[]> confirmRkeyContGarbage() {
        return garbage(LlcType.CONFIRM_RKEY_CONT);
    }

    @Provide
    Arbitrary<byte[]> deleteRkeyGarbage() {
        return garbage(LlcType.DELETE_RKEY);
    }

    @Property
    void confirmLinkRandomBytes(@ForAll("confirmLinkGarbage") byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    @Property
    void addLinkRandomBytes(@ForAll("addLinkGarbage") byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    @Property
    void addLinkContRandomBytes(@ForAll("addLinkContGarbage") byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    @Property
    void deleteLinkRandomBytes(@ForAll("deleteLinkGarbage") byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    @Property
    void reqAddLinkRandomBytes(@ForAll("reqAddLinkGarbage") byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    @Property
    void confirmRkeyRandomBytes(@ForAll("confirmRkeyGarbage") byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    @Property
    void testLinkRandomBytes(@ForAll("testLinkGarbage") byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    @Property
    void confirmRkeyContRandomBytes(@ForAll("confirmRkeyContGarbage") byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    @Property
    void deleteRkeyRandomBytes(@ForAll("deleteRkeyGarbage") byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    @Property
    void fullyRandomBytes(@ForAll byte[] b) {
        valueOrProtocolException(b, b.length);
    }

    // ------------------------------------------------------------------ truncated and bit-flipped, per type

    @Property
    void confirmLinkTruncated(@ForAll("confirmLink") LlcMessage m, @ForAll int cut) {
        truncatedDecodes(m, cut);
    }

    @Property
    void addLinkTruncated(@ForAll("addLink") LlcMessage m, @ForAll int cut) {
        truncatedDecodes(m, cut);
    }

    @Property
    void addLinkContTruncated(@ForAll("addLinkCont") LlcMessage m, @ForAll int cut) {
        truncatedDecodes(m, cut);
    }

    @Property
    void deleteLinkTruncated(@ForAll("deleteLink") LlcMessage m, @ForAll int cut) {
        truncatedDecodes(m, cut);
    }

    @Property
    void reqAddLinkTruncated(@ForAll("reqAddLink") LlcMessage m, @ForAll int cut) {
        truncatedDecodes(m, cut);
    }

    @Property
    void confirmRkeyTruncated(@ForAll("confirmRkey") LlcMessage m, @ForAll int cut) {
        truncatedDecodes(m, cut);
    }

    @Property
    void testLinkTruncated(@ForAll("testLink") LlcMessage m, @ForAll int cut) {
        truncatedDecodes(m, cut);
    }

    @Property
    void confirmRkeyContTruncated(@ForAll("confirmRkeyCont") LlcMessage m, @ForAll int cut) {
        truncatedDecodes(m, cut);
    }

    @Property
    void deleteRkeyTruncated(@ForAll("deleteRkey") LlcMessage m, @ForAll int cut) {
        truncatedDecodes(m, cut);
    }

    @Property
    void confirmLinkBitFlipped(@ForAll("confirmLink") LlcMessage m, @ForAll long seed) {
        bitFlippedDecodes(m, seed);
    }

    @Property
    void addLinkBitFlipped(@ForAll("addLink") LlcMessage m, @ForAll long seed) {
        bitFlippedDecodes(m, seed);
    }

    @Property
    void addLinkContBitFlipped(@ForAll("addLinkCont") LlcMessage m, @ForAll long seed) {
        bitFlippedDecodes(m, seed);
    }

    @Property
    void deleteLinkBitFlipped(@ForAll("deleteLink") LlcMessage m, @ForAll long seed) {
        bitFlippedDecodes(m, seed);
    }

    @Property
    void reqAddLinkBitFlipped(@ForAll("reqAddLink") LlcMessage m, @ForAll long seed) {
        bitFlippedDecodes(m, seed);
    }

    @Property
    void confirmRkeyBitFlipped(@ForAll("confirmRkey") LlcMessage m, @ForAll long seed) {
        bitFlippedDecodes(m, seed);
    }

    @Property
    void testLinkBitFlipped(@ForAll("testLink") LlcMessage m, @ForAll long seed) {
        bitFlippedDecodes(m, seed);
    }

    @Property
    void confirmRkeyContBitFlipped(@ForAll("confirmRkeyCont") LlcMessage m, @ForAll long seed) {
        bitFlippedDecodes(m, seed);
    }

    @Property
    void deleteRkeyBitFlipped(@ForAll("deleteRkey") LlcMessage m, @ForAll long seed) {
        bitFlippedDecodes(m, seed);
    }

    // ------------------------------------------------------------------ framing

    @Property
    void bigEndianFramingDecodesAsBigEndian(@ForAll("anyMessage") LlcMessage m) {
        if (!m.framing().isV2()) {
            return;
        }
        LlcMessage be = m.withHeader(m.header().withFraming(LlcFraming.V2_BIG_ENDIAN));
        byte[] b = LlcCodec.toBytes(be);
        LlcMessage back = LlcCodec.DEFAULT.decode(b);
        if (b[1] != b[2]) {
            assertEquals(LlcFraming.V2_BIG_ENDIAN, back.framing());
        }
        assertArrayEquals(b, LlcCodec.toBytes(back));
    }
}
