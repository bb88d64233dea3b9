package io.smcj.llc;

import io.smcj.protocol.Fields;

import java.util.Objects;

/**
 * DELETE LINK (0x04 / v2 0x24), packed {@code struct smc_llc_msg_del_link}:
 *
 * <pre>
 * 0  hdr (flags 0x80 RESP, 0x40 DEL_LINK_ALL, 0x20 DEL_LINK_ORDERLY)
 * 4  link_num  1 (0 with DEL_LINK_ALL)
 * 5  reason    4 (big-endian, unaligned; {@link LlcDeleteReason})
 * 9  reserved  35
 * </pre>
 *
 * @param reason the u32 reason code (0..0xffffffff)
 */
public record DeleteLink(LlcHeader header, int linkNum, long reason, Octets reserved) implements LlcMessage {
    public static final int SIZE = 44;

    public DeleteLink {
        Objects.requireNonNull(header, "header");
        Util.u8(linkNum, "link_num");
        Util.u32(reason, "reason");
        Octets.require(reserved, 35, "reserved");
        Util.checkTotal(header, SIZE + header.trailer().length(), "DELETE LINK");
    }

    /**
     * As {@code smc_llc_send_delete_link()} builds it: link id 0 means the whole link group
     * (DEL_LINK_ALL).
     */
    public static DeleteLink of(LlcFraming framing, boolean response, boolean orderly, int linkDelId, long reason) {
        int flags = (response ? LlcFlags.RESP : 0) | (orderly ? LlcFlags.DEL_LINK_ORDERLY : 0)
                | (linkDelId == 0 ? LlcFlags.DEL_LINK_ALL : 0);
        return new DeleteLink(LlcHeader.of(framing, flags), linkDelId, reason, Octets.zeros(35));
    }

    @Override
    public LlcType type() {
        return LlcType.DELETE_LINK;
    }

    public boolean all() {
        return (header.flags() & LlcFlags.DEL_LINK_ALL) != 0;
    }

    public boolean orderly() {
        return (header.flags() & LlcFlags.DEL_LINK_ORDERLY) != 0;
    }

    /** The named reason or null. */
    public LlcDeleteReason reasonCode() {
        return LlcDeleteReason.of(reason);
    }

    @Override
    public DeleteLink withHeader(LlcHeader h) {
        return new DeleteLink(h, linkNum, reason, reserved);
    }

    @Override
    public int encodedLength() {
        return SIZE + header.trailer().length();
    }

    @Override
    public Fields describe() {
        Fields f = Util.header(this);
        f.add("link_num", linkNum, 4, all() && linkNum == 0 ? "all links" : null);
        f.addHex("reason", reason, 5, LlcDeleteReason.describe(reason));
        f.add("reserved", reserved.hex(), 9);
        Util.trailer(f, this, "trailer");
        return f;
    }
}
