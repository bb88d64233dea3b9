package io.smcj.cdc;

import io.netty.buffer.Unpooled;
import io.smcj.protocol.AlertToken;
import io.smcj.protocol.ProtocolException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import static org.junit.jupiter.api.Assertions.*;

class CdcCodecPropertyTest {

    @Provide
    Arbitrary<CdcCursor> cursors() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF), Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.longs().between(0, 0xFFFF_FFFFL)).as(CdcCursor::new);
    }

    @Provide
    Arbitrary<CdcMessage> messages() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.integers().map(AlertToken::new), cursors(), cursors(),
                Arbitraries.integers().between(0, 255).map(ProducerFlags::new),
                Arbitraries.integers().between(0, 255).map(ConnStateFlags::new),
                Arbitraries.bytes().array(byte[].class).ofSize(CdcMessage.RESERVED_LENGTH)).as(CdcMessage::new);
    }

    @Property
    void encodeThenDecodeIsIdentity(@ForAll("messages") CdcMessage m) {
        byte[] wire = CdcCodec.encode(m);
        assertEquals(CdcMessage.LENGTH, wire.length);
        CdcMessage back = CdcCodec.decode(wire);
        assertEquals(m, back);
        assertArrayEquals(wire, CdcCodec.encode(back));
    }

    @Property
    void arbitraryBytesGiveAMessageOrAProtocolException(@ForAll @Size(max = 60) byte[] bytes) {
        decodeOrProtocolException(bytes, bytes.length);
    }

    @Property
    void arbitraryBytesAfterTheCdcHeaderDecodeToTheSameBytes(@ForAll @Size(min = 42, max = 42) byte[] body) {
        byte[] b = new byte[44];
        b[0] = (byte) 0xFE;
        b[1] = 44;
        System.arraycopy(body, 0, b, 2, 42);
        assertArrayEquals(b, CdcCodec.encode(CdcCodec.decode(b)));
    }

    @Property
    void truncatedAndBitFlippedMessagesGiveAMessageOrAProtocolException(@ForAll("messages") CdcMessage m,
            @ForAll @IntRange(min = 0, max = 44) int truncateTo, @ForAll @IntRange(min = 0, max = 44 * 8 - 1) int bit) {
        byte[] wire = CdcCodec.encode(m);
        decodeOrProtocolException(wire, truncateTo);
        byte[] flipped = wire.clone();
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        CdcMessage r = decodeOrProtocolException(flipped, flipped.length);
        if (bit >= 16) {
            assertNotNull(r, "a flip outside type/length must still decode");
            assertArrayEquals(flipped, CdcCodec.encode(r));
        } else {
            assertNull(r, "a flip in type/length must be rejected");
        }
    }

    private static CdcMessage decodeOrProtocolException(byte[] bytes, int length) {
        try {
            CdcMessage m = CdcCodec.decode(Unpooled.wrappedBuffer(bytes), 0, length);
            assertTrue(length >= CdcMessage.LENGTH);
            return m;
        } catch (ProtocolException e) {
            assertTrue(e.offset() >= 0 && e.offset() < Math.max(1, CdcMessage.LENGTH), e::getMessage);
            return null;
        }
    }
}
