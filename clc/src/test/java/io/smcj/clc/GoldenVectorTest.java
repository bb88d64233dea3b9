package io.smcj.clc;

import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Gid;
import io.smcj.protocol.Hex;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte sequences written out field by field from the layouts of smc-r-protocol.md section 2 and
 * Linux smc_clc.h, checked in both directions: decode gives the listed field values, and the value
 * built from those fields encodes to the same bytes.
 */
class GoldenVectorTest {
    static final String SMCR = "e2d4c3d9";
    static final PeerId PEER = new PeerId(0x1234, MacAddress.parse("52:54:00:12:34:56"));
    static final String PEER_HEX = "1234" + "525400123456";
    static final Gid GID_V1 = Gid.parse("fe80::5054:ff:fe12:3456");
    static final String GID_V1_HEX = "fe800000000000005054" + "00fffe123456";
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    static final String MAC_HEX = "525400123456";
    static final Gid ROCE = Gid.parse("::ffff:10.0.0.2");
    static final String ROCE_HEX = "00000000000000000000ffff0a000002";

    static byte[] hex(String... parts) {
        return Hex.parse(String.join("", parts).replace(" ", ""));
    }

    static String pad(String ascii, int len) {
        StringBuilder sb = new StringBuilder(Hex.of(ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        while (sb.length() < 2 * len) {
            sb.append("20");
        }
        return sb.toString();
    }

    static String zeros(int n) {
        return "00".repeat(n);
    }

    static void roundTrip(byte[] wire, ClcMessage built) {
        assertArrayEquals(wire, ClcCodec.encode(built), "encode of the value built from the table");
        assertEquals(built, ClcCodec.decode(wire), "decode gives the same value");
    }

    // ---- Proposal ----

    @Test
    void shouldCodeAClassicV1ProposalWithIpv4AndIpv6Prefixes() {
        byte[] wire = hex(SMCR, "01", "0056", "10",             // header: type 1, length 86, version 1, typev1 R
                PEER_HEX, GID_V1_HEX, MAC_HEX,
                "0000",                                          // iparea_offset 0: prefix area at 40
                "0a000000", "18", "0000", "02",                  // 10.0.0.0/24, reserved, 2 IPv6 prefixes
                "20010db8000000010000000000000000", "40",        // 2001:db8:0:1::/64
                "20010db8000000020000000000000000", "30",        // 2001:db8:0:2::/48
                SMCR);
        assertEquals(40 + 0 + 8 + 2 * 17 + 4, wire.length);
        ClcProposal p = assertInstanceOf(ClcProposal.class, ClcCodec.decode(wire));
        assertEquals(1, p.header().version());
        assertEquals(0, p.header().typev1());
        assertEquals(PEER, p.peerId());
        assertEquals(GID_V1, p.gid());
        assertEquals(MAC, p.mac());
        assertEquals(0, p.ipareaOffset());
        assertNull(p.smcd());
        assertEquals("10.0.0.0", p.prefix().outgoingSubnetText());
        assertEquals(24, p.prefix().prefixLen());
        assertEquals(2, p.prefix().ipv6Prefixes().size());
        assertEquals("2001:db8:0:1::", p.prefix().ipv6Prefixes().get(0).address());
        assertEquals(64, p.prefix().ipv6Prefixes().get(0).prefixLen());
        assertEquals(48, p.prefix().ipv6Prefixes().get(1).prefixLen());
        assertNull(p.v2Extension());

        ClcProposal.IpPrefix prefix = new ClcProposal.IpPrefix(0x0a000000, 24, 0, List.of(
                new ClcProposal.Ipv6Prefix(RawBytes.hex("20010db8000000010000000000000000"), 64),
                new ClcProposal.Ipv6Prefix(RawBytes.hex("20010db8000000020000000000000000"), 48)));
        roundTrip(wire, ClcProposal.v1(0, PEER, GID_V1, MAC, prefix));
        assertTrue(p.describe().toText().contains("ipv6_prefixes_cnt: 2"));
    }

    @Test
    void shouldCodeAV1ProposalWithSmcdAreaAtIpareaOffset40() {
        byte[] wire = hex(SMCR, "01", "005c", "13",              // length 92, version 1, typev1 B (R and D)
                PEER_HEX, GID_V1_HEX, MAC_HEX, "0028",
                "0000000000abcdef", "0102", "0000", "000000", zeros(5), zeros(20),  // SMC-D area
                "c0a80000", "10", "0000", "00",                  // 192.168.0.0/16
                SMCR);
        ClcProposal p = (ClcProposal) ClcCodec.decode(wire);
        assertEquals(40, p.ipareaOffset());
        assertEquals(0xabcdefL, p.smcd().ismGid());
        assertEquals(0x0102, p.smcd().ismChid());
        assertEquals(80, p.prefixOffset());
        assertEquals(16, p.prefix().prefixLen());
        assertArrayEquals(wire, ClcCodec.encode(p));
    }

    @Test
    void shouldCodeALinuxV2ProposalOfferingSmcrV1AndV2WithTwoEids() {
        // Linux layout: SMC-D area, prefix area with one IPv6 prefix, v2 extension with 2 EIDs
        int v2ExtOffset = 28 + 8 + 17;
        byte[] wire = hex(SMCR, "01", "00d5", "20",              // length 213, version 2, typev2 R, typev1 R
                PEER_HEX, GID_V1_HEX, MAC_HEX, "0028",
                zeros(10), String.format("%04x", v2ExtOffset), zeros(28),
                "0a000000", "18", "0000", "01", "20010db8000000010000000000000000", "40",
                "02", "00", "00", "10", "0000", "0000",         // eid_cnt 2, ism_gid_cnt 0, release 1, no seid
                ROCE_HEX, "ff", "02", "0001", zeros(12),         // max_conns 255, max_links 2, feature_mask 1
                pad("SMCTEST-UEID", 32), pad("OTHER.EID-2", 32),
                SMCR);
        assertEquals(40 + 40 + 25 + 40 + 64 + 4, wire.length);
        ClcProposal p = (ClcProposal) ClcCodec.decode(wire);
        assertEquals(2, p.header().version());
        assertEquals(81, p.smcd().v2ExtOffset() + 28);
        assertEquals(105, p.v2ExtensionOffset());
        ClcProposal.V2Extension v2 = p.v2Extension();
        assertEquals(2, v2.eidCnt());
        assertEquals(1, v2.release());
        assertFalse(v2.seid());
        assertEquals(ROCE, v2.roce());
        assertEquals(255, v2.maxConns());
        assertEquals(2, v2.maxLinks());
        assertEquals(1, v2.featureMask());
        assertEquals(List.of("SMCTEST-UEID", "OTHER.EID-2"), v2.eidTexts());

        ClcProposal built = ClcProposal.linux(0, 0, PEER, GID_V1, MAC, ClcProposal.SmcdArea.empty(0),
                new ClcProposal.IpPrefix(0x0a000000, 24, 0, List.of(
                        new ClcProposal.Ipv6Prefix(RawBytes.hex("20010db8000000010000000000000000"), 64))),
                ClcProposal.V2Extension.smcr(1, ROCE, 255, 2, 1, List.of("SMCTEST-UEID", "OTHER.EID-2")), null);
        roundTrip(wire, built);
    }

    @Test
    void shouldCodeAV2ProposalWithSmcdV2ExtensionAndSeid() {
        // typev1 none, typev2 B: v2 extension at 80 with one EID, SMC-Dv2 extension with 2 GID/CHIDs
        byte[] wire = hex(SMCR, "01", "00e0", "2e",              // length 224, version 2, typev2 B, typev1 N
                zeros(8), zeros(16), zeros(6), "0000",
                zeros(10), "001c", zeros(28),
                "01", "02", "00", "11", "0000", "0040",          // eid 1, 2 GIDs, release 1 + seid, smcd_v2_ext_offset 64
                ROCE_HEX, "ff", "02", "0001", zeros(12),
                pad("SMCTEST-UEID", 32),
                pad("IBM-SYSZ-ISMSEID00000000", 32), zeros(16), // system EID, reserved
                "0000000000001111", "0aaa", "0000000000002222", "0bbb",
                SMCR);
        assertEquals(40 + 40 + 72 + 48 + 20 + 4, wire.length);
        ClcProposal p = (ClcProposal) ClcCodec.decode(wire);
        assertNull(p.prefix());
        assertTrue(p.v2Extension().seid());
        assertEquals(64, p.v2Extension().smcdV2ExtOffset());
        assertEquals("IBM-SYSZ-ISMSEID00000000", p.smcdV2Extension().systemEid().asciiText());
        assertEquals(List.of(new ClcProposal.GidChid(0x1111, 0x0aaa), new ClcProposal.GidChid(0x2222, 0x0bbb)),
                p.smcdV2Extension().gidChids());
        assertEquals(152, p.smcdV2ExtensionOffset());

        ClcProposal.V2Extension v2 = new ClcProposal.V2Extension(2, 0, 0x11, 0, 0, ROCE, 255, 2, 1,
                RawBytes.zeros(12), List.of(RawBytes.blankPadded("SMCTEST-UEID", 32)));
        ClcProposal built = ClcProposal.linux(2, 3, PeerId.ZERO, Gid.ZERO, MacAddress.ZERO,
                ClcProposal.SmcdArea.empty(0), null, v2, new ClcProposal.SmcdV2Extension(
                        RawBytes.blankPadded("IBM-SYSZ-ISMSEID00000000", 32), RawBytes.zeros(16),
                        List.of(new ClcProposal.GidChid(0x1111, 0x0aaa), new ClcProposal.GidChid(0x2222, 0x0bbb))));
        roundTrip(wire, built);
    }

    // ---- Accept / Confirm ----

    static final String R0 = PEER_HEX + GID_V1_HEX + MAC_HEX
            + "000123" + "cafe0001" + "01" + "00000007" + "23" + "00" + "0000000012345000" + "00" + "abcdef";
    static final ClcAcceptConfirm.Link LINK = new ClcAcceptConfirm.Link(PEER, GID_V1, MAC, 0x123, 0xcafe0001, 1, 7,
            2, 3, 0x12345000L, 0xabcdef);

    static void assertR0(ClcAcceptConfirm a) {
        assertEquals(PEER, a.peerId());
        assertEquals(GID_V1, a.gid());
        assertEquals(MAC, a.mac());
        assertEquals(0x123, a.qpn());
        assertEquals(0xcafe0001, a.rmbRkey());
        assertEquals(1, a.rmbeIdx());
        assertEquals(7, a.rmbeAlertToken());
        assertEquals(2, a.rmbeSize());
        assertEquals(65536, a.rmbeSizeBytes());
        assertEquals(3, a.qpMtu());
        assertEquals(1024, a.qpMtuBytes());
        assertEquals(0x12345000L, a.rmbDmaAddr());
        assertEquals(0xabcdef, a.psn());
    }

    @Test
    void shouldCodeV1AcceptWithFirstContactAndV1ConfirmWithout() {
        byte[] accept = hex(SMCR, "02", "0044", "18", R0, SMCR);  // version 1, first contact 0x08
        assertEquals(68, accept.length);
        ClcAcceptConfirm a = (ClcAcceptConfirm) ClcCodec.decode(accept);
        assertEquals(ClcType.ACCEPT, a.type());
        assertTrue(a.firstContact());
        assertR0(a);
        assertNull(a.eid());
        roundTrip(accept, ClcAcceptConfirm.v1(ClcType.ACCEPT, true, LINK));

        byte[] confirm = hex(SMCR, "03", "0044", "10", R0, SMCR);
        ClcAcceptConfirm c = (ClcAcceptConfirm) ClcCodec.decode(confirm);
        assertFalse(c.firstContact());
        assertR0(c);
        roundTrip(confirm, ClcAcceptConfirm.v1(ClcType.CONFIRM, false, LINK));
        String text = c.describe().toText();
        assertTrue(text.contains("65536 bytes") && text.contains("1024 bytes"), text);
    }

    static final String V2_TAIL = pad("SMCTEST-UEID", 32) + zeros(8);
    static final String FCE = "80" + "21" + "0000" + pad("host1", 32) + "ff" + "02" + "0001" + "00000000" + zeros(8);
    static final ClcAcceptConfirm.FirstContactExt FCE_VALUE =
            ClcAcceptConfirm.FirstContactExt.linux(true, 1, "host1", 255, 2, 1);

    @Test
    void shouldCodeV2AcceptWithFirstContact() {
        byte[] wire = hex(SMCR, "02", "00a0", "28", R0, V2_TAIL, FCE, SMCR);
        assertEquals(160, wire.length);
        ClcAcceptConfirm a = (ClcAcceptConfirm) ClcCodec.decode(wire);
        assertR0(a);
        assertEquals("SMCTEST-UEID", a.eidText());
        assertTrue(a.fce().v2Direct());
        assertEquals(2, a.fce().osType());
        assertEquals(1, a.fce().release());
        assertEquals("host1", a.fce().hostnameText());
        assertEquals(255, a.fce().v2x().maxConns());
        assertEquals(2, a.fce().v2x().maxLinks());
        assertEquals(1, a.fce().v2x().featureMask());
        assertNull(a.gidList());
        roundTrip(wire, ClcAcceptConfirm.v2(ClcType.ACCEPT, LINK, "SMCTEST-UEID", FCE_VALUE, null));
    }

    @Test
    void shouldCodeV2ConfirmWithFirstContactAndOneOrTwoGids() {
        String gid2 = "00000000000000000000ffff0a000003";
        byte[] one = hex(SMCR, "03", "00b4", "28", R0, V2_TAIL, FCE, "01000000", ROCE_HEX, SMCR);
        assertEquals(180, one.length);
        ClcAcceptConfirm c1 = (ClcAcceptConfirm) ClcCodec.decode(one);
        assertEquals(List.of(ROCE), c1.gidList().gids());
        roundTrip(one, ClcAcceptConfirm.v2(ClcType.CONFIRM, LINK, "SMCTEST-UEID", FCE_VALUE, List.of(ROCE)));

        byte[] two = hex(SMCR, "03", "00c4", "28", R0, V2_TAIL, FCE, "02000000", ROCE_HEX, gid2, SMCR);
        assertEquals(196, two.length);
        ClcAcceptConfirm c2 = (ClcAcceptConfirm) ClcCodec.decode(two);
        assertEquals(List.of(ROCE, Gid.parse("::ffff:10.0.0.3")), c2.gidList().gids());
        roundTrip(two, ClcAcceptConfirm.v2(ClcType.CONFIRM, LINK, "SMCTEST-UEID", FCE_VALUE,
                List.of(ROCE, Gid.parse("::ffff:10.0.0.3"))));
        assertTrue(c2.describe().toJson().contains("\"gid_cnt\":2"));
    }

    @Test
    void shouldCodeV2ConfirmWithoutFirstContact() {
        byte[] wire = hex(SMCR, "03", "006c", "20", R0, V2_TAIL, SMCR);
        assertEquals(108, wire.length);
        ClcAcceptConfirm c = (ClcAcceptConfirm) ClcCodec.decode(wire);
        assertFalse(c.firstContact());
        assertNull(c.fce());
        assertEquals(0, c.extra().length());
        roundTrip(wire, ClcAcceptConfirm.v2(ClcType.CONFIRM, LINK, "SMCTEST-UEID", null, null));
    }

    @Test
    void shouldKeepAnSmcdAcceptByteForByte() {
        byte[] wire = hex("e2d4c3c4", "02", "0030", "19",         // SMCD eyecatcher, version 1, first contact, typev1 D
                "0000000000001111", "00000000deadbeef", "00", "30", "0000", "01020304", zeros(12), "e2d4c3c4");
        ClcSmcdAcceptConfirm d = assertInstanceOf(ClcSmcdAcceptConfirm.class, ClcCodec.decode(wire));
        assertEquals(Eyecatcher.SMCD, d.header().eyecatcher());
        assertArrayEquals(wire, ClcCodec.encode(d));
        assertTrue(d.describe().toText().contains("dmbe_size: 3"));
    }

    // ---- Decline ----

    @Test
    void shouldCodeAV1SyncErrorDeclineWithOutOfSyncBit() {
        byte[] wire = hex(SMCR, "04", "001c", "18", PEER_HEX, "04000000", "00", "000000", SMCR);
        assertEquals(28, wire.length);
        ClcDecline d = (ClcDecline) ClcCodec.decode(wire);
        assertTrue(d.outOfSync());
        assertEquals(DeclineCode.SYNCERR.value(), d.peerDiagnosis());
        assertEquals(0, d.osType());
        assertEquals(List.of(), d.peerDiagnosisV2());
        roundTrip(wire, ClcDecline.linux(1, PEER, DeclineCode.SYNCERR));
    }

    @Test
    void shouldCodeAV2DeclineWithExtraDiagnoses() {
        byte[] wire = hex(SMCR, "04", "002c", "20", PEER_HEX, "03030008", "20", "000000",
                "03030002", "03070000", "00000000", "00000000", SMCR);
        assertEquals(44, wire.length);
        ClcDecline d = (ClcDecline) ClcCodec.decode(wire);
        assertFalse(d.outOfSync());
        assertEquals(DeclineCode.NOUEID, d.declineCode().orElseThrow());
        assertEquals(2, d.osType());
        assertEquals(List.of(0x03030002, 0x03070000, 0, 0), d.peerDiagnosisV2());
        ClcDecline built = new ClcDecline(new ClcHeader(Eyecatcher.SMCR, ClcType.DECLINE, 44, 2, 0, 0), PEER,
                0x03030008, 0x20, RawBytes.zeros(3), List.of(0x03030002, 0x03070000, 0, 0),
                RawBytes.hex(SMCR));
        roundTrip(wire, built);
        String text = d.describe().toText();
        assertTrue(text.contains("NOUEID") && text.contains("NOSMCRDEV") && text.contains("DIFFPREFIX"), text);
    }
}
