package io.smcj.cdc;

/**
 * The CDC connection-state flags byte (offset 25), {@code struct smc_cdc_conn_state_flags} in
 * {@code net/smc/smc.h}; like {@link ProducerFlags} the first declared bitfield member is the most
 * significant wire bit:
 *
 * <pre>
 *   0x80 peer_done_writing  sender did shutdown(SHUT_WR): no more data will come
 *   0x40 peer_conn_closed   sender closed the connection
 *   0x20 peer_conn_abort    abnormal close
 *   0x1f reserved           ignored by the kernel; kept so re-encoding is exact
 * </pre>
 *
 * @param raw the whole byte (0..255), including reserved bits
 */
public record ConnStateFlags(int raw) {
    public static final int PEER_DONE_WRITING = 0x80;
    public static final int PEER_CONN_CLOSED = 0x40;
    public static final int PEER_CONN_ABORT = 0x20;
    public static final int RESERVED_MASK = 0x1F;

    public static final ConnStateFlags NONE = new ConnStateFlags(0);

    public ConnStateFlags {
        if (raw < 0 || raw > 0xFF) {
            throw new IllegalArgumentException("connection state flags is one byte, got " + raw);
        }
    }

    public static ConnStateFlags of(boolean peerDoneWriting, boolean peerConnClosed, boolean peerConnAbort) {
        return new ConnStateFlags((peerDoneWriting ? PEER_DONE_WRITING : 0)
                | (peerConnClosed ? PEER_CONN_CLOSED : 0) | (peerConnAbort ? PEER_CONN_ABORT : 0));
    }

    public boolean peerDoneWriting() {
        return (raw & PEER_DONE_WRITING) != 0;
    }

    public boolean peerConnClosed() {
        return (raw & PEER_CONN_CLOSED) != 0;
    }

    public boolean peerConnAbort() {
        return (raw & PEER_CONN_ABORT) != 0;
    }

    /** {@code smc_cdc_rxed_any_close}: closed or abort. */
    public boolean anyClose() {
        return peerConnClosed() || peerConnAbort();
    }

    /** {@code smc_cdc_rxed_any_close_or_senddone}. */
    public boolean anyCloseOrSendDone() {
        return anyClose() || peerDoneWriting();
    }

    public int reserved() {
        return raw & RESERVED_MASK;
    }

    public ConnStateFlags with(int mask, boolean on) {
        return new ConnStateFlags(on ? raw | mask : raw & ~mask);
    }

    public ConnStateFlags withPeerDoneWriting(boolean on) {
        return with(PEER_DONE_WRITING, on);
    }

    public ConnStateFlags withPeerConnClosed(boolean on) {
        return with(PEER_CONN_CLOSED, on);
    }

    public ConnStateFlags withPeerConnAbort(boolean on) {
        return with(PEER_CONN_ABORT, on);
    }

    /** E.g. {@code 0xc0 [peer_done_writing peer_conn_closed]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("0x%02x [", raw));
        String sep = "";
        if (peerDoneWriting()) { sb.append(sep).append("peer_done_writing"); sep = " "; }
        if (peerConnClosed()) { sb.append(sep).append("peer_conn_closed"); sep = " "; }
        if (peerConnAbort()) { sb.append(sep).append("peer_conn_abort"); sep = " "; }
        if (reserved() != 0) { sb.append(sep).append(String.format("reserved=0x%x", reserved())); }
        return sb.append(']').toString();
    }
}
