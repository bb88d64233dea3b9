package io.smcj.llc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.ProtocolException;
import io.smcj.protocol.Psn;
import io.smcj.protocol.Qpn;
import io.smcj.protocol.Rkey;
import io.smcj.protocol.SmcConstants;

import java.util.ArrayList;
import java.util.List;

/**
 * Byte-exact encoder and decoder of LLC messages, with the receive checks of Linux's
 * {@code smc_wr_rx_demultiplex()} and {@code smc_llc_rx_handler()}:
 * <ul>
 *   <li>the SEND payload must be at least 44 bytes ({@code sizeof(union smc_llc_msg)}), else dropped;</li>
 *   <li>byte 0 must be a type Linux registered a handler for; 0xFE is CDC; other bytes are dropped;</li>
 *   <li>v1 ({@code llc_version} 0): byte 1 must be 44, else dropped;</li>
 *   <li>v2: {@code length_v2} must be at least 44, else dropped. Linux does not compare it with
 *       the received length; smcj additionally requires it to be at most the received length and at
 *       most 8192 ({@code SMC_WR_BUF_V2_SIZE}) so that it never reads bytes it does not have.</li>
 * </ul>
 *
 * <p><b>Byte order of {@code length_v2}.</b> Linux stores it in host order. smcj reads bytes 1-2
 * both ways; a reading is plausible when it is 44..min(8192, received length). If only one is
 * plausible it wins; if both are (only possible when both bytes are at most 0x20) the one equal to
 * the received length wins; if the two readings are equal (both bytes the same) the message is
 * reported little-endian (for ADD LINK with an extension, big-endian when only that order gives a
 * {@code num_rkeys} of at most 255); otherwise the message is rejected as ambiguous. The order found is
 * reported as the message's {@link LlcFraming} and used again on encode, so decode-encode gives
 * the same bytes; new messages default to little-endian ({@link LlcFraming#V2}), big-endian with
 * {@link LlcFraming#V2_BIG_ENDIAN}.
 *
 * <p><b>Errors.</b> Only {@link ProtocolException}, with the offending offset and
 * {@link #DECLINE_CODE}. The reason starts with {@code "dropped: "} when Linux would silently drop
 * the message (see {@link #droppedByKernel}).
 */
public final class LlcCodec {
    /** {@code SMC_WR_TX_SIZE}: a v1 LLC message, and the minimum of a v2 one. */
    public static final int V1_LENGTH = SmcConstants.WR_TX_SIZE;
    /** {@code SMC_WR_BUF_V2_SIZE}: the largest v2 message a Linux peer can receive. */
    public static final int MAX_V2_LENGTH = SmcConstants.WR_BUF_V2_SIZE;
    /** Byte 0 of a CDC message ({@code SMC_CDC_MSG_TYPE}), which is not LLC. */
    public static final int CDC_TYPE = 0xFE;

    /**
     * The decline code on every LLC ProtocolException. LLC has no decline codes of its own; an LLC
     * peer that violates the protocol gets its link group terminated (DELETE LINK with
     * {@link LlcDeleteReason#PROT_VIOL}), which is what SYNCERR stands for on the CLC level.
     */
    public static final DeclineCode DECLINE_CODE = DeclineCode.SYNCERR;

    private static final String DROPPED = "dropped: ";

    /** Decodes every type in both framings (also 0x05, 0x23, 0x28, which Linux drops). */
    public static final LlcCodec DEFAULT = new LlcCodec(false);
    /** Rejects, like Linux, type bytes it has no receive handler for (0x05, 0x23, 0x28). */
    public static final LlcCodec KERNEL_STRICT = new LlcCodec(true);

    private final boolean kernelStrict;

    public LlcCodec(boolean kernelStrict) {
        this.kernelStrict = kernelStrict;
    }

    /** True when the exception describes a message Linux would drop without reacting. */
    public static boolean droppedByKernel(ProtocolException e) {
        return e.reason().startsWith(DROPPED);
    }

    /** Decodes a whole byte array as one received SEND payload. */
    public LlcMessage decode(byte[] payload) {
        return decode(Unpooled.wrappedBuffer(payload), payload.length);
    }

    /**
     * Decodes one received SEND payload of {@code length} bytes starting at the reader index
     * ({@code wc->byte_len}; Linux posts a 44-byte receive SGE in a v1 link group and 44 + 8148
     * bytes in a v2 one, so it can receive at most 44 or 8192 bytes). On success
     * the reader index moves past the whole payload. Reads nothing beyond the message length.
     */
    public LlcMessage decode(ByteBuf buf, int length) {
        if (length < 0 || length > buf.readableBytes()) {
            throw new ProtocolException(DECLINE_CODE, 0, "payload length " + length + " but "
                    + buf.readableBytes() + " readable bytes");
        }
        if (length == 0) {
            throw new ProtocolException(DECLINE_CODE, 0, DROPPED + "empty SEND payload");
        }
        ByteBuf m = buf.slice(buf.readerIndex(), length);
        int typeByte = m.getUnsignedByte(0);
        if (typeByte == CDC_TYPE) {
            throw new ProtocolException(DECLINE_CODE, 0, "type 0xfe is a CDC message, not LLC");
        }
        int version = typeByte >>> 4;
        LlcType type = LlcType.ofCode(typeByte & 0x0f);
        if ((version != 0 && version != 2) || type == null) {
            throw new ProtocolException(DECLINE_CODE, 0, DROPPED + String.format(
                    "unknown LLC type byte 0x%02x (no receive handler)", typeByte));
        }
        if (length < V1_LENGTH) {
            throw new ProtocolException(DECLINE_CODE, length, DROPPED + "short message: " + length
                    + " bytes, LLC needs at least 44");
        }
        LlcFraming framing;
        int msgLen;
        if (version == 0) {
            int l = m.getUnsignedByte(1);
            if (l != V1_LENGTH) {
                throw new ProtocolException(DECLINE_CODE, 1, DROPPED + "v1 length " + l + " is not 44");
            }
            framing = LlcFraming.V1;
            msgLen = V1_LENGTH;
        } else {
            LengthOrder order = lengthOrder(m.getUnsignedByte(1), m.getUnsignedByte(2), length);
            if (type == LlcType.ADD_LINK && m.getByte(1) == m.getByte(2)) {
                order = addLinkOrderHint(m, order.read(m.getUnsignedByte(1), m.getUnsignedByte(2)));
            }
            framing = LlcFraming.v2(order);
            msgLen = order.read(m.getUnsignedByte(1), m.getUnsignedByte(2));
        }
        if (kernelStrict && !type.kernelReceives(framing)) {
            throw new ProtocolException(DECLINE_CODE, 0, DROPPED + String.format(
                    "Linux has no receive handler for type byte 0x%02x", typeByte));
        }
        LlcMessage msg = switch (type) {
            case CONFIRM_LINK -> confirmLink(m, framing, msgLen);
            case ADD_LINK -> addLink(m, framing, msgLen);
            case ADD_LINK_CONT -> addLinkCont(m, framing, msgLen);
            case DELETE_LINK -> deleteLink(m, framing, msgLen);
            case REQ_ADD_LINK -> reqAddLink(m, framing, msgLen);
            case CONFIRM_RKEY -> confirmRkey(m, framing, msgLen);
            case TEST_LINK -> testLink(m, framing, msgLen);
            case CONFIRM_RKEY_CONT -> confirmRkeyCont(m, framing, msgLen);
            case DELETE_RKEY -> deleteRkey(m, framing, msgLen);
        };
        buf.skipBytes(length);
        return msg;
    }

    /** The rule in the class comment; package-private for tests. */
    static LengthOrder lengthOrder(int b1, int b2, int received) {
        int le = LengthOrder.LITTLE_ENDIAN.read(b1, b2);
        int be = LengthOrder.BIG_ENDIAN.read(b1, b2);
        int max = Math.min(MAX_V2_LENGTH, received);
        boolean leOk = le >= V1_LENGTH && le <= max;
        boolean beOk = be >= V1_LENGTH && be <= max;
        if (le == be && leOk) {
            return LengthOrder.LITTLE_ENDIAN;
        }
        if (leOk && !beOk) {
            return LengthOrder.LITTLE_ENDIAN;
        }
        if (beOk && !leOk) {
            return LengthOrder.BIG_ENDIAN;
        }
        if (leOk) {
            if (le == received && be != received) {
                return LengthOrder.LITTLE_ENDIAN;
            }
            if (be == received && le != received) {
                return LengthOrder.BIG_ENDIAN;
            }
            throw new ProtocolException(DECLINE_CODE, 1, String.format(
                    "ambiguous length_v2 bytes %02x %02x: %d little-endian or %d big-endian, %d bytes received",
                    b1, b2, le, be, received));
        }
        if (le < V1_LENGTH || be < V1_LENGTH) {
            // a Linux receiver of that byte order drops it; the other reading is out of range anyway
            throw new ProtocolException(DECLINE_CODE, 1, DROPPED + "length_v2 " + le + " (LE) / " + be
                    + " (BE): below 44 or beyond the " + received + " bytes received");
        }
        throw new ProtocolException(DECLINE_CODE, 1, String.format(
                "length_v2 bytes %02x %02x (%d LE / %d BE) exceed the %d bytes received or the 8192-byte v2 buffer",
                b1, b2, le, be, received));
    }

    /**
     * Both length bytes equal: the length reads the same either way, but the extension's
     * {@code num_rkeys} does not. Linux never has more than 255 RMBs per link group
     * ({@code SMC_RMBS_PER_LGR_MAX}), so an order in which num_rkeys is at most 255 while the other
     * gives more wins; otherwise little-endian.
     */
    private static LengthOrder addLinkOrderHint(ByteBuf m, int msgLen) {
        if (msgLen < AddLink.SIZE + AddLinkV2Ext.SIZE) {
            return LengthOrder.LITTLE_ENDIAN;
        }
        int b0 = m.getUnsignedByte(AddLink.SIZE + 26);
        int b1 = m.getUnsignedByte(AddLink.SIZE + 27);
        int le = LengthOrder.LITTLE_ENDIAN.read(b0, b1);
        int be = LengthOrder.BIG_ENDIAN.read(b0, b1);
        return be <= 255 && le > 255 ? LengthOrder.BIG_ENDIAN : LengthOrder.LITTLE_ENDIAN;
    }

    private static LlcHeader header(ByteBuf m, LlcFraming framing, int bodyEnd, int msgLen) {
        int byte2 = framing.isV2() ? 0 : m.getUnsignedByte(2);
        return new LlcHeader(framing, m.getUnsignedByte(3), byte2, Octets.read(m, bodyEnd, msgLen - bodyEnd));
    }

    private static MacAddress mac(ByteBuf m, int off) {
        byte[] b = new byte[MacAddress.LENGTH];
        m.getBytes(off, b);
        return MacAddress.of(b);
    }

    private static Gid gid(ByteBuf m, int off) {
        byte[] b = new byte[Gid.LENGTH];
        m.getBytes(off, b);
        return Gid.of(b);
    }

    private static Rkey rkey(ByteBuf m, int off) {
        return new Rkey(m.getInt(off));
    }

    private static RkeyPair pair(ByteBuf m, int off) {
        return new RkeyPair(rkey(m, off), rkey(m, off + 4), m.getLong(off + 8));
    }

    private static Rtoken rtoken(ByteBuf m, int off) {
        return new Rtoken(m.getUnsignedByte(off), rkey(m, off + 1), m.getLong(off + 5));
    }

    private static ConfirmLink confirmLink(ByteBuf m, LlcFraming fr, int len) {
        return new ConfirmLink(header(m, fr, ConfirmLink.SIZE, len), mac(m, 4), gid(m, 10),
                new Qpn(m.getUnsignedMedium(26)), m.getUnsignedByte(29), m.getInt(30), m.getUnsignedByte(34),
                m.getUnsignedByte(35), Octets.read(m, 36, 8));
    }

    private static AddLink addLink(ByteBuf m, LlcFraming fr, int len) {
        AddLinkV2Ext ext = null;
        int end = AddLink.SIZE;
        if (fr.isV2() && len >= AddLink.SIZE + AddLinkV2Ext.SIZE) {
            int b = AddLink.SIZE;
            int first = m.getUnsignedByte(b);
            int num = fr.lengthOrder().read(m.getUnsignedByte(b + 26), m.getUnsignedByte(b + 27));
            int room = (len - b - AddLinkV2Ext.SIZE) / RkeyPair.SIZE;
            int n = Math.min(num, room);
            List<RkeyPair> rt = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                rt.add(pair(m, b + AddLinkV2Ext.SIZE + i * RkeyPair.SIZE));
            }
            ext = new AddLinkV2Ext((first & 0x80) != 0, first & 0x7f, m.getUnsignedByte(b + 1), gid(m, b + 2),
                    Octets.read(m, b + 18, 8), num, rt);
            end = b + ext.encodedLength();
        }
        int mtuByte = m.getUnsignedByte(32);
        return new AddLink(header(m, fr, end, len), mac(m, 4), Octets.read(m, 10, 2), gid(m, 12),
                new Qpn(m.getUnsignedMedium(28)), m.getUnsignedByte(31), mtuByte & 0x0f, mtuByte >>> 4,
                new Psn(m.getUnsignedMedium(33)), Octets.read(m, 36, 8), ext);
    }

    private static AddLinkCont addLinkCont(ByteBuf m, LlcFraming fr, int len) {
        return new AddLinkCont(header(m, fr, AddLinkCont.SIZE, len), m.getUnsignedByte(4), m.getUnsignedByte(5),
                Octets.read(m, 6, 2), List.of(pair(m, 8), pair(m, 24)), Octets.read(m, 40, 4));
    }

    private static DeleteLink deleteLink(ByteBuf m, LlcFraming fr, int len) {
        return new DeleteLink(header(m, fr, DeleteLink.SIZE, len), m.getUnsignedByte(4), m.getUnsignedInt(5),
                Octets.read(m, 9, 35));
    }

    private static ReqAddLink reqAddLink(ByteBuf m, LlcFraming fr, int len) {
        int cnt = m.getUnsignedByte(24);
        int n = Math.min(cnt, (len - ReqAddLink.FIXED) / Gid.LENGTH);
        List<Gid> gids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            gids.add(gid(m, ReqAddLink.FIXED + i * Gid.LENGTH));
        }
        return new ReqAddLink(header(m, fr, ReqAddLink.FIXED + n * Gid.LENGTH, len), Octets.read(m, 4, 20), cnt,
                Octets.read(m, 25, 3), gids);
    }

    private static ConfirmRkey confirmRkey(ByteBuf m, LlcFraming fr, int len) {
        return new ConfirmRkey(header(m, fr, ConfirmRkey.SIZE, len), m.getUnsignedByte(4), rkey(m, 5),
                m.getLong(9), List.of(rtoken(m, 17), rtoken(m, 30)), m.getUnsignedByte(43));
    }

    private static TestLink testLink(ByteBuf m, LlcFraming fr, int len) {
        return new TestLink(header(m, fr, TestLink.SIZE, len), Octets.read(m, 4, 16), Octets.read(m, 20, 24));
    }

    private static ConfirmRkeyCont confirmRkeyCont(ByteBuf m, LlcFraming fr, int len) {
        return new ConfirmRkeyCont(header(m, fr, ConfirmRkeyCont.SIZE, len), m.getUnsignedByte(4),
                List.of(rtoken(m, 5), rtoken(m, 18), rtoken(m, 31)));
    }

    private static DeleteRkey deleteRkey(ByteBuf m, LlcFraming fr, int len) {
        int slots = len == V1_LENGTH ? DeleteRkey.SLOTS_V1 : (len - DeleteRkey.FIXED) / 4;
        List<Rkey> keys = new ArrayList<>(slots);
        for (int i = 0; i < slots; i++) {
            keys.add(rkey(m, DeleteRkey.FIXED + 4 * i));
        }
        return new DeleteRkey(header(m, fr, DeleteRkey.FIXED + 4 * slots, len), m.getUnsignedByte(4),
                m.getUnsignedByte(5), Octets.read(m, 6, 2), keys);
    }

    // ------------------------------------------------------------------ encode

    /** The message's bytes. */
    public static byte[] toBytes(LlcMessage msg) {
        ByteBuf b = Unpooled.buffer(msg.encodedLength());
        encode(msg, b);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    /**
     * Appends the message at the writer index of {@code out}, in its own framing (v2 length in the
     * framing's byte order). Returns the number of bytes written.
     */
    public static int encode(LlcMessage msg, ByteBuf out) {
        int len = msg.encodedLength();
        int start = out.writerIndex();
        out.writeZero(len);
        ByteBuf m = out.slice(start, len);
        LlcHeader h = msg.header();
        LlcFraming fr = h.framing();
        m.setByte(0, msg.typeByte());
        if (fr.isV2()) {
            m.setByte(1, fr.lengthOrder().first(len));
            m.setByte(2, fr.lengthOrder().second(len));
        } else {
            m.setByte(1, V1_LENGTH);
            m.setByte(2, h.v1Byte2());
        }
        m.setByte(3, h.flags());
        int bodyEnd = switch (msg) {
            case ConfirmLink c -> {
                m.setBytes(4, c.senderMac().bytes());
                m.setBytes(10, c.senderGid().bytes());
                m.setMedium(26, c.senderQpNum().value());
                m.setByte(29, c.linkNum());
                m.setInt(30, c.linkUid());
                m.setByte(34, c.maxLinks());
                m.setByte(35, c.maxConns());
                c.reserved().write(m, 36);
                yield ConfirmLink.SIZE;
            }
            case AddLink a -> {
                m.setBytes(4, a.senderMac().bytes());
                a.reserved2().write(m, 10);
                m.setBytes(12, a.senderGid().bytes());
                m.setMedium(28, a.senderQpNum().value());
                m.setByte(31, a.linkNum());
                m.setByte(32, (a.reserved3() << 4) | a.qpMtu());
                m.setMedium(33, a.initialPsn().value());
                a.reserved().write(m, 36);
                AddLinkV2Ext e = a.v2Ext();
                if (e == null) {
                    yield AddLink.SIZE;
                }
                int b = AddLink.SIZE;
                m.setByte(b, (e.v2Direct() ? 0x80 : 0) | e.reservedBits());
                m.setByte(b + 1, e.reserved2());
                m.setBytes(b + 2, e.clientTargetGid().bytes());
                e.reserved3().write(m, b + 18);
                m.setByte(b + 26, fr.lengthOrder().first(e.numRkeys()));
                m.setByte(b + 27, fr.lengthOrder().second(e.numRkeys()));
                int off = b + AddLinkV2Ext.SIZE;
                for (RkeyPair p : e.rkeys()) {
                    putPair(m, off, p);
                    off += RkeyPair.SIZE;
                }
                yield off;
            }
            case AddLinkCont c -> {
                m.setByte(4, c.linkNum());
                m.setByte(5, c.numRkeys());
                c.reserved2().write(m, 6);
                putPair(m, 8, c.rt().get(0));
                putPair(m, 24, c.rt().get(1));
                c.reserved().write(m, 40);
                yield AddLinkCont.SIZE;
            }
            case DeleteLink d -> {
                m.setByte(4, d.linkNum());
                m.setInt(5, (int) d.reason());
                d.reserved().write(m, 9);
                yield DeleteLink.SIZE;
            }
            case ReqAddLink r -> {
                r.reserved().write(m, 4);
                m.setByte(24, r.gidCnt());
                r.reserved2().write(m, 25);
                int off = ReqAddLink.FIXED;
                for (Gid g : r.gids()) {
                    m.setBytes(off, g.bytes());
                    off += Gid.LENGTH;
                }
                yield off;
            }
            case ConfirmRkey c -> {
                m.setByte(4, c.numRkeys());
                m.setInt(5, c.rmbKey().value());
                m.setLong(9, c.rmbVaddr());
                putRtoken(m, 17, c.others().get(0));
                putRtoken(m, 30, c.others().get(1));
                m.setByte(43, c.reserved());
                yield ConfirmRkey.SIZE;
            }
            case TestLink t -> {
                t.userData().write(m, 4);
                t.reserved().write(m, 20);
                yield TestLink.SIZE;
            }
            case ConfirmRkeyCont c -> {
                m.setByte(4, c.numRkeys());
                putRtoken(m, 5, c.rtokens().get(0));
                putRtoken(m, 18, c.rtokens().get(1));
                putRtoken(m, 31, c.rtokens().get(2));
                yield ConfirmRkeyCont.SIZE;
            }
            case DeleteRkey d -> {
                m.setByte(4, d.numRkeys());
                m.setByte(5, d.errMask());
                d.reserved().write(m, 6);
                int off = DeleteRkey.FIXED;
                for (Rkey k : d.rkeys()) {
                    m.setInt(off, k.value());
                    off += 4;
                }
                yield off;
            }
        };
        h.trailer().write(m, bodyEnd);
        return len;
    }

    private static void putPair(ByteBuf m, int off, RkeyPair p) {
        m.setInt(off, p.rmbKey().value());
        m.setInt(off + 4, p.rmbKeyNew().value());
        m.setLong(off + 8, p.rmbVaddrNew());
    }

    private static void putRtoken(ByteBuf m, int off, Rtoken t) {
        m.setByte(off, t.linkId());
        m.setInt(off + 1, t.rmbKey().value());
        m.setLong(off + 5, t.rmbVaddr());
    }
}
