package io.smcj.cdc;

import io.smcj.protocol.AlertToken;
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
        ConnStateFlags connStateFlags, byte[] reserved) {

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

    /** A multi-line description with offsets, field names and flags spelled out (for the decode tool). */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        line(sb, TYPE_OFFSET, "type", String.format("0x%02x (CDC)", TYPE));
        line(sb, LENGTH_OFFSET, "length", Integer.toString(LENGTH));
        line(sb, SEQNO_OFFSET, "sequence number", Integer.toString(seqno));
        line(sb, TOKEN_OFFSET, "alert token", token + String.format(" (0x%08x)", token.value()));
        line(sb, PROD_OFFSET, "producer cursor reserved", String.format("0x%04x", prod.reserved()));
        line(sb, PROD_OFFSET + 2, "producer cursor wrap", Integer.toString(prod.wrap()));
        line(sb, PROD_OFFSET + 4, "producer cursor count", Long.toString(prod.count()));
        line(sb, CONS_OFFSET, "consumer cursor reserved", String.format("0x%04x", cons.reserved()));
        line(sb, CONS_OFFSET + 2, "consumer cursor wrap", Integer.toString(cons.wrap()));
        line(sb, CONS_OFFSET + 4, "consumer cursor count", Long.toString(cons.count()));
        line(sb, PROD_FLAGS_OFFSET, "producer flags", prodFlags.toString());
        flag(sb, prodFlags.writeBlocked(), "0x80 write_blocked");
        flag(sb, prodFlags.urgDataPending(), "0x40 urg_data_pending");
        flag(sb, prodFlags.urgDataPresent(), "0x20 urg_data_present");
        flag(sb, prodFlags.consCursUpdReq(), "0x10 cons_curs_upd_req");
        flag(sb, prodFlags.failoverValidation(), "0x08 failover_validation");
        line(sb, CONN_STATE_FLAGS_OFFSET, "connection state flags", connStateFlags.toString());
        flag(sb, connStateFlags.peerDoneWriting(), "0x80 peer_done_writing");
        flag(sb, connStateFlags.peerConnClosed(), "0x40 peer_conn_closed");
        flag(sb, connStateFlags.peerConnAbort(), "0x20 peer_conn_abort");
        line(sb, RESERVED_OFFSET, "reserved", isZero(reserved) ? "18 zero bytes" : Hex.of(reserved));
        return sb.toString();
    }

    private static void line(StringBuilder sb, int off, String name, String value) {
        sb.append(String.format("  %2d  %-26s %s%n", off, name, value));
    }

    private static void flag(StringBuilder sb, boolean on, String name) {
        sb.append(String.format("          %s %s%n", on ? "[x]" : "[ ]", name));
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
