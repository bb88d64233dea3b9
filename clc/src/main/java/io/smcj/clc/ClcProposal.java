package io.smcj.clc;

import io.netty.buffer.ByteBuf;
import io.smcj.protocol.Fields;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import io.smcj.protocol.SmcType;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static io.smcj.clc.ClcConstants.EID_LENGTH;
import static io.smcj.clc.ClcConstants.GID_CHID_LENGTH;
import static io.smcj.clc.ClcConstants.IPV6_PREFIX_LENGTH;
import static io.smcj.clc.ClcConstants.MAX_IPAREA_OFFSET;
import static io.smcj.clc.ClcConstants.MAX_SMCD_V2_EXT_OFFSET;
import static io.smcj.clc.ClcConstants.MAX_UEID;
import static io.smcj.clc.ClcConstants.MAX_V2_EXT_OFFSET;
import static io.smcj.clc.ClcConstants.MAX_V2_GID_ENTRIES;
import static io.smcj.clc.ClcConstants.MAX_V6_PREFIX;
import static io.smcj.clc.ClcConstants.PREFIX_AREA_LENGTH;
import static io.smcj.clc.ClcConstants.PROPOSAL_BASE_LENGTH;
import static io.smcj.clc.ClcConstants.SMCD_AREA_LENGTH;
import static io.smcj.clc.ClcConstants.SMCD_V2_EXT_FIXED_LENGTH;
import static io.smcj.clc.ClcConstants.TRAILER_LENGTH;
import static io.smcj.clc.ClcConstants.V2_EXT_FIXED_LENGTH;
import static io.smcj.clc.ClcErrors.eproto;
import static io.smcj.clc.ClcErrors.need;

/**
 * CLC Proposal (client to server), {@code struct smc_clc_msg_proposal} followed by the areas of
 * {@code struct smc_clc_msg_proposal_area}:
 *
 * <pre>
 *   0  header (8)                    version 2 from Linux; typev1/typev2 = types offered
 *   8  id_for_peer (8)  16 gid (16)  32 mac (6)   (filled only when SMC-R v1 is offered)
 *  38  iparea_offset (u16)           distance from offset 40 to the IP prefix area (0..40)
 *  40  SMC-D area (40)               v2: always; v1: when iparea_offset == 40
 *      50 v2_ext_offset (u16)        distance from offset 52 to the v2 extension
 *  40+iparea_offset  IP prefix area (8 + 17 * ipv6_prefixes_cnt)   v1; v2 only if typev1 != none
 *  52+v2_ext_offset  v2 extension (40 + 32 * eid_cnt)              v2, typev2 != none
 *      +6 smcd_v2_ext_offset (u16)   distance from ext+8 to the SMC-Dv2 extension
 *  ...   SMC-Dv2 extension (48 + 10 * ism_gid_cnt)                 v2, typev2 includes SMC-D
 *  len-4 trailer eyecatcher
 * </pre>
 *
 * <p>Validity is {@code smc_clc_msg_prop_valid}: iparea_offset &le; 40, at most 8 IPv6 prefixes,
 * v1: typev1 &ne; none and {@code length == 40 + iparea_offset + 8 + 17n + 4}; v2: a v2 extension
 * wherever typev2 &ne; none (v2_ext_offset 1..172, eid_cnt &le; 8, ism_gid_cnt &le; 8 if SMC-D v2) and
 * the length equals the sum of the areas. smcj additionally requires the areas to lie inside the
 * message without overlapping (the kernel would read overlapping bytes, or zeros behind the
 * message), which for a v2 Proposal means exactly the layout Linux sends.
 *
 * @param ipareaGap v1 only, when iparea_offset is neither 0 nor 40: the bytes between offset 40
 *                  and the prefix area; otherwise empty
 * @param smcd      v2: always; v1: present iff iparea_offset == 40
 * @param prefix    v1: always; v2: present iff typev1 != none
 */
public record ClcProposal(ClcHeader header, PeerId peerId, Gid gid, MacAddress mac, int ipareaOffset,
                          RawBytes ipareaGap, SmcdArea smcd, IpPrefix prefix, V2Extension v2Extension,
                          SmcdV2Extension smcdV2Extension, Eyecatcher trailer) implements ClcMessage {

    /** An IPv6 prefix entry ({@code struct smc_clc_ipv6_prefix}, 17 bytes packed). */
    public record Ipv6Prefix(RawBytes prefix, int prefixLen) {
        public Ipv6Prefix {
            if (prefix.length() != 16 || prefixLen < 0 || prefixLen > 255) {
                throw new IllegalArgumentException("IPv6 prefix is 16 bytes plus a u8 length");
            }
        }

        /** IPv6 text form of the prefix address. */
        public String address() {
            return Gid.of(prefix.bytes()).toString();
        }
    }

    /**
     * The IP prefix area ({@code struct smc_clc_msg_proposal_prefix}) plus its IPv6 prefixes.
     *
     * @param outgoingSubnet IPv4 subnet (address &amp; mask), big-endian in an int
     * @param reserved       the two reserved bytes, as a u16
     */
    public record IpPrefix(int outgoingSubnet, int prefixLen, int reserved, List<Ipv6Prefix> ipv6Prefixes) {
        public IpPrefix {
            ipv6Prefixes = List.copyOf(ipv6Prefixes);
            if (prefixLen < 0 || prefixLen > 255 || reserved < 0 || reserved > 0xFFFF) {
                throw new IllegalArgumentException("prefix_len is a u8, reserved a u16");
            }
            if (ipv6Prefixes.size() > MAX_V6_PREFIX) {
                throw new IllegalArgumentException("at most " + MAX_V6_PREFIX + " IPv6 prefixes");
            }
        }

        public static IpPrefix ipv4(int subnet, int prefixLen) {
            return new IpPrefix(subnet, prefixLen, 0, List.of());
        }

        public int wireLength() {
            return PREFIX_AREA_LENGTH + IPV6_PREFIX_LENGTH * ipv6Prefixes.size();
        }

        public String outgoingSubnetText() {
            return (outgoingSubnet >>> 24) + "." + (outgoingSubnet >>> 16 & 0xff) + "." + (outgoingSubnet >>> 8 & 0xff)
                    + "." + (outgoingSubnet & 0xff);
        }

        static IpPrefix read(ByteBuf m, int off, int limit) {
            need(limit, off, PREFIX_AREA_LENGTH, "IP prefix area");
            int cnt = m.getUnsignedByte(off + 7);
            need(limit, off + PREFIX_AREA_LENGTH, IPV6_PREFIX_LENGTH * cnt, "IPv6 prefix list");
            List<Ipv6Prefix> v6 = new ArrayList<>(cnt);
            for (int i = 0; i < cnt; i++) {
                int p = off + PREFIX_AREA_LENGTH + IPV6_PREFIX_LENGTH * i;
                v6.add(new Ipv6Prefix(RawBytes.read(m, p, 16), m.getUnsignedByte(p + 16)));
            }
            return new IpPrefix(m.getInt(off), m.getUnsignedByte(off + 4), m.getUnsignedShort(off + 5), v6);
        }

        void write(ByteBuf out) {
            out.writeInt(outgoingSubnet);
            out.writeByte(prefixLen);
            out.writeShort(reserved);
            out.writeByte(ipv6Prefixes.size());
            for (Ipv6Prefix p : ipv6Prefixes) {
                p.prefix().write(out);
                out.writeByte(p.prefixLen());
            }
        }

        Fields describe(int off) {
            Fields f = new Fields();
            f.add("outgoing_subnet", outgoingSubnetText(), off);
            f.add("prefix_len", prefixLen, off + 4);
            f.addHex("reserved", reserved, off + 5, null);
            f.add("ipv6_prefixes_cnt", ipv6Prefixes.size(), off + 7);
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < ipv6Prefixes.size(); i++) {
                int p = off + PREFIX_AREA_LENGTH + IPV6_PREFIX_LENGTH * i;
                list.add(new Fields().add("prefix", ipv6Prefixes.get(i).address(), p)
                        .add("prefix_len", ipv6Prefixes.get(i).prefixLen(), p + 16));
            }
            f.add("ipv6_prefixes", list, off + PREFIX_AREA_LENGTH);
            return f;
        }
    }

    /** The SMC-D area ({@code struct smc_clc_msg_smcd}, 40 bytes). */
    public record SmcdArea(long ismGid, int ismChid, int v2ExtOffset, RawBytes vendorOui, RawBytes vendorExpOptions,
                           RawBytes reserved) {
        public SmcdArea {
            if (ismChid < 0 || ismChid > 0xFFFF || v2ExtOffset < 0 || v2ExtOffset > 0xFFFF) {
                throw new IllegalArgumentException("ism chid and v2_ext_offset are u16");
            }
            if (vendorOui.length() != 3 || vendorExpOptions.length() != 5 || reserved.length() != 20) {
                throw new IllegalArgumentException("vendor_oui[3], vendor_exp_options[5], reserved[20]");
            }
        }

        /** All zero except v2_ext_offset, as Linux sends it when SMC-D v1 is not offered. */
        public static SmcdArea empty(int v2ExtOffset) {
            return new SmcdArea(0, 0, v2ExtOffset, RawBytes.zeros(3), RawBytes.zeros(5), RawBytes.zeros(20));
        }

        public SmcdArea withV2ExtOffset(int off) {
            return new SmcdArea(ismGid, ismChid, off, vendorOui, vendorExpOptions, reserved);
        }

        static SmcdArea read(ByteBuf m, int off) {
            return new SmcdArea(m.getLong(off), m.getUnsignedShort(off + 8), m.getUnsignedShort(off + 10),
                    RawBytes.read(m, off + 12, 3), RawBytes.read(m, off + 15, 5), RawBytes.read(m, off + 20, 20));
        }

        void write(ByteBuf out) {
            out.writeLong(ismGid);
            out.writeShort(ismChid);
            out.writeShort(v2ExtOffset);
            vendorOui.write(out);
            vendorExpOptions.write(out);
            reserved.write(out);
        }

        Fields describe(int off) {
            return new Fields()
                    .add("ism_gid", String.format("0x%016x", ismGid), off)
                    .addHex("ism_chid", ismChid, off + 8, null)
                    .add("v2_ext_offset", v2ExtOffset, off + 10,
                            v2ExtOffset == 0 ? "no v2 extension" : "v2 extension at offset " + (off + 12 + v2ExtOffset))
                    .add("vendor_oui", vendorOui.hex(), off + 12)
                    .add("vendor_exp_options", vendorExpOptions.hex(), off + 15)
                    .add("reserved", reserved.hex(), off + 20);
        }
    }

    /**
     * The v2 extension ({@code struct smc_clc_v2_extension}: {@code smc_clnt_opts_area_hdr}, RoCEv2
     * GID, v2.1 fields, user EIDs).
     *
     * @param ismGidCnt  the ism_gid_cnt byte (number of SMC-Dv2 GID/CHID entries)
     * @param flag       the flag byte: bits 7-4 release, bits 3-1 reserved, bit 0 seid
     * @param reserved2  the two reserved bytes as a u16
     * @param userEids   32-byte EIDs as sent (blank padded)
     */
    public record V2Extension(int ismGidCnt, int reserved1, int flag, int reserved2, int smcdV2ExtOffset, Gid roce,
                              int maxConns, int maxLinks, int featureMask, RawBytes reserved, List<RawBytes> userEids) {
        public V2Extension {
            userEids = List.copyOf(userEids);
            Objects.requireNonNull(roce, "roce");
            for (int v : new int[] {ismGidCnt, reserved1, flag, maxConns, maxLinks}) {
                if (v < 0 || v > 0xFF) {
                    throw new IllegalArgumentException("u8 field out of range: " + v);
                }
            }
            for (int v : new int[] {reserved2, smcdV2ExtOffset, featureMask}) {
                if (v < 0 || v > 0xFFFF) {
                    throw new IllegalArgumentException("u16 field out of range: " + v);
                }
            }
            if (reserved.length() != 12) {
                throw new IllegalArgumentException("reserved[12]");
            }
            if (userEids.size() > MAX_UEID) {
                throw new IllegalArgumentException("at most " + MAX_UEID + " user EIDs");
            }
            for (RawBytes e : userEids) {
                if (e.length() != EID_LENGTH) {
                    throw new IllegalArgumentException("EIDs are 32 bytes");
                }
            }
        }

        /** What Linux 6.x sends for SMC-R v2 only: release, no SEID, max_conns/max_links, feature mask. */
        public static V2Extension smcr(int release, Gid roce, int maxConns, int maxLinks, int featureMask,
                                       List<String> userEids) {
            return new V2Extension(0, 0, (release & 0xF) << 4, 0, 0, roce, maxConns, maxLinks, featureMask,
                    RawBytes.zeros(12), userEids.stream().map(e -> RawBytes.blankPadded(e, EID_LENGTH)).toList());
        }

        public int eidCnt() {
            return userEids.size();
        }

        /** {@code flag.release}: 0 = v2.0, 1 = v2.1. */
        public int release() {
            return flag >>> 4;
        }

        /** {@code flag.seid}: a system EID is offered (in the SMC-Dv2 extension). */
        public boolean seid() {
            return (flag & 1) != 0;
        }

        /** The user EIDs as text (trailing blanks stripped); hex for non-printable ones. */
        public List<String> eidTexts() {
            return userEids.stream().map(e -> e.asciiText() != null ? e.asciiText() : e.hex()).toList();
        }

        public int wireLength() {
            return V2_EXT_FIXED_LENGTH + EID_LENGTH * userEids.size();
        }

        public V2Extension withSmcdV2ExtOffset(int off) {
            return new V2Extension(ismGidCnt, reserved1, flag, reserved2, off, roce, maxConns, maxLinks, featureMask,
                    reserved, userEids);
        }

        static V2Extension read(ByteBuf m, int off, int limit) {
            need(limit, off, V2_EXT_FIXED_LENGTH, "v2 extension");
            int eidCnt = m.getUnsignedByte(off);
            need(limit, off + V2_EXT_FIXED_LENGTH, EID_LENGTH * eidCnt, "user EID list");
            List<RawBytes> eids = new ArrayList<>(eidCnt);
            for (int i = 0; i < eidCnt; i++) {
                eids.add(RawBytes.read(m, off + V2_EXT_FIXED_LENGTH + EID_LENGTH * i, EID_LENGTH));
            }
            return new V2Extension(m.getUnsignedByte(off + 1), m.getUnsignedByte(off + 2), m.getUnsignedByte(off + 3),
                    m.getUnsignedShort(off + 4), m.getUnsignedShort(off + 6), Gid.of(RawBytes.read(m, off + 8, 16).bytes()),
                    m.getUnsignedByte(off + 24), m.getUnsignedByte(off + 25), m.getUnsignedShort(off + 26),
                    RawBytes.read(m, off + 28, 12), eids);
        }

        void write(ByteBuf out) {
            out.writeByte(userEids.size());
            out.writeByte(ismGidCnt);
            out.writeByte(reserved1);
            out.writeByte(flag);
            out.writeShort(reserved2);
            out.writeShort(smcdV2ExtOffset);
            out.writeBytes(roce.bytes());
            out.writeByte(maxConns);
            out.writeByte(maxLinks);
            out.writeShort(featureMask);
            reserved.write(out);
            for (RawBytes e : userEids) {
                e.write(out);
            }
        }

        Fields describe(int off) {
            Fields f = new Fields();
            f.add("eid_cnt", userEids.size(), off);
            f.add("ism_gid_cnt", ismGidCnt, off + 1);
            f.addHex("reserved1", reserved1, off + 2, null);
            f.addHex("flag", flag, off + 3, "release " + release() + " (" + releaseName(release()) + ")"
                    + (seid() ? ", seid" : ", no seid") + ((flag & 0x0E) != 0 ? ", reserved bits set" : ""));
            f.add("release", release(), off + 3, releaseName(release()));
            f.add("seid", seid(), off + 3);
            f.addHex("reserved2", reserved2, off + 4, null);
            f.add("smcd_v2_ext_offset", smcdV2ExtOffset, off + 6);
            f.add("roce", roce, off + 8, "RoCEv2 GID");
            f.add("max_conns", maxConns, off + 24);
            f.add("max_links", maxLinks, off + 25);
            f.addHex("feature_mask", featureMask, off + 26, featureMaskNote(featureMask));
            f.add("reserved", reserved.hex(), off + 28);
            List<Object> eids = new ArrayList<>();
            for (int i = 0; i < userEids.size(); i++) {
                RawBytes e = userEids.get(i);
                eids.add(e.asciiText() != null ? e.asciiText() : e.hex());
            }
            f.add("user_eids", eids, off + V2_EXT_FIXED_LENGTH);
            return f;
        }
    }

    /** One SMC-Dv2 GID/CHID entry ({@code struct smc_clc_smcd_gid_chid}, 10 bytes packed). */
    public record GidChid(long gid, int chid) {
        public GidChid {
            if (chid < 0 || chid > 0xFFFF) {
                throw new IllegalArgumentException("chid is a u16");
            }
        }
    }

    /** The SMC-Dv2 extension ({@code struct smc_clc_smcd_v2_extension}). */
    public record SmcdV2Extension(RawBytes systemEid, RawBytes reserved, List<GidChid> gidChids) {
        public SmcdV2Extension {
            gidChids = List.copyOf(gidChids);
            if (systemEid.length() != EID_LENGTH || reserved.length() != 16) {
                throw new IllegalArgumentException("system_eid[32], reserved[16]");
            }
            if (gidChids.size() > MAX_V2_GID_ENTRIES) {
                throw new IllegalArgumentException("at most " + MAX_V2_GID_ENTRIES + " GID/CHID entries");
            }
        }

        public int wireLength() {
            return SMCD_V2_EXT_FIXED_LENGTH + GID_CHID_LENGTH * gidChids.size();
        }

        static SmcdV2Extension read(ByteBuf m, int off, int cnt, int limit) {
            need(limit, off, SMCD_V2_EXT_FIXED_LENGTH + GID_CHID_LENGTH * cnt, "SMC-Dv2 extension");
            List<GidChid> l = new ArrayList<>(cnt);
            for (int i = 0; i < cnt; i++) {
                int p = off + SMCD_V2_EXT_FIXED_LENGTH + GID_CHID_LENGTH * i;
                l.add(new GidChid(m.getLong(p), m.getUnsignedShort(p + 8)));
            }
            return new SmcdV2Extension(RawBytes.read(m, off, EID_LENGTH), RawBytes.read(m, off + EID_LENGTH, 16), l);
        }

        void write(ByteBuf out) {
            systemEid.write(out);
            reserved.write(out);
            for (GidChid g : gidChids) {
                out.writeLong(g.gid());
                out.writeShort(g.chid());
            }
        }

        Fields describe(int off) {
            Fields f = new Fields();
            String seid = systemEid.asciiText();
            f.add("system_eid", seid != null ? seid : systemEid.hex(), off);
            f.add("reserved", reserved.hex(), off + EID_LENGTH);
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < gidChids.size(); i++) {
                int p = off + SMCD_V2_EXT_FIXED_LENGTH + GID_CHID_LENGTH * i;
                l.add(new Fields().add("gid", String.format("0x%016x", gidChids.get(i).gid()), p)
                        .addHex("chid", gidChids.get(i).chid(), p + 8, null));
            }
            f.add("gidchid", l, off + SMCD_V2_EXT_FIXED_LENGTH);
            return f;
        }
    }

    public ClcProposal {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(gid, "gid");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(ipareaGap, "ipareaGap");
        Objects.requireNonNull(trailer, "trailer");
        if (header.type() != ClcType.PROPOSAL) {
            throw new IllegalArgumentException("header type must be PROPOSAL");
        }
        if (ipareaOffset < 0 || ipareaOffset > MAX_IPAREA_OFFSET) {
            throw new IllegalArgumentException("iparea_offset must be 0..40, got " + ipareaOffset);
        }
        if (!header.isV2()) {
            if (header.typev1() == SmcType.N.wire()) {
                throw new IllegalArgumentException("a v1 Proposal must offer a v1 type");
            }
            if (prefix == null || v2Extension != null || smcdV2Extension != null) {
                throw new IllegalArgumentException("a v1 Proposal has a prefix area and no v2 extensions");
            }
            if ((smcd != null) != (ipareaOffset == SMCD_AREA_LENGTH)) {
                throw new IllegalArgumentException("v1: SMC-D area present iff iparea_offset == 40");
            }
            if (ipareaGap.length() != (ipareaOffset == SMCD_AREA_LENGTH ? 0 : ipareaOffset)) {
                throw new IllegalArgumentException("v1: ipareaGap must hold the iparea_offset bytes before the prefix");
            }
        } else {
            if (smcd == null || ipareaGap.length() != 0) {
                throw new IllegalArgumentException("a v2 Proposal always has the SMC-D area and no gap");
            }
            if ((prefix != null) != (header.typev1() != SmcType.N.wire())) {
                throw new IllegalArgumentException("v2: prefix area present iff typev1 != none");
            }
            if (prefix != null && ipareaOffset != SMCD_AREA_LENGTH) {
                throw new IllegalArgumentException("v2 with a prefix area: iparea_offset must be 40");
            }
            if ((v2Extension != null) != (header.typev2() != SmcType.N.wire())) {
                throw new IllegalArgumentException("v2: v2 extension present iff typev2 != none");
            }
            if ((smcdV2Extension != null) != SmcType.ofWire(header.typev2()).includesD()) {
                throw new IllegalArgumentException("v2: SMC-Dv2 extension present iff typev2 includes SMC-D");
            }
            if (v2Extension != null && smcd.v2ExtOffset() != canonicalV2ExtOffset(prefix)) {
                throw new IllegalArgumentException("v2_ext_offset must be " + canonicalV2ExtOffset(prefix)
                        + " (the v2 extension follows the prefix area), got " + smcd.v2ExtOffset());
            }
            if (smcdV2Extension != null) {
                int sdo = v2Extension.smcdV2ExtOffset();
                int canonical = V2_EXT_FIXED_LENGTH - 8 + EID_LENGTH * v2Extension.eidCnt();
                if (sdo != 0 && sdo <= MAX_SMCD_V2_EXT_OFFSET && sdo != canonical) {
                    throw new IllegalArgumentException("smcd_v2_ext_offset must be " + canonical
                            + " (or 0 / above 288: not found by Linux), got " + sdo);
                }
            }
            if (smcdV2Extension != null && v2Extension.ismGidCnt() != smcdV2Extension.gidChids().size()) {
                throw new IllegalArgumentException("ism_gid_cnt must equal the number of GID/CHID entries");
            }
        }
        int len = wireLength(header, ipareaOffset, prefix, v2Extension, smcdV2Extension);
        if (header.length() != len) {
            throw new IllegalArgumentException("header length " + header.length() + " but the areas add up to " + len);
        }
    }

    private static int canonicalV2ExtOffset(IpPrefix prefix) {
        return SMCD_AREA_LENGTH - 12 + (prefix == null ? 0 : prefix.wireLength());
    }

    private static int wireLength(ClcHeader h, int ipo, IpPrefix prefix, V2Extension v2, SmcdV2Extension d2) {
        if (!h.isV2()) {
            return PROPOSAL_BASE_LENGTH + ipo + prefix.wireLength() + TRAILER_LENGTH;
        }
        return PROPOSAL_BASE_LENGTH + SMCD_AREA_LENGTH + (prefix == null ? 0 : prefix.wireLength())
                + (v2 == null ? 0 : v2.wireLength()) + (d2 == null ? 0 : d2.wireLength()) + TRAILER_LENGTH;
    }

    /**
     * A Proposal laid out like {@code smc_clc_send_proposal}: header version 2, SMC-D area, prefix area
     * if {@code typev1} offers something, v2 extension if {@code typev2} does, SMC-Dv2 extension if
     * typev2 includes SMC-D. iparea_offset, v2_ext_offset, smcd_v2_ext_offset and the length are
     * computed. Linux 6.12 passes zeros for {@code peerId}, {@code gid} and {@code mac} unless typev1
     * offers SMC-R; its v2 extension always carries release {@code SMC_RELEASE} (1) and feature_mask
     * {@code SMC_FEATURE_MASK} (1), the RoCE GID, max_conns and max_links only when typev2 offers SMC-R
     * (6.1 sends release 0 and zero v2.1 fields).
     */
    public static ClcProposal linux(int typev1, int typev2, PeerId peerId, Gid gid, MacAddress mac, SmcdArea smcd,
                                    IpPrefix prefix, V2Extension v2, SmcdV2Extension smcdV2) {
        boolean v1Offered = typev1 != SmcType.N.wire();
        boolean v2Offered = typev2 != SmcType.N.wire();
        IpPrefix p = v1Offered ? prefix : null;
        SmcdArea s = smcd.withV2ExtOffset(v2Offered ? canonicalV2ExtOffset(p) : smcd.v2ExtOffset());
        V2Extension e = v2Offered ? v2 : null;
        SmcdV2Extension d = SmcType.ofWire(typev2).includesD() ? smcdV2 : null;
        if (e != null && d != null) {
            e = e.withSmcdV2ExtOffset(V2_EXT_FIXED_LENGTH - 8 + EID_LENGTH * e.eidCnt());
            e = new V2Extension(d.gidChids().size(), e.reserved1(), e.flag(), e.reserved2(), e.smcdV2ExtOffset(),
                    e.roce(), e.maxConns(), e.maxLinks(), e.featureMask(), e.reserved(), e.userEids());
        }
        ClcHeader h0 = new ClcHeader(Eyecatcher.SMCR, ClcType.PROPOSAL, 8, 2, typev2, typev1);
        int ipo = v1Offered ? SMCD_AREA_LENGTH : 0;
        ClcHeader h = h0.withLength(wireLength(h0, ipo, p, e, d));
        return new ClcProposal(h, peerId, gid, mac, ipo, RawBytes.zeros(0), s, p, e, d, Eyecatcher.SMCR);
    }

    /** A classic RFC 7609 v1 Proposal (older kernels, z/OS): iparea_offset 0, prefix area at 40. */
    public static ClcProposal v1(int typev1, PeerId peerId, Gid gid, MacAddress mac, IpPrefix prefix) {
        ClcHeader h0 = new ClcHeader(Eyecatcher.SMCR, ClcType.PROPOSAL, 8, 1, 0, typev1);
        ClcHeader h = h0.withLength(wireLength(h0, 0, prefix, null, null));
        return new ClcProposal(h, peerId, gid, mac, 0, RawBytes.zeros(0), null, prefix, null, null, Eyecatcher.SMCR);
    }

    /**
     * Whether Linux finds the SMC-Dv2 extension ({@code smc_get_clc_smcd_v2_ext}): it is sent and
     * smcd_v2_ext_offset is 1..288. A Proposal offering SMC-D v2 without it is declined NOV2DEXT.
     */
    public boolean kernelFindsSmcdV2Extension() {
        if (smcdV2Extension == null) {
            return false;
        }
        int sdo = v2Extension.smcdV2ExtOffset();
        return sdo != 0 && sdo <= MAX_SMCD_V2_EXT_OFFSET;
    }

    /** Offset of the IP prefix area, or -1 when there is none. */
    public int prefixOffset() {
        return prefix == null ? -1 : PROPOSAL_BASE_LENGTH + ipareaOffset;
    }

    /** Offset of the v2 extension, or -1. */
    public int v2ExtensionOffset() {
        return v2Extension == null ? -1 : 52 + smcd.v2ExtOffset();
    }

    /** Offset of the SMC-Dv2 extension, or -1. */
    public int smcdV2ExtensionOffset() {
        return smcdV2Extension == null ? -1 : v2ExtensionOffset() + v2Extension.wireLength();
    }

    static ClcProposal decode(ByteBuf m, ClcHeader h) {
        int limit = h.length();
        need(limit, 0, PROPOSAL_BASE_LENGTH + TRAILER_LENGTH, "Proposal");
        int ipo = m.getUnsignedShort(38);
        // smc_clc_proposal_get_prefix: offsets beyond the SMC-D area are not accepted
        if (ipo > MAX_IPAREA_OFFSET) {
            throw eproto(38, "iparea_offset " + ipo + " > " + MAX_IPAREA_OFFSET);
        }
        int prefixOff = PROPOSAL_BASE_LENGTH + ipo;
        need(limit, prefixOff, PREFIX_AREA_LENGTH, "IP prefix area");
        int v6cnt = m.getUnsignedByte(prefixOff + 7);
        if (v6cnt > MAX_V6_PREFIX) {
            throw eproto(prefixOff + 7, "ipv6_prefixes_cnt " + v6cnt + " > " + MAX_V6_PREFIX);
        }
        int typev1 = h.typev1();
        int typev2 = h.typev2();
        PeerId peer = PeerId.of(RawBytes.read(m, 8, 8).bytes());
        Gid gid = Gid.of(RawBytes.read(m, 16, 16).bytes());
        MacAddress mac = MacAddress.of(RawBytes.read(m, 32, 6).bytes());
        Eyecatcher trl;
        if (!h.isV2()) {
            if (typev1 == SmcType.N.wire()) {
                throw eproto(7, "v1 Proposal offers no SMC type (typev1 = none)");
            }
            int expected = PROPOSAL_BASE_LENGTH + ipo + PREFIX_AREA_LENGTH + IPV6_PREFIX_LENGTH * v6cnt + TRAILER_LENGTH;
            if (limit != expected) {
                throw eproto(5, "v1 Proposal length " + limit + " != " + expected
                        + " (40 + iparea_offset + 8 + 17 * ipv6_prefixes_cnt + 4)");
            }
            trl = trailer(m, limit);
            SmcdArea smcd = ipo == SMCD_AREA_LENGTH ? SmcdArea.read(m, PROPOSAL_BASE_LENGTH) : null;
            RawBytes gap = ipo == SMCD_AREA_LENGTH ? RawBytes.zeros(0) : RawBytes.read(m, PROPOSAL_BASE_LENGTH, ipo);
            IpPrefix prefix = IpPrefix.read(m, prefixOff, limit - TRAILER_LENGTH);
            return new ClcProposal(h, peer, gid, mac, ipo, gap, smcd, prefix, null, null, trl);
        }
        boolean v2Offered = typev2 != SmcType.N.wire();
        boolean smcdV2Offered = SmcType.ofWire(typev2).includesD();
        int v2Off = -1;
        int eidCnt = 0;
        int gidCnt = 0;
        if (v2Offered) {
            // smc_get_clc_v2_ext: no SMC-D area (SMC-D v1 offered with iparea_offset != 40), offset 0
            // or beyond the proposal area all mean "no v2 extension", which prop_valid rejects
            if (SmcType.ofWire(typev1).includesD() && ipo != SMCD_AREA_LENGTH) {
                throw eproto(38, "SMC-D v1 offered but iparea_offset " + ipo + " != 40: no SMC-D area, so no v2 extension");
            }
            need(limit, 50, 2, "v2_ext_offset");
            int v2o = m.getUnsignedShort(50);
            if (v2o == 0 || v2o > MAX_V2_EXT_OFFSET) {
                throw eproto(50, "v2_ext_offset " + v2o + " is not 1.." + MAX_V2_EXT_OFFSET + " but typev2 offers v2");
            }
            v2Off = 52 + v2o;
            need(limit, v2Off, 2, "v2 extension counts");
            eidCnt = m.getUnsignedByte(v2Off);
            if (eidCnt > MAX_UEID) {
                throw eproto(v2Off, "eid_cnt " + eidCnt + " > " + MAX_UEID);
            }
            if (smcdV2Offered) {
                gidCnt = m.getUnsignedByte(v2Off + 1);
                if (gidCnt > MAX_V2_GID_ENTRIES) {
                    throw eproto(v2Off + 1, "ism_gid_cnt " + gidCnt + " > " + MAX_V2_GID_ENTRIES);
                }
            }
        }
        boolean v1Offered = typev1 != SmcType.N.wire();
        int prefixLen = v1Offered ? PREFIX_AREA_LENGTH + IPV6_PREFIX_LENGTH * v6cnt : 0;
        int v2Len = v2Offered ? V2_EXT_FIXED_LENGTH + EID_LENGTH * eidCnt : 0;
        int d2Len = smcdV2Offered ? SMCD_V2_EXT_FIXED_LENGTH + GID_CHID_LENGTH * gidCnt : 0;
        int expected = PROPOSAL_BASE_LENGTH + SMCD_AREA_LENGTH + prefixLen + v2Len + d2Len + TRAILER_LENGTH;
        if (limit != expected) {
            throw eproto(5, "v2 Proposal length " + limit + " != " + expected + " (sum of the offered areas)");
        }
        trl = trailer(m, limit);
        // smcj: the areas must tile the message (the kernel would read overlapping bytes instead)
        int pos = PROPOSAL_BASE_LENGTH + SMCD_AREA_LENGTH;
        if (v1Offered && prefixOff != pos) {
            throw eproto(38, "iparea_offset " + ipo + " puts the prefix area at " + prefixOff
                    + ", overlapping the SMC-D area (smcj requires it at 80)");
        }
        pos += prefixLen;
        if (v2Offered && v2Off != pos) {
            throw eproto(50, "v2_ext_offset puts the v2 extension at " + v2Off + ", not directly behind the "
                    + (v1Offered ? "prefix area" : "SMC-D area") + " at " + pos + " (smcj requires the areas to tile)");
        }
        if (smcdV2Offered) {
            // smc_get_clc_smcd_v2_ext finds the SMC-Dv2 extension at ext + 8 + smcd_v2_ext_offset unless
            // the offset is 0 or above 288; anywhere but directly behind the EIDs is an overlap
            int sdo = m.getUnsignedShort(v2Off + 6);
            int canonical = V2_EXT_FIXED_LENGTH - 8 + EID_LENGTH * eidCnt;
            if (sdo != 0 && sdo <= MAX_SMCD_V2_EXT_OFFSET && sdo != canonical) {
                throw eproto(v2Off + 6, "smcd_v2_ext_offset " + sdo + " does not point behind the user EIDs ("
                        + canonical + "; smcj requires the areas to tile)");
            }
        }
        SmcdArea smcd = SmcdArea.read(m, PROPOSAL_BASE_LENGTH);
        IpPrefix prefix = v1Offered ? IpPrefix.read(m, prefixOff, limit - TRAILER_LENGTH) : null;
        V2Extension v2 = v2Offered ? V2Extension.read(m, v2Off, limit - TRAILER_LENGTH) : null;
        SmcdV2Extension d2 = smcdV2Offered
                ? SmcdV2Extension.read(m, pos + v2Len, gidCnt, limit - TRAILER_LENGTH) : null;
        return new ClcProposal(h, peer, gid, mac, ipo, RawBytes.zeros(0), smcd, prefix, v2, d2, trl);
    }

    static Eyecatcher trailer(ByteBuf m, int limit) {
        Eyecatcher e = Eyecatcher.of(m.getInt(limit - TRAILER_LENGTH));
        if (e == null) {
            throw eproto(limit - TRAILER_LENGTH, String.format("trailer 0x%08x is neither SMCR nor SMCD eyecatcher",
                    m.getInt(limit - TRAILER_LENGTH)));
        }
        return e;
    }

    void encode(ByteBuf out) {
        header.write(out);
        out.writeBytes(peerId.bytes());
        out.writeBytes(gid.bytes());
        out.writeBytes(mac.bytes());
        out.writeShort(ipareaOffset);
        if (smcd != null) {
            smcd.write(out);
        }
        ipareaGap.write(out);
        if (prefix != null) {
            prefix.write(out);
        }
        if (v2Extension != null) {
            v2Extension.write(out);
        }
        if (smcdV2Extension != null) {
            smcdV2Extension.write(out);
        }
        out.writeInt(trailer.value());
    }

    @Override
    public Fields describe() {
        Fields f = header.describe();
        f.add("id_for_peer", peerId, 8, ClcHeader.peerIdHex(peerId));
        f.add("gid", gid, 16);
        f.add("mac", mac, 32);
        f.add("iparea_offset", ipareaOffset, 38,
                "IP prefix area at offset " + (PROPOSAL_BASE_LENGTH + ipareaOffset));
        if (smcd != null) {
            f.add("smcd", smcd.describe(PROPOSAL_BASE_LENGTH), PROPOSAL_BASE_LENGTH);
        }
        if (ipareaGap.length() > 0) {
            f.add("iparea_gap", ipareaGap.hex(), PROPOSAL_BASE_LENGTH);
        }
        if (prefix != null) {
            f.add("prefix", prefix.describe(prefixOffset()), prefixOffset());
        }
        if (v2Extension != null) {
            f.add("v2_extension", v2Extension.describe(v2ExtensionOffset()), v2ExtensionOffset());
        }
        if (smcdV2Extension != null) {
            f.add("smcd_v2_extension", smcdV2Extension.describe(smcdV2ExtensionOffset()), smcdV2ExtensionOffset());
        }
        f.add("trailer", trailer.name(), header.length() - TRAILER_LENGTH);
        return f;
    }

    static String releaseName(int release) {
        return switch (release) {
            case 0 -> "v2.0";
            case 1 -> "v2.1";
            default -> "unknown release";
        };
    }

    static String featureMaskNote(int mask) {
        if (mask == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        if ((mask & 1) != 0) {
            sb.append("emulated-ISM");
        }
        if ((mask & ~1) != 0) {
            sb.append(sb.isEmpty() ? "" : ", ").append(String.format("unknown bits 0x%x", mask & ~1));
        }
        return sb.toString();
    }
}
