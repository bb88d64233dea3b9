package io.smcj.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireTest {
    @Test
    void needTurnsAShortBufferIntoAProtocolExceptionWithTheOffset() {
        ByteBuf b = Unpooled.wrappedBuffer(new byte[10]);
        Wire.need(b, 0, 6, 4, DeclineCode.INTERR, "field");
        ProtocolException e = assertThrows(ProtocolException.class, () -> Wire.need(b, 0, 7, 4, DeclineCode.SYNCERR, "qpn"));
        assertEquals(7, e.offset());
        assertEquals(DeclineCode.SYNCERR, e.declineCode());
        assertTrue(e.reason().contains("qpn needs 4 bytes at offset 7 but the message has 10"), e.reason());
        ProtocolException base = assertThrows(ProtocolException.class, () -> Wire.need(b, 4, 4, 4, DeclineCode.INTERR, "x"));
        assertTrue(base.reason().contains("the message has 6"), base.reason());
        assertThrows(ProtocolException.class, () -> Wire.need(b, 0, -1, 1, DeclineCode.INTERR, "x"));
        assertEquals(0, assertThrows(ProtocolException.class, () -> Wire.need(b, 0, -1, 1, DeclineCode.INTERR, "x")).offset());
        assertThrows(ProtocolException.class, () -> Wire.need(b, 0, Integer.MAX_VALUE, 10, DeclineCode.INTERR, "overflow"));
    }

    @Property
    void u24RoundTripsLikeHton24(@ForAll @IntRange(min = 0, max = 0xFFFFFF) int v) {
        ByteBuf b = Unpooled.buffer(4).writeZero(4);
        Wire.putU24(b, 1, v);
        assertEquals(v, Wire.u24(b, 1));
        assertEquals(v >>> 16, Wire.u8(b, 1), "big-endian: most significant byte first");
        assertEquals(0, Wire.u8(b, 0));
    }

    @Test
    void unsignedReadsAndAllZero() {
        ByteBuf b = Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xfd, (byte) 0xfc, 0, 0});
        assertEquals(0xff, Wire.u8(b, 0));
        assertEquals(0xfffe, Wire.u16(b, 0));
        assertEquals(0xfffefdfcL, Wire.u32(b, 0));
        assertTrue(Wire.allZero(b, 4, 2));
        assertFalse(Wire.allZero(b, 3, 2));
        assertEquals("fdfc", Hex.of(Wire.bytes(b, 2, 2)));
    }
}
