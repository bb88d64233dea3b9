package io.smcj.llc;

import io.smcj.protocol.Fields;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.Psn;
import io.smcj.protocol.QpMtu;
import io.smcj.protocol.Qpn;

import java.util.Objects;

/**
 * ADD LINK (0x02 / v2 0x22), {@code struct smc_llc_msg_add_link}, optionally followed (v2 only)
 * by an {@link AddLinkV2Ext} with the rkey pairs of every RMB:
 *
 * <pre>
 * 0  hdr (v1 byte 2 low nibble: add_link_rej_rsn; flags 0x80 RESP, 0x40 ADD_LNK_REJ)
 * 4  sender_mac     6
 * 10 reserved2      2
 * 12 sender_gid     16
 * 28 sender_qp_num  3
 * 31 link_num       1
 * 32 bits 3-0 qp_mtu (enum ib_mtu), bits 7-4 reserved3
 * 33 initial_psn    3
 * 36 reserved       8
 * 44 v2 extension (when length_v2 >= 72)
 * </pre>
 *
 * A v2 reject is the received request echoed as a 44-byte message with flags 0xc0: Linux sets
 * the reject reason nibble and then overwrites byte 2 with {@code length_v2}, so a v2 reject carries
 * no reason. Decoding: a v2 message of 44..71 bytes has no extension (the rest is the trailer);
 * from 72 bytes on the extension is decoded with min(num_rkeys, room) pairs.
 *
 * @param qpMtu     raw 4-bit {@code qp_mtu} (1..5 valid; 0 makes a Linux client reject)
 * @param reserved3 the high nibble of byte 32
 * @param v2Ext     the v2 extension or null
 */
public record AddLink(LlcHeader header, MacAddress senderMac, Octets reserved2, Gid senderGid, Qpn senderQpNum,
                      int linkNum, int qpMtu, int reserved3, Psn initialPsn, Octets reserved, AddLinkV2Ext v2Ext)
        implements LlcMessage {
    public static final int SIZE = 44;

    public AddLink {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(senderMac, "senderMac");
        Octets.require(reserved2, 2, "reserved2");
        Objects.requireNonNull(senderGid, "senderGid");
        Objects.requireNonNull(senderQpNum, "senderQpNum");
        Util.u8(linkNum, "link_num");
        if (qpMtu < 0 || qpMtu > 15 || reserved3 < 0 || reserved3 > 15) {
            throw new IllegalArgumentException("qp_mtu and reserved3 are nibbles");
        }
        Objects.requireNonNull(initialPsn, "initialPsn");
        Octets.require(reserved, 8, "reserved");
        int tr = header.trailer().length();
        if (v2Ext != null) {
            if (!header.framing().isV2()) {
                throw new IllegalArgumentException("the ADD LINK extension exists in v2 framing only");
            }
            if (v2Ext.rkeys().size() < v2Ext.numRkeys() && tr >= RkeyPair.SIZE) {
                throw new IllegalArgumentException("a trailer of 16+ bytes would decode as another rkey pair");
            }
        } else if (header.framing().isV2() && tr >= AddLinkV2Ext.SIZE) {
            throw new IllegalArgumentException("a trailer of 28+ bytes would decode as the v2 extension");
        }
        Util.checkTotal(header, SIZE + (v2Ext == null ? 0 : v2Ext.encodedLength()) + tr, "ADD LINK");
    }

    /** A request or response as {@code smc_llc_send_add_link()} builds it. */
    public static AddLink of(LlcFraming framing, boolean response, MacAddress mac, Gid gid, Qpn qpn, int linkNum,
                             QpMtu mtu, Psn psn, AddLinkV2Ext ext) {
        return new AddLink(LlcHeader.of(framing, response ? LlcFlags.RESP : 0), mac, Octets.zeros(2), gid, qpn,
                linkNum, mtu.wire(), 0, psn, Octets.zeros(8), ext);
    }

    /**
     * The reject Linux answers with ({@code smc_llc_cli_add_link_reject()}): the request echoed with
     * RESP|ADD_LNK_REJ, reason NO_ALT_PATH in v1 (lost in v2), 44 bytes, no extension.
     */
    public AddLink reject() {
        LlcFraming fr = header.framing();
        int byte2 = fr.isV2() ? 0 : (header.v1Byte2() & 0xf0) | LlcFlags.REJ_RSN_NO_ALT_PATH;
        LlcHeader h = new LlcHeader(fr, header.flags() | LlcFlags.RESP | LlcFlags.ADD_LNK_REJ, byte2, Octets.EMPTY);
        return new AddLink(h, senderMac, reserved2, senderGid, senderQpNum, linkNum, qpMtu, reserved3, initialPsn,
                reserved, null);
    }

    @Override
    public LlcType type() {
        return LlcType.ADD_LINK;
    }

    public boolean rejected() {
        return (header.flags() & LlcFlags.ADD_LNK_REJ) != 0;
    }

    /** v1 {@code add_link_rej_rsn}; 0 in v2. */
    public int rejectReason() {
        return header.addLinkRejectReason();
    }

    /** The MTU, or null when {@code qp_mtu} is not 1..5. */
    public QpMtu mtu() {
        return QpMtu.ofWire(qpMtu);
    }

    @Override
    public AddLink withHeader(LlcHeader h) {
        return new AddLink(h, senderMac, reserved2, senderGid, senderQpNum, linkNum, qpMtu, reserved3, initialPsn,
                reserved, v2Ext);
    }

    @Override
    public int encodedLength() {
        return SIZE + (v2Ext == null ? 0 : v2Ext.encodedLength()) + header.trailer().length();
    }

    @Override
    public Fields describe() {
        Fields f = Util.header(this);
        f.add("sender_mac", senderMac.toString(), 4);
        f.add("reserved2", reserved2.hex(), 10);
        f.add("sender_gid", senderGid.toString(), 12);
        f.add("sender_qp_num", senderQpNum.value(), 28);
        f.add("link_num", linkNum, 31);
        QpMtu m = mtu();
        f.add("qp_mtu", qpMtu, 32, m == null ? "invalid (Linux rejects qp_mtu 0)" : m.bytes() + " bytes");
        f.add("reserved3", reserved3, 32);
        f.add("initial_psn", initialPsn.value(), 33);
        f.add("reserved", reserved.hex(), 36);
        if (v2Ext != null) {
            f.add("v2_ext", v2Ext.describe(SIZE), SIZE);
        }
        Util.trailer(f, this, "trailer");
        return f;
    }
}
