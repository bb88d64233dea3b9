package io.smcj.cdc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smcj.protocol.AlertToken;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Hex;
import io.smcj.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CdcCodecTest {
    /** A data CDC as the kernel sends it after a 4 KiB write: seqno 1, token 1, prod 0:4096. */
    static final String DATA_CDC = "fe2c0001 00000001 0000 0000 00001000 0000 0000 00000000 00 00"
            + " 000000000000000000000000000000000000";

    /** Every flag and both cursors busy, with non-zero reserved bits and bytes (kept verbatim). */
    static final String BUSY_CDC = "fe2c ffff 80000003 0001 0002 0007ffff 0000 ffff 00000010 9d e3"
            + " 0102030405060708090a0b0c0d0e0f101112";

    @Test
    void shouldDecodeDataCdcFieldByField() {
        CdcMessage m = CdcCodec.decode(Hex.parseLenient(DATA_CDC));
        assertEquals(1, m.seqno());
        assertEquals(new AlertToken(1), m.token());
        assertEquals(new CdcCursor(0, 0, 4096), m.prod());
        assertEquals(CdcCursor.ZERO, m.cons());
        assertEquals(ProducerFlags.NONE, m.prodFlags());
        assertEquals(ConnStateFlags.NONE, m.connStateFlags());
        assertTrue(m.reservedAllZero());
    }

    @Test
    void shouldEncodeDataCdcByteForByte() {
        CdcMessage m = CdcMessage.of(1, new AlertToken(1), new Cursor(0, 4096), Cursor.ZERO, ProducerFlags.NONE,
                ConnStateFlags.NONE);
        assertArrayEquals(Hex.parseLenient(DATA_CDC), CdcCodec.encode(m));
    }

    @Test
    void shouldDecodeBusyCdcFieldByField() {
        CdcMessage m = CdcCodec.decode(Hex.parseLenient(BUSY_CDC));
        assertEquals(0xFFFF, m.seqno());
        assertEquals(0x80000003L, m.token().unsigned());
        assertEquals(1, m.prod().reserved());
        assertEquals(2, m.prod().wrap());
        assertEquals(0x7FFFFL, m.prod().count());
        assertEquals(0, m.cons().reserved());
        assertEquals(0xFFFF, m.cons().wrap());
        assertEquals(16L, m.cons().count());
        // 0x9d = 1001 1101: write_blocked, cons_curs_upd_req, failover_validation, reserved 0b101
        ProducerFlags pf = m.prodFlags();
        assertTrue(pf.writeBlocked());
        assertFalse(pf.urgDataPending());
        assertFalse(pf.urgDataPresent());
        assertTrue(pf.consCursUpdReq());
        assertTrue(pf.failoverValidation());
        assertEquals(0b101, pf.reserved());
        // 0xe3 = 1110 0011: done_writing, closed, abort, reserved 0b00011
        ConnStateFlags cf = m.connStateFlags();
        assertTrue(cf.peerDoneWriting());
        assertTrue(cf.peerConnClosed());
        assertTrue(cf.peerConnAbort());
        assertEquals(0b00011, cf.reserved());
        assertEquals("0102030405060708090a0b0c0d0e0f101112", Hex.of(m.reserved()));
        assertFalse(m.reservedAllZero());
    }

    @Test
    void shouldEncodeBusyCdcByteForByte() {
        byte[] reserved = Hex.parse("0102030405060708090a0b0c0d0e0f101112");
        CdcMessage m = new CdcMessage(0xFFFF, new AlertToken(0x80000003), new CdcCursor(1, 2, 0x7FFFF),
                new CdcCursor(0, 0xFFFF, 16), new ProducerFlags(0x9d), new ConnStateFlags(0xe3), reserved);
        assertArrayEquals(Hex.parseLenient(BUSY_CDC), CdcCodec.encode(m));
    }

    @Test
    void shouldBuildFlagsLikeTheKernelBitfields() {
        assertEquals(0x80, ProducerFlags.of(true, false, false, false, false).raw());
        assertEquals(0x40, ProducerFlags.of(false, true, false, false, false).raw());
        assertEquals(0x20, ProducerFlags.of(false, false, true, false, false).raw());
        assertEquals(0x10, ProducerFlags.of(false, false, false, true, false).raw());
        assertEquals(0x08, ProducerFlags.of(false, false, false, false, true).raw());
        assertEquals(0x80, ConnStateFlags.of(true, false, false).raw());
        assertEquals(0x40, ConnStateFlags.of(false, true, false).raw());
        assertEquals(0x20, ConnStateFlags.of(false, false, true).raw());
        assertEquals(0xc0, ConnStateFlags.NONE.withPeerDoneWriting(true).withPeerConnClosed(true).raw());
    }

    @Test
    void shouldRejectWrongTypeWithOffset() {
        byte[] b = Hex.parseLenient(DATA_CDC);
        b[0] = 0x21; // an LLC v2 CONFIRM LINK
        ProtocolException e = assertThrows(ProtocolException.class, () -> CdcCodec.decode(b));
        assertEquals(0, e.offset());
        assertEquals(DeclineCode.INTERR, e.declineCode());
    }

    @Test
    void shouldRejectWrongLengthByte() {
        byte[] b = Hex.parseLenient(DATA_CDC);
        b[1] = 48;
        ProtocolException e = assertThrows(ProtocolException.class, () -> CdcCodec.decode(b));
        assertEquals(1, e.offset());
    }

    @Test
    void shouldRejectShortBufferAndNotReadPastLength() {
        byte[] b = Hex.parseLenient(DATA_CDC);
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        for (int len = 0; len < CdcMessage.LENGTH; len++) {
            int l = len;
            assertThrows(ProtocolException.class, () -> CdcCodec.decode(buf, 0, l), "length " + len);
        }
        // trailing bytes (ICRC) beyond 44 are not part of the message
        ByteBuf longer = Unpooled.buffer().writeBytes(b).writeInt(0xdeadbeef);
        assertEquals(CdcCodec.decode(b), CdcCodec.decode(longer));
    }

    @Test
    void shouldDecodeAtAnIndexInsideALargerBuffer() {
        byte[] b = Hex.parseLenient(BUSY_CDC);
        ByteBuf buf = Unpooled.buffer().writeBytes(new byte[7]).writeBytes(b).writeBytes(new byte[3]);
        assertEquals(CdcCodec.decode(b), CdcCodec.decode(buf, 7, 44));
        ProtocolException e = assertThrows(ProtocolException.class, () -> CdcCodec.decode(buf, 7 + 44 + 2, 44));
        assertEquals(DeclineCode.INTERR, e.declineCode());
    }

    @Test
    void shouldDescribeEveryFieldByProtocolName() {
        CdcMessage m = CdcCodec.decode(Hex.parseLenient(BUSY_CDC));
        io.smcj.protocol.Fields d = m.describe();
        assertEquals(65535L, ((Number) d.get("seqno").value()).longValue());
        io.smcj.protocol.Fields prod = (io.smcj.protocol.Fields) d.get("prod").value();
        assertEquals(2, ((Number) prod.get("wrap").value()).intValue());
        assertEquals(524287L, ((Number) prod.get("count").value()).longValue());
        assertEquals(Boolean.TRUE, d.get("write_blocked").value());
        assertEquals(Boolean.FALSE, d.get("urg_data_pending").value());
        assertEquals(Boolean.TRUE, d.get("cons_curs_upd_req").value());
        assertEquals(Boolean.TRUE, d.get("peer_done_writing").value());
        assertEquals(Boolean.TRUE, d.get("peer_conn_abort").value());
        String text = d.toText();
        for (String name : new String[] {"seqno", "token", "prod", "cons", "wrap", "count",
                "write_blocked cons_curs_upd_req failover_validation", "peer_done_writing", "0102030405"}) {
            assertTrue(text.contains(name), () -> name + " missing in\n" + text);
        }
        String s = m.toString();
        assertTrue(s.contains("seqno=65535"), s);
        assertTrue(s.contains("prod=[wrap=2 count=524287 reserved=0x0001]"), s);
        assertTrue(s.contains("write_blocked cons_curs_upd_req failover_validation reserved=0x5"), s);
        assertTrue(s.contains("peer_done_writing peer_conn_closed peer_conn_abort reserved=0x3"), s);
    }
}
