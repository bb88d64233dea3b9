package io.smcj.tools;

import io.smcj.clc.ClcAcceptConfirm;
import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcDecline;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcProposal;
import io.smcj.clc.ClcType;
import io.smcj.clc.RawBytes;
import io.smcj.llc.AddLink;
import io.smcj.llc.AddLinkCont;
import io.smcj.llc.ConfirmLink;
import io.smcj.llc.ConfirmRkey;
import io.smcj.llc.ConfirmRkeyCont;
import io.smcj.llc.DeleteLink;
import io.smcj.llc.DeleteRkey;
import io.smcj.llc.LlcCodec;
import io.smcj.llc.LlcFraming;
import io.smcj.llc.LlcHeader;
import io.smcj.llc.LlcMessage;
import io.smcj.llc.Octets;
import io.smcj.llc.ReqAddLink;
import io.smcj.llc.RkeyPair;
import io.smcj.llc.Rtoken;
import io.smcj.llc.TestLink;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Gid;
import io.smcj.protocol.Hex;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import io.smcj.protocol.Psn;
import io.smcj.protocol.QpMtu;
import io.smcj.protocol.Qpn;
import io.smcj.protocol.Rkey;
import io.smcj.protocol.SmcType;

import java.util.ArrayList;
import java.util.List;

/** Messages built with our codecs for the tshark cross-check: several per type and variant. */
final class Samples {
    private Samples() {
    }

    static final MacAddress MAC_C = MacAddress.parse("52:54:00:00:00:02");
    static final MacAddress MAC_S = MacAddress.parse("52:54:00:00:00:01");
    static final PeerId ID_C = new PeerId(0x02cc, MAC_C);
    static final PeerId ID_S = new PeerId(0x5d3b, MAC_S);
    static final Gid GID_C = Gid.parse("::ffff:10.0.0.2");
    static final Gid GID_S = Gid.parse("::ffff:10.0.0.1");
    static final Gid GID_V1 = Gid.parse("fe80::5054:ff:fe00:2");
    static final Gid GID_ALT = Gid.parse("::ffff:10.1.0.2");

    static ClcProposal.Ipv6Prefix v6(String hex32, int len) {
        return new ClcProposal.Ipv6Prefix(RawBytes.hex(hex32), len);
    }

    /** CLC messages in client, server, client ... order (the TCP direction alternates). */
    static List<ClcMessage> clc() {
        List<ClcMessage> out = new ArrayList<>();
        ClcProposal.IpPrefix prefixes = new ClcProposal.IpPrefix(0x0a000000, 24, 0,
                List.of(v6("20010db8000000010000000000000000", 64), v6("fd000000000000000000000000000000", 8)));
        // classic RFC 7609 v1 Proposal with IPv4 + 2 IPv6 prefixes
        out.add(ClcProposal.v1(SmcType.R.wire(), ID_C, GID_V1, MAC_C, prefixes));
        out.add(ClcAcceptConfirm.v1(ClcType.ACCEPT, true, link(ID_S, GID_V1, MAC_S, 0x11, 7)));
        out.add(ClcAcceptConfirm.v1(ClcType.CONFIRM, true, link(ID_C, GID_V1, MAC_C, 0x12, 3)));
        out.add(ClcAcceptConfirm.v1(ClcType.ACCEPT, false, link(ID_S, GID_V1, MAC_S, 0xabcdef, 0xfffffffe)));
        // Linux v2 Proposal offering v1 and v2 with prefixes and two EIDs
        out.add(ClcProposal.linux(SmcType.R.wire(), SmcType.R.wire(), ID_C, GID_V1, MAC_C,
                ClcProposal.SmcdArea.empty(0), prefixes,
                ClcProposal.V2Extension.smcr(1, GID_C, 255, 2, 1, List.of("SMCJ-EID-1", "A.B-2")), null));
        out.add(ClcAcceptConfirm.v2(ClcType.ACCEPT, link(ID_S, GID_S, MAC_S, 0x11, 9), "SMCJ-EID-1",
                ClcAcceptConfirm.FirstContactExt.linux(true, 1, "server-host", 255, 2, 1), null));
        out.add(ClcAcceptConfirm.v2(ClcType.CONFIRM, link(ID_C, GID_C, MAC_C, 0x12, 4), "SMCJ-EID-1",
                ClcAcceptConfirm.FirstContactExt.linux(true, 1, "client-host", 255, 2, 1), List.of(GID_C, GID_ALT)));
        out.add(ClcAcceptConfirm.v2(ClcType.ACCEPT, link(ID_S, GID_S, MAC_S, 0x13, 10), "SMCJ-EID-1",
                ClcAcceptConfirm.FirstContactExt.linux(false, 0, "h", 16, 1, 0), null));
        // v2-only Proposal as Linux sends it with a RoCEv2-only device
        out.add(ClcProposal.linux(SmcType.N.wire(), SmcType.R.wire(), ID_C, Gid.ZERO, MAC_C,
                ClcProposal.SmcdArea.empty(0), null,
                ClcProposal.V2Extension.smcr(0, GID_C, 0, 0, 0, List.of("SMCTEST-UEID")), null));
        out.add(ClcDecline.linux(2, ID_S, DeclineCode.NOUEID));
        // Confirm without first contact (link group reused): 108 bytes
        out.add(ClcAcceptConfirm.v2(ClcType.CONFIRM, link(ID_C, GID_C, MAC_C, 0x12, 5), "SMCJ-EID-1", null, null));
        out.add(ClcDecline.linux(1, ID_S, DeclineCode.SYNCERR));
        out.add(ClcDecline.linux(1, PeerId.ZERO, DeclineCode.PEERDECL));
        // SMC-R and SMC-D v1 and v2 offered: ISM GID/CHID, SEID flag, SMC-Dv2 extension with 2 GID/CHID entries
        ClcProposal.V2Extension v2 = new ClcProposal.V2Extension(0, 0, 0x11, 0, 0, GID_C, 255, 2, 1,
                RawBytes.zeros(12), List.of(RawBytes.blankPadded("SMCJ-EID-1", 32)));
        out.add(ClcProposal.linux(SmcType.B.wire(), SmcType.B.wire(), ID_C, GID_V1, MAC_C,
                new ClcProposal.SmcdArea(0x1122334455667788L, 0x0102, 0, RawBytes.zeros(3), RawBytes.zeros(5),
                        RawBytes.zeros(20)),
                ClcProposal.IpPrefix.ipv4(0xc0a80100, 24), v2,
                new ClcProposal.SmcdV2Extension(RawBytes.blankPadded("IBM-SYSZ-ISMSEID0000000012345678", 32),
                        RawBytes.zeros(16), List.of(new ClcProposal.GidChid(0x0a0b0c0d0e0f1011L, 0x0203),
                                new ClcProposal.GidChid(0x2122232425262728L, 0xfffe)))));
        return out;
    }

    static ClcAcceptConfirm.Link link(PeerId id, Gid gid, MacAddress mac, int qpn, int token) {
        return new ClcAcceptConfirm.Link(id, gid, mac, qpn, 0x39b + qpn, 1, token, 2, QpMtu.MTU_1024.wire(),
                0xff181dbdc9b40000L + qpn, 0x3c125b ^ qpn);
    }

    /** Every LLC v1 type (44 bytes), requests and responses. */
    static List<LlcMessage> llcV1() {
        LlcFraming v1 = LlcFraming.V1;
        List<LlcMessage> out = new ArrayList<>();
        out.add(ConfirmLink.of(v1, false, MAC_S, GID_V1, new Qpn(0x11), 1, 0x1001, 2, 0));
        out.add(ConfirmLink.of(v1, true, MAC_C, GID_V1, new Qpn(0x12), 1, 0x2001, 2, 0));
        AddLink add = AddLink.of(v1, false, MAC_S, GID_ALT, new Qpn(0x21), 2, QpMtu.MTU_4096, new Psn(0x123456), null);
        out.add(add);
        out.add(AddLink.of(v1, true, MAC_C, GID_ALT, new Qpn(0x22), 2, QpMtu.MTU_1024, new Psn(0xabcdef), null));
        out.add(add.reject());
        out.add(new AddLinkCont(LlcHeader.of(v1, 0), 2, 2, Octets.zeros(2),
                List.of(new RkeyPair(new Rkey(0x111), new Rkey(0x222), 0xff00000000001000L),
                        new RkeyPair(new Rkey(0x333), new Rkey(0x444), 0x0000000012340000L)), Octets.zeros(4)));
        out.add(DeleteLink.of(v1, false, true, 0, 0x00030000L));
        out.add(DeleteLink.of(v1, true, false, 2, 0x00100000L));
        ConfirmRkey crk = ConfirmRkey.of(v1, new Rkey(0x39b), 0xff181dbdc9b40000L);
        out.add(crk);
        out.add(crk.response(false));
        out.add(crk.response(true));
        out.add(new ConfirmRkeyCont(LlcHeader.of(v1, 0), 1,
                List.of(new Rtoken(2, new Rkey(0x555), 0x1000), Rtoken.ZERO, Rtoken.ZERO)));
        out.add(DeleteRkey.of(v1, List.of(new Rkey(0x39b), new Rkey(0x3dc))));
        out.add(TestLink.of(v1, false, Octets.of(Hex.parse("000102030405060708090a0b0c0d0e0f"))));
        out.add(TestLink.of(v1, true, Octets.zeros(16)));
        return out;
    }

    /** v2 framed LLC messages (tshark 4.0 does not decode these). */
    static List<LlcMessage> llcV2() {
        LlcFraming v2 = LlcFraming.V2;
        List<LlcMessage> out = new ArrayList<>();
        out.add(ConfirmLink.of(v2, false, MAC_S, GID_S, new Qpn(0x11), 1, 0x1001, 2, 255));
        out.add(DeleteLink.of(v2, false, true, 0, 0x00030000L));
        out.add(TestLink.of(v2, false, Octets.zeros(16)));
        out.add(DeleteRkey.of(v2, List.of(new Rkey(0x39b))));
        out.add(ReqAddLink.request(v2, List.of(GID_ALT)));
        return out;
    }

    static byte[] bytes(Object m) {
        return m instanceof ClcMessage c ? ClcCodec.encode(c) : LlcCodec.toBytes((LlcMessage) m);
    }
}
