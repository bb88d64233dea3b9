package io.smcj.clc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.ProtocolException;
import io.smcj.protocol.SmcType;

import static io.smcj.clc.ClcConstants.HEADER_LENGTH;
import static io.smcj.clc.ClcErrors.eproto;

/**
 * Decodes and encodes CLC messages byte for byte as Linux {@code net/smc} does.
 *
 * <p>CLC travels on a TCP stream. Like {@code smc_clc_wait_msg}, a reader first peeks the 8-byte
 * header ({@link #messageLength}, {@link #bytesNeeded}), then hands exactly one message to
 * {@link #decode}. Decoding never reads beyond the header's length and never consumes more.
 *
 * <h2>Errors</h2>
 * Every message Linux rejects in {@code smc_clc_wait_msg} / {@code smc_clc_msg_hdr_valid}
 * (bad eyecatcher, version 0, unknown or unexpected type, wrong length, bad offsets or counts, bad
 * trailer) throws a {@link ProtocolException} whose reason starts with {@code "EPROTO: "}. Linux
 * answers such a message with no Decline at all: the handshake fails with -EPROTO (client:
 * {@code connect()} returns the error; server: the connection is closed), and only the handshake
 * error counter is increased. These are {@link ProtocolException#handshakeError handshake errors}
 * ({@code sendsDecline()} false, {@code errno()} {@link ProtocolException#EPROTO}) whose recorded code
 * is {@link #MALFORMED_CODE}; {@link #isEproto} tells them apart.
 */
public final class ClcCodec {
    private ClcCodec() {
    }

    /**
     * The code carried by malformed-message exceptions ({@code INTERR}, 0x09990000). Linux itself
     * sends no Decline for these (see {@link #isEproto}).
     */
    public static final DeclineCode MALFORMED_CODE = DeclineCode.INTERR;

    /**
     * True when Linux would fail the handshake with -EPROTO and send no Decline
     * ({@link ProtocolException#errno()} is {@link ProtocolException#EPROTO}).
     */
    public static boolean isEproto(ProtocolException e) {
        return e.errno() == ProtocolException.EPROTO;
    }

    /**
     * The total length of the message at the reader index, peeking the header without consuming
     * anything; -1 while fewer than 8 bytes are readable.
     *
     * @throws ProtocolException when the header's length is below 8 (no CLC message is that short)
     */
    public static int messageLength(ByteBuf buf) {
        if (buf.readableBytes() < HEADER_LENGTH) {
            return -1;
        }
        int len = buf.getUnsignedShort(buf.readerIndex() + 5);
        if (len < HEADER_LENGTH) {
            throw eproto(5, "CLC length " + len + " is shorter than the header");
        }
        return len;
    }

    /** How many more bytes must arrive before {@link #decode} can read one whole message (0 = ready). */
    public static int bytesNeeded(ByteBuf buf) {
        int len = messageLength(buf);
        if (len < 0) {
            return HEADER_LENGTH - buf.readableBytes();
        }
        return Math.max(0, len - buf.readableBytes());
    }

    /**
     * Like {@link #bytesNeeded(ByteBuf)}, and, as soon as the header is there, the checks
     * {@code smc_clc_wait_msg} makes on the peeked header before it waits for the body: version 0,
     * or a type that is neither {@code expected} nor Decline, fail at once (EPROTO).
     */
    public static int bytesNeeded(ByteBuf buf, ClcType expected) {
        int needed = bytesNeeded(buf);
        if (buf.readableBytes() >= HEADER_LENGTH) {
            int at = buf.readerIndex();
            if (buf.getUnsignedByte(at + 7) >>> 4 < 1) {
                throw eproto(7, "CLC version 0");
            }
            ClcType type = ClcType.ofWire(buf.getUnsignedByte(at + 4));
            if (type == null || (expected != null && type != expected && type != ClcType.DECLINE)) {
                throw eproto(4, String.format("expected %s or a Decline, got type 0x%02x",
                        expected == null ? "a CLC message" : expected.messageName(), buf.getUnsignedByte(at + 4)));
            }
        }
        return needed;
    }

    /** {@link #decode(ByteBuf)} of a byte array that must hold exactly one message. */
    public static ClcMessage decode(byte[] bytes) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        ClcMessage m = decode(b);
        if (b.isReadable()) {
            throw eproto(m.length(), (bytes.length - m.length()) + " bytes after the message");
        }
        return m;
    }

    /**
     * Reads exactly one message at the reader index and advances the reader index past it. On error
     * the reader index is unchanged.
     *
     * @throws ProtocolException for any bytes Linux would reject, and when fewer bytes are readable
     *                           than the header's length says (truncated message)
     */
    public static ClcMessage decode(ByteBuf buf) {
        return decode(buf, null);
    }

    /**
     * Like {@link #decode(ByteBuf)}, and like {@code smc_clc_wait_msg(..., expected_type)}: a message
     * that is neither {@code expected} nor a Decline is rejected (EPROTO).
     */
    public static ClcMessage decode(ByteBuf buf, ClcType expected) {
        if (buf.readableBytes() < HEADER_LENGTH) {
            throw eproto(0, "CLC header needs 8 bytes, " + buf.readableBytes() + " readable");
        }
        int start = buf.readerIndex();
        int len = messageLength(buf);
        if (buf.readableBytes() < len) {
            throw eproto(buf.readableBytes(), "truncated CLC message: length " + len + ", " + buf.readableBytes()
                    + " bytes readable");
        }
        ByteBuf m = buf.slice(start, len);
        ClcHeader h = header(m, len, expected);
        ClcMessage msg = switch (h.type()) {
            case PROPOSAL -> ClcProposal.decode(m, h);
            case ACCEPT, CONFIRM -> h.typev1() == SmcType.D.wire()
                    ? ClcSmcdAcceptConfirm.decode(m, h) : ClcAcceptConfirm.decode(m, h);
            case DECLINE -> ClcDecline.decode(m, h);
        };
        buf.readerIndex(start + len);
        return msg;
    }

    private static ClcHeader header(ByteBuf m, int len, ClcType expected) {
        int version = m.getUnsignedByte(7) >>> 4;
        // smc_clc_wait_msg checks version and type on the peeked header first
        if (version < 1) {
            throw eproto(7, "CLC version 0");
        }
        int typeByte = m.getUnsignedByte(4);
        ClcType type = ClcType.ofWire(typeByte);
        if (type == null) {
            throw eproto(4, String.format("unknown CLC type 0x%02x", typeByte));
        }
        if (expected != null && type != expected && type != ClcType.DECLINE) {
            throw eproto(4, "expected " + expected.messageName() + " or a Decline, got " + type.messageName());
        }
        Eyecatcher eye = Eyecatcher.of(m.getInt(0));
        if (eye == null) {
            throw eproto(0, String.format("eyecatcher 0x%08x is neither SMCR nor SMCD", m.getInt(0)));
        }
        int b7 = m.getUnsignedByte(7);
        if (type == ClcType.ACCEPT || type == ClcType.CONFIRM) {
            int t1 = b7 & 3;
            if (t1 != SmcType.R.wire() && t1 != SmcType.D.wire()) {
                throw eproto(7, type.messageName() + " typev1 " + t1 + " is neither SMC-R nor SMC-D");
            }
        }
        return new ClcHeader(eye, type, len, version, b7 >>> 2 & 3, b7 & 3);
    }

    /** Writes the message at the writer index: exactly {@code msg.length()} bytes. */
    public static void encode(ClcMessage msg, ByteBuf out) {
        out.ensureWritable(msg.length());
        int before = out.writerIndex();
        switch (msg) {
            case ClcProposal p -> p.encode(out);
            case ClcAcceptConfirm a -> a.encode(out);
            case ClcSmcdAcceptConfirm d -> d.encode(out);
            case ClcDecline d -> d.encode(out);
        }
        if (out.writerIndex() - before != msg.length()) {
            throw new IllegalStateException("encoded " + (out.writerIndex() - before) + " bytes for length "
                    + msg.length());
        }
    }

    /** The message's bytes. */
    public static byte[] encode(ClcMessage msg) {
        ByteBuf b = Unpooled.buffer(msg.length());
        encode(msg, b);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }
}
