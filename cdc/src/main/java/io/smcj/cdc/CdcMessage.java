package io.smcj.cdc;

import io.smcj.protocol.AlertToken;
import io.smcj.protocol.Described;
import io.smcj.protocol.Fields;
import io.smcj.protocol.Hex;

import java.util.Arrays;
import java.util.Objects;

/**
 * A decoded SMC-R CDC (Connection Data Control) message, {@code struct smc_cdc_msg} in
 * {@code net/smc/smc_cdc.h} (RFC 7609 section 4.4 / reference section 5.1). 44 bytes, network
 * byte order, sent as an IB SEND on the connection's link:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  type = 0xFE  |  length = 44  |        sequence number        |  0
 * +---------------+---------------+-------------------------------+
 * |                          alert token                          |  4
 * +-------------------------------+-------------------------------+
 * |   producer cursor reserved    |     producer cursor wrap      |  8
 * +-------------------------------+-------------------------------+
 * |                     producer cursor count                     | 12
 * +-------------------------------+-------------------------------+
 * |   consumer cursor reserved    |     consumer cursor wrap      | 16
 * +-------------------------------+-------------------------------+
 * |                     consumer cursor count                     | 20
 * +---------------+---------------+-------------------------------+
 * | producer flags| conn state fl.|    reserved (18 bytes) ...    | 24
 * +---------------+---------------+-------------------------------+
 * </pre>
 *
 * The type and length bytes are fixed (the codec rejects others); every other byte, including
 * reserved bits and bytes, is kept as received, so {@code encode(decode(b)) == b}.
 *
 * @param seqno          u16 sequence number, +1 per CDC the sender sends (the kernel starts at 1)
 * @param token          the receiver's alert token (from its CLC Accept/Confirm)
 * @param prod           producer cursor: how far the sender has written into the receiver's RMBE
 * @param cons           consumer cursor: how far the sender has consumed its own RMBE (the "ack")
 * @param prodFlags      producer flags byte
 * @param connStateFlags connection state flags byte
 * @param reserved       the 18 trailing reserved bytes (copied in and out)
 */
public record CdcMessage(int seqno, AlertToken token, CdcCursor prod, CdcCursor cons, ProducerFlags prodFlags,
        ConnStateFlags connStateFlags, byte[] reserved) implements Described {

    /** {@code SMC_CDC_MSG_TYPE}. */
    public static final int TYPE = 0xFE;
    /** {@code SMC_WR_TX_SIZE}: the CDC length byte and message size. */
    public static final int LENGTH = 44;

    public static final int TYPE_OFFSET = 0;
    public static final int LENGTH_OFFSET = TYPE_OFFSET + 1;
    public static final int SEQNO_OFFSET = LENGTH_OFFSET + 1;
    public static final int TOKEN_OFFSET = SEQNO_OFFSET + 2;
    public static final int PROD_OFFSET = TOKEN_OFFSET + 4;
    public static final int CONS_OFFSET = PROD_OFFSET + CdcCursor.LENGTH;
    public static final int PROD_FLAGS_OFFSET = CONS_OFFSET + CdcCursor.LENGTH;
    public static final int CONN_STATE_FLAGS_OFFSET = PROD_FLAGS_OFFSET + 1;
    public static final int RESERVED_OFFSET = CONN_STATE_FLAGS_OFFSET + 1;
    public static final int RESERVED_LENGTH = 18;

    static {
        if (RESERVED_OFFSET + RESERVED_LENGTH != LENGTH) {
            throw new AssertionError("CDC layout does not add up to " + LENGTH);
        }
    }

    public CdcMessage {
        if (seqno < 0 || seqno > 0xFFFF) {
            throw new IllegalArgumentException("seqno is u16, got " + seqno);
        }
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(prod, "prod");
        Objects.requireNonNull(cons, "cons");
        Objects.requireNonNull(prodFlags, "prodFlags");
        Objects.requireNonNull(connStateFlags, "connStateFlags");
        Objects.requireNonNull(reserved, "reserved");
        if (reserved.length != RESERVED_LENGTH) {
            throw new IllegalArgumentException("reserved is " + RESERVED_LENGTH + " bytes, got " + reserved.length);
        }
        reserved = reserved.clone();
    }

    /** A message as the kernel builds it: reserved fields zero. */
    public static CdcMessage of(int seqno, AlertToken token, Cursor prod, Cursor cons, ProducerFlags prodFlags,
            ConnStateFlags connStateFlags) {
        return new CdcMessage(seqno, token, CdcCursor.of(prod), CdcCursor.of(cons), prodFlags, connStateFlags,
                new byte[RESERVED_LENGTH]);
    }

    /** A copy of the 18 reserved bytes. */
    @Override
    public byte[] reserved() {
        return reserved.clone();
    }

    /** True when the trailing reserved bytes and all reserved bits/fields are zero. */
    public boolean reservedAllZero() {
        for (byte b : reserved) {
            if (b != 0) {
                return false;
            }
        }
        return prod.reserved() == 0 && cons.reserved() == 0 && prodFlags.reserved() == 0
                && connStateFlags.reserved() == 0;
    }

    public CdcMessage withSeqno(int s) {
        return new CdcMessage(s, token, prod, cons, prodFlags, connStateFlags, reserved);
    }

    public CdcMessage withProdFlags(ProducerFlags f) {
        return new CdcMessage(seqno, token, prod, cons, f, connStateFlags, reserved);
    }

    public CdcMessage withConnStateFlags(ConnStateFlags f) {
        return new CdcMessage(seqno, token, prod, cons, prodFlags, f, reserved);
    }

    public CdcMessage withProd(CdcCursor c) {
        return new CdcMessage(seqno, token, c, cons, prodFlags, connStateFlags, reserved);
    }

    public CdcMessage withCons(CdcCursor c) {
        return new CdcMessage(seqno, token, prod, c, prodFlags, connStateFlags, reserved);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CdcMessage m && seqno == m.seqno && token.equals(m.token) && prod.equals(m.prod)
                && cons.equals(m.cons) && prodFlags.equals(m.prodFlags) && connStateFlags.equals(m.connStateFlags)
                && Arrays.equals(reserved, m.reserved);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seqno, token, prod, cons, prodFlags, connStateFlags) * 31 + Arrays.hashCode(reserved);
    }

    /** One line with every field by its protocol name. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CDC seqno=").append(seqno)
                .append(" token=").append(token)
                .append(" prod=[").append(prod).append(']')
                .append(" cons=[").append(cons).append(']')
                .append(" prod_flags=").append(prodFlags)
                .append(" conn_state_flags=").append(connStateFlags);
        if (!isZero(reserved)) {
            sb.append(" reserved=").append(Hex.of(reserved));
        }
        return sb.toString();
    }

    @Override
    public String messageName() {
        return "CDC";
    }

    /**
     * Every field with the member names of the kernel's {@code struct smc_cdc_msg}, offsets, and the
     * flag bits spelled out (for {@code ./smcj decode} and the tshark cross-check).
     */
    @Override
    public Fields describe() {
        Fields f = new Fields();
        f.addHex("type", TYPE, TYPE_OFFSET, "SMC_CDC_MSG_TYPE");
        f.add("len", LENGTH, LENGTH_OFFSET);
        f.add("seqno", seqno, SEQNO_OFFSET);
        f.add("token", token.unsigned(), TOKEN_OFFSET, String.format("0x%08x", token.value()));
        f.add("prod", cursorFields(prod, PROD_OFFSET), PROD_OFFSET);
        f.add("cons", cursorFields(cons, CONS_OFFSET), CONS_OFFSET);
        int pf = prodFlags.raw();
        f.addHex("prod_flags", pf, PROD_FLAGS_OFFSET, flagNames(pf, "write_blocked", "urg_data_pending",
                "urg_data_present", "cons_curs_upd_req", "failover_validation"));
        f.add("write_blocked", prodFlags.writeBlocked(), PROD_FLAGS_OFFSET);
        f.add("urg_data_pending", prodFlags.urgDataPending(), PROD_FLAGS_OFFSET);
        f.add("urg_data_present", prodFlags.urgDataPresent(), PROD_FLAGS_OFFSET);
        f.add("cons_curs_upd_req", prodFlags.consCursUpdReq(), PROD_FLAGS_OFFSET);
        f.add("failover_validation", prodFlags.failoverValidation(), PROD_FLAGS_OFFSET);
        int cf = connStateFlags.raw();
        f.addHex("conn_state_flags", cf, CONN_STATE_FLAGS_OFFSET, flagNames(cf, "peer_done_writing",
                "peer_conn_closed", "peer_conn_abort"));
        f.add("peer_done_writing", connStateFlags.peerDoneWriting(), CONN_STATE_FLAGS_OFFSET);
        f.add("peer_conn_closed", connStateFlags.peerConnClosed(), CONN_STATE_FLAGS_OFFSET);
        f.add("peer_conn_abort", connStateFlags.peerConnAbort(), CONN_STATE_FLAGS_OFFSET);
        f.add("reserved", Hex.of(reserved), RESERVED_OFFSET);
        return f;
    }

    private static Fields cursorFields(CdcCursor c, int off) {
        return new Fields()
                .add("reserved", c.reserved(), off)
                .add("wrap", c.wrap(), off + 2)
                .add("count", c.count(), off + 4);
    }

    /** "[write_blocked cons_curs_upd_req]": the names of the set bits, most significant first. */
    public static String flagNames(int raw, String... msbFirst) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < msbFirst.length; i++) {
            if ((raw & (0x80 >> i)) != 0) {
                sb.append(sb.length() > 1 ? " " : "").append(msbFirst[i]);
            }
        }
        int reservedBits = raw & ((0x80 >> msbFirst.length << 1) - 1);
        if (reservedBits != 0) {
            sb.append(sb.length() > 1 ? " " : "").append(String.format("reserved=0x%x", reservedBits));
        }
        return sb.append(']').toString();
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
