package io.smcj.llc;

import io.smcj.protocol.Fields;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.Qpn;

import java.util.Objects;

/**
 * CONFIRM LINK (0x01 / v2 0x21), {@code struct smc_llc_msg_confirm_link}: sent by the server on
 * a new link, answered by the client with its own CONFIRM LINK carrying {@link LlcFlags#RESP}
 * ({@code smc_llc_send_confirm_link()}). Flags always carry {@link LlcFlags#NO_RMBE_EYEC}; on the
 * first link of a link group a receiver without it fails the handshake ({@code smc_llc_eval_conf_link()}
 * returns -ENOTSUPP, CLC decline RMBE_EC); on later links the bit is not checked. {@code max_links} is
 * {@code SMC_LINKS_ADD_LNK_MAX} (2) and {@code max_conns} 0, except in a v2 link group whose peer
 * announced release &ge; 1 (v2.1) in its first-contact extension: then both carry the negotiated
 * values. Linux never reads either field on receipt.
 *
 * <pre>
 * 0  hdr            4
 * 4  sender_mac     6
 * 10 sender_gid     16
 * 26 sender_qp_num  3 (big-endian)
 * 29 link_num       1
 * 30 link_uid       4
 * 34 max_links      1
 * 35 max_conns      1
 * 36 reserved       8
 * </pre>
 */
public record ConfirmLink(LlcHeader header, MacAddress senderMac, Gid senderGid, Qpn senderQpNum, int linkNum,
                          int linkUid, int maxLinks, int maxConns, Octets reserved) implements LlcMessage {
    public static final int SIZE = 44;

    public ConfirmLink {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(senderMac, "senderMac");
        Objects.requireNonNull(senderGid, "senderGid");
        Objects.requireNonNull(senderQpNum, "senderQpNum");
        Util.u8(linkNum, "link_num");
        Util.u8(maxLinks, "max_links");
        Util.u8(maxConns, "max_conns");
        Octets.require(reserved, 8, "reserved");
        Util.checkTotal(header, SIZE + header.trailer().length(), "CONFIRM LINK");
    }

    /** A request or response as {@code smc_llc_send_confirm_link()} builds it (flags 0x03, +0x80). */
    public static ConfirmLink of(LlcFraming framing, boolean response, MacAddress mac, Gid gid, Qpn qpn,
                                 int linkNum, int linkUid, int maxLinks, int maxConns) {
        int flags = LlcFlags.NO_RMBE_EYEC | (response ? LlcFlags.RESP : 0);
        return new ConfirmLink(LlcHeader.of(framing, flags), mac, gid, qpn, linkNum, linkUid, maxLinks, maxConns,
                Octets.zeros(8));
    }

    @Override
    public LlcType type() {
        return LlcType.CONFIRM_LINK;
    }

    /** True when any {@code SMC_LLC_FLAG_NO_RMBE_EYEC} bit is set (the kernel tests {@code flags & 0x03}). */
    public boolean noRmbeEyecatcher() {
        return (header.flags() & LlcFlags.NO_RMBE_EYEC) != 0;
    }

    @Override
    public ConfirmLink withHeader(LlcHeader h) {
        return new ConfirmLink(h, senderMac, senderGid, senderQpNum, linkNum, linkUid, maxLinks, maxConns, reserved);
    }

    @Override
    public int encodedLength() {
        return SIZE + header.trailer().length();
    }

    @Override
    public Fields describe() {
        Fields f = Util.header(this);
        f.add("sender_mac", senderMac.toString(), 4);
        f.add("sender_gid", senderGid.toString(), 10);
        f.add("sender_qp_num", senderQpNum.value(), 26);
        f.add("link_num", linkNum, 29);
        f.add("link_uid", Integer.toUnsignedLong(linkUid), 30, Util.hex32(Integer.toUnsignedLong(linkUid)));
        f.add("max_links", maxLinks, 34);
        f.add("max_conns", maxConns, 35, maxConns == 0 ? "0: not negotiated (SMC v2.0 or v1)" : null);
        f.add("reserved", reserved.hex(), 36);
        Util.trailer(f, this, "trailer");
        return f;
    }
}
