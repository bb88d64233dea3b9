package io.smcj.cdc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smcj.protocol.AlertToken;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.ProtocolException;
import io.smcj.protocol.Wire;

/**
 * Encoder/decoder for the 44-byte CDC message ({@link CdcMessage}).
 *
 * <p>Errors: a CDC arrives after the handshake, so no CLC Decline is ever sent for it; the kernel
 * ({@code smc_cdc_rx_handler}) silently drops a CDC that is shorter than 26 bytes or whose length
 * byte is not 44. The decoder reports those cases as a {@link ProtocolException} with
 * {@link #DECLINE_CODE} ({@code SMC_CLC_DECL_INTERR}), which the engine records as the reason and
 * then drops the message like the kernel does.
 *
 * <p>Reserved bits and bytes are not checked (the kernel ignores them) but are kept so that
 * re-encoding a decoded message yields exactly the received bytes. A message shorter than 44
 * bytes is rejected (unlike the kernel, which reads the missing reserved tail from its 48-byte
 * receive buffer); bytes after the 44th (e.g. an IB ICRC or WR buffer padding) are not read.
 */
public final class CdcCodec {
    /** The decline code carried by every {@link ProtocolException} of this codec. */
    public static final DeclineCode DECLINE_CODE = DeclineCode.INTERR;

    private CdcCodec() {
    }

    /** Writes the 44 bytes of {@code m} at the writer index of {@code out} (advancing it). */
    public static void encode(CdcMessage m, ByteBuf out) {
        out.ensureWritable(CdcMessage.LENGTH);
        out.writeByte(CdcMessage.TYPE);
        out.writeByte(CdcMessage.LENGTH);
        out.writeShort(m.seqno());
        out.writeInt(m.token().value());
        writeCursor(out, m.prod());
        writeCursor(out, m.cons());
        out.writeByte(m.prodFlags().raw());
        out.writeByte(m.connStateFlags().raw());
        out.writeBytes(m.reserved());
    }

    /** The 44 bytes of {@code m}. */
    public static byte[] encode(CdcMessage m) {
        ByteBuf b = Unpooled.buffer(CdcMessage.LENGTH);
        encode(m, b);
        byte[] out = new byte[CdcMessage.LENGTH];
        b.getBytes(0, out);
        return out;
    }

    private static void writeCursor(ByteBuf out, CdcCursor c) {
        out.writeShort(c.reserved());
        out.writeShort(c.wrap());
        out.writeInt((int) c.count());
    }

    /** Decodes the readable bytes of {@code buf} (reader index unchanged). */
    public static CdcMessage decode(ByteBuf buf) {
        return decode(buf, buf.readerIndex(), buf.readableBytes());
    }

    public static CdcMessage decode(byte[] bytes) {
        return decode(Unpooled.wrappedBuffer(bytes));
    }

    /**
     * Decodes the CDC at {@code index} whose received length is {@code length}; reads only bytes
     * {@code [index, index + min(length, 44))} and never past the writer index. Offsets in the
     * exception are relative to {@code index}.
     *
     * @throws ProtocolException for a short buffer, a type other than 0xFE, or a length byte
     *                           other than 44
     */
    public static CdcMessage decode(ByteBuf buf, int index, int length) {
        if (index < 0 || length < 0) {
            throw new ProtocolException(DECLINE_CODE, 0, "CDC: negative index " + index + " or length " + length);
        }
        // a view that ends where the caller says the message ends
        int available = (int) Math.max(0, Math.min((long) length, (long) buf.writerIndex() - index));
        ByteBuf b = buf.slice(Math.min(index, buf.writerIndex()), available);
        Wire.need(b, 0, CdcMessage.TYPE_OFFSET, 1, DECLINE_CODE, "CDC type");
        int type = Wire.u8(b, CdcMessage.TYPE_OFFSET);
        if (type != CdcMessage.TYPE) {
            throw new ProtocolException(DECLINE_CODE, CdcMessage.TYPE_OFFSET,
                    String.format("not a CDC message: type 0x%02x, expected 0xfe", type));
        }
        Wire.need(b, 0, CdcMessage.LENGTH_OFFSET, 1, DECLINE_CODE, "CDC length");
        int len = Wire.u8(b, CdcMessage.LENGTH_OFFSET);
        if (len != CdcMessage.LENGTH) {
            throw new ProtocolException(DECLINE_CODE, CdcMessage.LENGTH_OFFSET,
                    "CDC length byte is " + len + ", the kernel drops anything but 44");
        }
        Wire.need(b, 0, 0, CdcMessage.LENGTH, DECLINE_CODE, "CDC message");
        int seqno = Wire.u16(b, CdcMessage.SEQNO_OFFSET);
        int token = b.getInt(CdcMessage.TOKEN_OFFSET);
        CdcCursor prod = readCursor(b, CdcMessage.PROD_OFFSET);
        CdcCursor cons = readCursor(b, CdcMessage.CONS_OFFSET);
        ProducerFlags pf = new ProducerFlags(Wire.u8(b, CdcMessage.PROD_FLAGS_OFFSET));
        ConnStateFlags cf = new ConnStateFlags(Wire.u8(b, CdcMessage.CONN_STATE_FLAGS_OFFSET));
        byte[] reserved = Wire.bytes(b, CdcMessage.RESERVED_OFFSET, CdcMessage.RESERVED_LENGTH);
        return new CdcMessage(seqno, new AlertToken(token), prod, cons, pf, cf, reserved);
    }

    private static CdcCursor readCursor(ByteBuf b, int off) {
        return new CdcCursor(Wire.u16(b, off), Wire.u16(b, off + 2), Wire.u32(b, off + 4));
    }

    /** True when the byte at {@code index} is the CDC type (0xFE): how the receive path demultiplexes. */
    public static boolean isCdc(ByteBuf buf, int index) {
        return index >= 0 && index < buf.writerIndex() && buf.getUnsignedByte(index) == CdcMessage.TYPE;
    }
}
