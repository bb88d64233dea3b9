package io.smcj.clc;

import io.netty.buffer.ByteBuf;
import io.smcj.protocol.Fields;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.OsType;
import io.smcj.protocol.PeerId;
import io.smcj.protocol.QpMtu;
import io.smcj.protocol.SmcType;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static io.smcj.clc.ClcConstants.EID_LENGTH;
import static io.smcj.clc.ClcConstants.FCE_LENGTH;
import static io.smcj.clc.ClcConstants.FCE_V2X_LENGTH;
import static io.smcj.clc.ClcConstants.GID_EXT_FIXED_LENGTH;
import static io.smcj.clc.ClcConstants.HOSTNAME_LENGTH;
import static io.smcj.clc.ClcConstants.SMCR_ACCEPT_CONFIRM_LEN;
import static io.smcj.clc.ClcConstants.SMCR_ACCEPT_CONFIRM_LEN_V2;
import static io.smcj.clc.ClcConstants.TRAILER_LENGTH;
import static io.smcj.clc.ClcErrors.eproto;

/**
 * CLC Accept (server to client) or Confirm (client to server) for SMC-R
 * ({@code struct smc_clc_msg_accept_confirm}, {@code r0}/{@code r1}):
 *
 * <pre>
 *   0 header (typev1 = 0 SMC-R; first-contact bit 0x08 of byte 7)
 *   8 id_for_peer (8)   16 gid (16)   32 mac (6)   38 qpn (u24)   41 rmb_rkey (u32)
 *  45 rmbe_idx (u8)     46 rmbe_alert_token (u32)  50 rmbe_size:4 | qp_mtu:4
 *  51 reserved          52 rmb_dma_addr (u64)      60 reserved2   61 psn (u24)
 *  64 v1: trailer (length 68)
 *  64 v2: eid (32)      96 reserved6 (8)
 * 104 v2 + first contact: first-contact extension (52 bytes from Linux SMC-R)
 * 156 v2 + first contact + Confirm: GID list extension (4 + 16 * gid_cnt)
 * len-4 trailer
 * </pre>
 *
 * <p>Validity is {@code smc_clc_msg_acc_conf_valid}: v1 length exactly 68, v2 length at least 108.
 * The kernel reads the first-contact extension without checking the length; smcj requires the 36
 * base bytes of it (and reads the v2.1 part when 52 bytes are there) and a GID list that fits. Any
 * bytes behind the last parsed part are kept in {@link #extra()}.
 *
 * @param rmbeSize compressed RMBE size (4 bits, bytes = 16 KiB &lt;&lt; n)
 * @param qpMtu    IB MTU enum (4 bits, 1 = 256 .. 5 = 4096)
 * @param eid      v2 only (null for v1): the negotiated EID, 32 bytes as sent
 * @param reserved6 v2 only: the 8 reserved bytes after the EID
 * @param fce      v2 with first contact: the first-contact extension, else null
 * @param gidList  v2 Confirm with first contact and a full FCE: the GID list, else null
 * @param extra    bytes between the last parsed part and the trailer (empty from Linux)
 * @param trailer  the trailer bytes (kept raw: the kernel does not check it on a long Accept)
 */
public record ClcAcceptConfirm(ClcHeader header, PeerId peerId, Gid gid, MacAddress mac, int qpn, int rmbRkey,
                               int rmbeIdx, int rmbeAlertToken, int rmbeSize, int qpMtu, int reserved, long rmbDmaAddr,
                               int reserved2, int psn, RawBytes eid, RawBytes reserved6, FirstContactExt fce,
                               GidListExt gidList, RawBytes extra, RawBytes trailer) implements ClcMessage {

    /**
     * The first-contact extension ({@code struct smc_clc_first_contact_ext} and, 52 bytes,
     * {@code smc_clc_first_contact_ext_v2x}).
     *
     * @param byte0    v2_direct (0x80) and 7 reserved bits, as sent
     * @param byte1    os_type (high nibble) and release (low nibble)
     * @param reserved2 two reserved bytes as a u16
     * @param hostname 32 bytes, blank padded
     * @param v2x      the v2.1 part (max_conns ...) when the extension is 52 bytes, else null
     */
    public record FirstContactExt(int byte0, int byte1, int reserved2, RawBytes hostname, V2x v2x) {
        public FirstContactExt {
            if (byte0 < 0 || byte0 > 0xFF || byte1 < 0 || byte1 > 0xFF || reserved2 < 0 || reserved2 > 0xFFFF) {
                throw new IllegalArgumentException("byte fields out of range");
            }
            if (hostname.length() != HOSTNAME_LENGTH) {
                throw new IllegalArgumentException("hostname is 32 bytes");
            }
        }

        /** What {@code smc_clc_fill_fce_v2x} writes for SMC-R. */
        public static FirstContactExt linux(boolean v2Direct, int release, String hostname, int maxConns, int maxLinks,
                                            int featureMask) {
            return new FirstContactExt(v2Direct ? 0x80 : 0, OsType.LINUX.wire() << 4 | (release & 0xF), 0,
                    RawBytes.blankPadded(hostname, HOSTNAME_LENGTH),
                    new V2x(maxConns, maxLinks, featureMask, 0, RawBytes.zeros(8)));
        }

        public boolean v2Direct() {
            return (byte0 & 0x80) != 0;
        }

        public int osType() {
            return byte1 >>> 4;
        }

        public int release() {
            return byte1 & 0xF;
        }

        public String hostnameText() {
            String t = hostname.asciiText();
            return t != null ? t : hostname.hex();
        }

        public int wireLength() {
            return v2x == null ? FCE_LENGTH : FCE_V2X_LENGTH;
        }

        static FirstContactExt read(ByteBuf m, int off, boolean withV2x) {
            V2x x = withV2x ? new V2x(m.getUnsignedByte(off + 36), m.getUnsignedByte(off + 37),
                    m.getUnsignedShort(off + 38), m.getInt(off + 40), RawBytes.read(m, off + 44, 8)) : null;
            return new FirstContactExt(m.getUnsignedByte(off), m.getUnsignedByte(off + 1), m.getUnsignedShort(off + 2),
                    RawBytes.read(m, off + 4, HOSTNAME_LENGTH), x);
        }

        void write(ByteBuf out) {
            out.writeByte(byte0);
            out.writeByte(byte1);
            out.writeShort(reserved2);
            hostname.write(out);
            if (v2x != null) {
                out.writeByte(v2x.maxConns());
                out.writeByte(v2x.maxLinks());
                out.writeShort(v2x.featureMask());
                out.writeInt(v2x.vendorExpOptions());
                v2x.reserved4().write(out);
            }
        }

        Fields describe(int off) {
            Fields f = new Fields();
            f.add("v2_direct", v2Direct(), off, v2Direct() ? "peer reachable without gateway" : "indirect (via gateway)");
            f.addHex("reserved", byte0 & 0x7F, off, null);
            OsType os = OsType.ofWire(osType());
            f.add("os_type", osType(), off + 1, os == null ? "unknown" : os.name());
            f.add("release", release(), off + 1, ClcProposal.releaseName(release()));
            f.addHex("reserved2", reserved2, off + 2, null);
            f.add("hostname", hostnameText(), off + 4);
            if (v2x != null) {
                f.add("max_conns", v2x.maxConns(), off + 36);
                f.add("max_links", v2x.maxLinks(), off + 37);
                f.addHex("feature_mask", v2x.featureMask(), off + 38, ClcProposal.featureMaskNote(v2x.featureMask()));
                f.addHex("vendor_exp_options", Integer.toUnsignedLong(v2x.vendorExpOptions()), off + 40, null);
                f.add("reserved4", v2x.reserved4().hex(), off + 44);
            }
            return f;
        }
    }

    /** The v2.1 tail of the first-contact extension ({@code smc_clc_first_contact_ext_v2x}). */
    public record V2x(int maxConns, int maxLinks, int featureMask, int vendorExpOptions, RawBytes reserved4) {
        public V2x {
            if (maxConns < 0 || maxConns > 0xFF || maxLinks < 0 || maxLinks > 0xFF || featureMask < 0
                    || featureMask > 0xFFFF || reserved4.length() != 8) {
                throw new IllegalArgumentException("v2x fields out of range");
            }
        }
    }

    /** The GID list extension of a first-contact v2 Confirm ({@code struct smc_clc_fce_gid_ext}). */
    public record GidListExt(RawBytes reserved, List<Gid> gids) {
        public GidListExt {
            gids = List.copyOf(gids);
            if (reserved.length() != 3 || gids.size() > 0xFF) {
                throw new IllegalArgumentException("reserved[3], at most 255 GIDs");
            }
        }

        public static GidListExt of(List<Gid> gids) {
            return new GidListExt(RawBytes.zeros(3), gids);
        }

        public int wireLength() {
            return GID_EXT_FIXED_LENGTH + Gid.LENGTH * gids.size();
        }

        void write(ByteBuf out) {
            out.writeByte(gids.size());
            reserved.write(out);
            for (Gid g : gids) {
                out.writeBytes(g.bytes());
            }
        }

        Fields describe(int off) {
            Fields f = new Fields().add("gid_cnt", gids.size(), off).add("reserved2", reserved.hex(), off + 1);
            List<Object> l = new ArrayList<>();
            for (Gid g : gids) {
                l.add(g.toString());
            }
            return f.add("gid", l, off + 4);
        }
    }

    public ClcAcceptConfirm {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(extra, "extra");
        Objects.requireNonNull(trailer, "trailer");
        if (header.type() != ClcType.ACCEPT && header.type() != ClcType.CONFIRM) {
            throw new IllegalArgumentException("header type must be ACCEPT or CONFIRM");
        }
        if (header.typev1() != SmcType.R.wire()) {
            throw new IllegalArgumentException("SMC-R Accept/Confirm has typev1 = 0; SMC-D is ClcSmcdAcceptConfirm");
        }
        check24(qpn, "qpn");
        check24(psn, "psn");
        if (rmbeIdx < 0 || rmbeIdx > 0xFF || reserved < 0 || reserved > 0xFF || reserved2 < 0 || reserved2 > 0xFF) {
            throw new IllegalArgumentException("u8 field out of range");
        }
        if (rmbeSize < 0 || rmbeSize > 15 || qpMtu < 0 || qpMtu > 15) {
            throw new IllegalArgumentException("rmbe_size and qp_mtu are 4 bits");
        }
        if (trailer.length() != TRAILER_LENGTH) {
            throw new IllegalArgumentException("trailer is 4 bytes");
        }
        if (!header.isV2()) {
            if (eid != null || reserved6 != null || fce != null || gidList != null || extra.length() != 0) {
                throw new IllegalArgumentException("a v1 Accept/Confirm has no v2 parts");
            }
        } else {
            if (eid == null || eid.length() != EID_LENGTH || reserved6 == null || reserved6.length() != 8) {
                throw new IllegalArgumentException("a v2 Accept/Confirm has eid[32] and reserved6[8]");
            }
            if ((fce != null) != header.firstContact()) {
                throw new IllegalArgumentException("v2: first-contact extension present iff the first-contact bit is set");
            }
            if (gidList != null && (header.type() != ClcType.CONFIRM || fce.v2x() == null)) {
                throw new IllegalArgumentException("a GID list follows only a full first-contact extension in a Confirm");
            }
            if (fce != null && header.type() == ClcType.CONFIRM && fce.v2x() != null && gidList == null
                    && extra.length() >= GID_EXT_FIXED_LENGTH) {
                throw new IllegalArgumentException("bytes behind a Confirm's first-contact extension are its GID list");
            }
            if (fce != null && fce.v2x() == null && extra.length() >= FCE_V2X_LENGTH - FCE_LENGTH) {
                throw new IllegalArgumentException("a first-contact extension with 16 more bytes has its v2x part");
            }
        }
        int len = wireLength(header, fce, gidList, extra);
        if (header.length() != len) {
            throw new IllegalArgumentException("header length " + header.length() + " but the parts add up to " + len);
        }
    }

    private static void check24(int v, String what) {
        if (v < 0 || v > 0xFFFFFF) {
            throw new IllegalArgumentException(what + " is 24 bits");
        }
    }

    private static int wireLength(ClcHeader h, FirstContactExt fce, GidListExt gl, RawBytes extra) {
        if (!h.isV2()) {
            return SMCR_ACCEPT_CONFIRM_LEN;
        }
        return SMCR_ACCEPT_CONFIRM_LEN_V2 + (fce == null ? 0 : fce.wireLength()) + (gl == null ? 0 : gl.wireLength())
                + extra.length();
    }

    /** The link and buffer fields common to v1 and v2 (what {@code smcr_clc_prep_confirm_accept} fills). */
    public record Link(PeerId peerId, Gid gid, MacAddress mac, int qpn, int rmbRkey, int rmbeIdx, int rmbeAlertToken,
                       int rmbeSize, int qpMtu, long rmbDmaAddr, int psn) {
    }

    /** A v1 (68-byte) Accept or Confirm. */
    public static ClcAcceptConfirm v1(ClcType type, boolean firstContact, Link l) {
        ClcHeader h = new ClcHeader(Eyecatcher.SMCR, type, SMCR_ACCEPT_CONFIRM_LEN, 1,
                firstContact ? ClcHeader.FIRST_CONTACT_MASK : 0, SmcType.R.wire());
        return new ClcAcceptConfirm(h, l.peerId(), l.gid(), l.mac(), l.qpn(), l.rmbRkey(), l.rmbeIdx(),
                l.rmbeAlertToken(), l.rmbeSize(), l.qpMtu(), 0, l.rmbDmaAddr(), 0, l.psn(), null, null, null, null,
                RawBytes.zeros(0), RawBytes.of(intBytes(Eyecatcher.SMCR.value())));
    }

    /**
     * A v2 Accept or Confirm as Linux builds it: 108 bytes, plus the first-contact extension when
     * {@code fce} is given, plus the GID list for a Confirm when {@code gids} is given.
     */
    public static ClcAcceptConfirm v2(ClcType type, Link l, String eid, FirstContactExt fce, List<Gid> gids) {
        GidListExt gl = gids == null ? null : GidListExt.of(gids);
        RawBytes none = RawBytes.zeros(0);
        ClcHeader h0 = new ClcHeader(Eyecatcher.SMCR, type, 8, 2, fce != null ? ClcHeader.FIRST_CONTACT_MASK : 0,
                SmcType.R.wire());
        ClcHeader h = h0.withLength(wireLength(h0, fce, gl, none));
        RawBytes e = eid == null || eid.isEmpty() ? RawBytes.zeros(EID_LENGTH) : RawBytes.blankPadded(eid, EID_LENGTH);
        return new ClcAcceptConfirm(h, l.peerId(), l.gid(), l.mac(), l.qpn(), l.rmbRkey(), l.rmbeIdx(),
                l.rmbeAlertToken(), l.rmbeSize(), l.qpMtu(), 0, l.rmbDmaAddr(), 0, l.psn(), e, RawBytes.zeros(8), fce,
                gl, none, RawBytes.of(intBytes(Eyecatcher.SMCR.value())));
    }

    static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    public boolean firstContact() {
        return header.firstContact();
    }

    /** RMBE size in bytes ({@code smc_uncompress_bufsize}). */
    public long rmbeSizeBytes() {
        return 16384L << rmbeSize;
    }

    /** The MTU in bytes, or -1 for values outside the IB enum. */
    public int qpMtuBytes() {
        QpMtu m = QpMtu.ofWire(qpMtu);
        return m == null ? -1 : m.bytes();
    }

    public Link link() {
        return new Link(peerId, gid, mac, qpn, rmbRkey, rmbeIdx, rmbeAlertToken, rmbeSize, qpMtu, rmbDmaAddr, psn);
    }

    /** The negotiated EID as text (v2), or null. */
    public String eidText() {
        return eid == null ? null : eid.asciiText();
    }

    static ClcAcceptConfirm decode(ByteBuf m, ClcHeader h) {
        int limit = h.length();
        if (!h.isV2()) {
            if (limit != SMCR_ACCEPT_CONFIRM_LEN) {
                throw eproto(5, "v1 SMC-R " + h.type().messageName() + " length " + limit + " != 68");
            }
        } else if (limit < SMCR_ACCEPT_CONFIRM_LEN_V2) {
            throw eproto(5, "v2 SMC-R " + h.type().messageName() + " length " + limit + " < 108");
        }
        RawBytes trl = RawBytes.read(m, limit - TRAILER_LENGTH, TRAILER_LENGTH);
        if (trailerChecked(h) && Eyecatcher.of(m.getInt(limit - TRAILER_LENGTH)) == null) {
            throw eproto(limit - TRAILER_LENGTH, "trailer " + trl.hex() + " is neither SMCR nor SMCD eyecatcher");
        }
        int b50 = m.getUnsignedByte(50);
        RawBytes eid = null;
        RawBytes res6 = null;
        FirstContactExt fce = null;
        GidListExt gl = null;
        RawBytes extra = RawBytes.zeros(0);
        if (h.isV2()) {
            eid = RawBytes.read(m, 64, EID_LENGTH);
            res6 = RawBytes.read(m, 96, 8);
            int pos = 104;
            int end = limit - TRAILER_LENGTH;
            if (h.firstContact()) {
                // smc_get_clc_first_contact_ext: the kernel reads it at 104 whatever the length
                if (end - pos < FCE_LENGTH) {
                    throw eproto(5, "first-contact bit set but only " + (end - pos)
                            + " bytes for the 36-byte first-contact extension");
                }
                fce = FirstContactExt.read(m, pos, end - pos >= FCE_V2X_LENGTH);
                pos += fce.wireLength();
                if (h.type() == ClcType.CONFIRM && fce.v2x() != null && end - pos >= GID_EXT_FIXED_LENGTH) {
                    int cnt = m.getUnsignedByte(pos);
                    if (pos + GID_EXT_FIXED_LENGTH + (long) Gid.LENGTH * cnt > end) {
                        throw eproto(pos, "gid_cnt " + cnt + " overruns the message (" + (end - pos - GID_EXT_FIXED_LENGTH)
                                + " bytes left before the trailer)");
                    }
                    List<Gid> gids = new ArrayList<>(cnt);
                    for (int i = 0; i < cnt; i++) {
                        gids.add(Gid.of(RawBytes.read(m, pos + 4 + Gid.LENGTH * i, Gid.LENGTH).bytes()));
                    }
                    gl = new GidListExt(RawBytes.read(m, pos + 1, 3), gids);
                    pos += gl.wireLength();
                }
            }
            extra = RawBytes.read(m, pos, end - pos);
        }
        return new ClcAcceptConfirm(h, PeerId.of(RawBytes.read(m, 8, 8).bytes()),
                Gid.of(RawBytes.read(m, 16, 16).bytes()), MacAddress.of(RawBytes.read(m, 32, 6).bytes()),
                m.getUnsignedMedium(38), m.getInt(41), m.getUnsignedByte(45), m.getInt(46), b50 >>> 4, b50 & 0xF,
                m.getUnsignedByte(51), m.getLong(52), m.getUnsignedByte(60), m.getUnsignedMedium(61), eid, res6, fce, gl,
                extra, trl);
    }

    /**
     * The kernel checks the trailer only when the message fit its receive buffer: 160 bytes for an
     * Accept ({@code SMC_CLC_MAX_ACCEPT_LEN}), 652 for a Confirm ({@code smc_clc_msg_proposal_area}).
     */
    static boolean trailerChecked(ClcHeader h) {
        int buf = h.type() == ClcType.ACCEPT ? ClcConstants.MAX_ACCEPT_LEN : ClcConstants.PROPOSAL_AREA_LEN;
        return h.length() <= buf;
    }

    void encode(ByteBuf out) {
        header.write(out);
        out.writeBytes(peerId.bytes());
        out.writeBytes(gid.bytes());
        out.writeBytes(mac.bytes());
        out.writeMedium(qpn);
        out.writeInt(rmbRkey);
        out.writeByte(rmbeIdx);
        out.writeInt(rmbeAlertToken);
        out.writeByte(rmbeSize << 4 | qpMtu);
        out.writeByte(reserved);
        out.writeLong(rmbDmaAddr);
        out.writeByte(reserved2);
        out.writeMedium(psn);
        if (header.isV2()) {
            eid.write(out);
            reserved6.write(out);
            if (fce != null) {
                fce.write(out);
            }
            if (gidList != null) {
                gidList.write(out);
            }
            extra.write(out);
        }
        trailer.write(out);
    }

    @Override
    public Fields describe() {
        Fields f = header.describe();
        f.add("first_contact", firstContact(), 7);
        f.add("id_for_peer", peerId, 8, ClcHeader.peerIdHex(peerId));
        f.add("gid", gid, 16);
        f.add("mac", mac, 32);
        f.add("qpn", qpn, 38);
        f.addHex("rmb_rkey", Integer.toUnsignedLong(rmbRkey), 41, null);
        f.add("rmbe_idx", rmbeIdx, 45);
        f.add("rmbe_alert_token", Integer.toUnsignedLong(rmbeAlertToken), 46);
        f.add("rmbe_size", rmbeSize, 50, rmbeSizeBytes() + " bytes");
        int mtu = qpMtuBytes();
        f.add("qp_mtu", qpMtu, 50, mtu < 0 ? "not an IB MTU" : mtu + " bytes");
        f.addHex("reserved", reserved, 51, null);
        f.add("rmb_dma_addr", String.format("0x%016x", rmbDmaAddr), 52, "u64, as hex text");
        f.addHex("reserved2", reserved2, 60, null);
        f.add("psn", psn, 61);
        int pos = 64;
        if (header.isV2()) {
            String t = eid.asciiText();
            f.add("eid", t != null ? t : eid.hex(), 64);
            f.add("reserved6", reserved6.hex(), 96);
            pos = 104;
            if (fce != null) {
                f.add("first_contact_ext", fce.describe(pos), pos);
                pos += fce.wireLength();
            }
            if (gidList != null) {
                f.add("gid_list", gidList.describe(pos), pos);
                pos += gidList.wireLength();
            }
            if (extra.length() > 0) {
                f.add("extra", extra.hex(), pos, "bytes behind the known extensions");
            }
        }
        Eyecatcher e = Eyecatcher.of(trailerInt());
        f.add("trailer", e != null ? e.name() : trailer.hex(), header.length() - TRAILER_LENGTH,
                e != null ? null : "not an eyecatcher (unchecked: message longer than the kernel's buffer)");
        return f;
    }

    private int trailerInt() {
        return trailer.byteAt(0) << 24 | trailer.byteAt(1) << 16 | trailer.byteAt(2) << 8 | trailer.byteAt(3);
    }
}
