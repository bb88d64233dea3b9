package io.smcj.llc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smcj.protocol.Fields;
import io.smcj.protocol.Gid;
import io.smcj.protocol.Hex;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.ProtocolException;
import io.smcj.protocol.Psn;
import io.smcj.protocol.QpMtu;
import io.smcj.protocol.Qpn;
import io.smcj.protocol.Rkey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden vectors written out by hand from the layouts of net/smc/smc_llc.c (and the reference
 * tables where they agree with it), checked field by field in both directions: the bytes decode to
 * the listed values, and a message built from those values encodes to the same bytes.
 */
class LlcGoldenTest {
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");
    static final Gid GID = Gid.parse("fe80::200:ff:fe00:1");
    static final Gid GID2 = Gid.parse("::ffff:10.99.0.2");
    static final String MAC_HEX = "020000000001";
    static final String GID_HEX = "fe800000000000000200 00fffe000001".replace(" ", "");
    static final String GID2_HEX = "00000000000000000000ffff0a630002";

    static byte[] hex(String s) {
        return Hex.parseLenient(s);
    }

    static String z(int n) {
        return "00".repeat(n);
    }

    /** Decodes (default codec), checks the re-encoding, and checks that {@code built} gives the same bytes. */
    static <T extends LlcMessage> T golden(String hexText, Class<T> type, LlcMessage built) {
        byte[] bytes = hex(hexText);
        T m = assertInstanceOf(type, LlcCodec.DEFAULT.decode(bytes));
        assertArrayEquals(bytes, LlcCodec.toBytes(m), "decode then encode");
        assertEquals(bytes.length, m.encodedLength());
        if (built != null) {
            assertArrayEquals(bytes, LlcCodec.toBytes(built), "built from field values: " + built);
            assertEquals(built, m, "decoded value equals the built one");
        }
        return m;
    }

    static ProtocolException fails(LlcCodec codec, byte[] bytes) {
        return assertThrows(ProtocolException.class, () -> codec.decode(bytes));
    }

    // ------------------------------------------------------------------ CONFIRM LINK

    static final String CONFIRM_LINK_V1 = "01 2c 00 03" + MAC_HEX + GID_HEX + "000102" + "01" + "00000002" + "02"
            + "00" + z(8);

    @Test
    void confirmLinkV1RequestAndResponse() {
        ConfirmLink req = golden(CONFIRM_LINK_V1, ConfirmLink.class,
                ConfirmLink.of(LlcFraming.V1, false, MAC, GID, new Qpn(0x102), 1, 2, 2, 0));
        assertEquals(LlcFraming.V1, req.framing());
        assertEquals(0x01, req.typeByte());
        assertEquals(0x03, req.flags());
        assertFalse(req.isResponse());
        assertTrue(req.noRmbeEyecatcher());
        assertEquals(MAC, req.senderMac());
        assertEquals(GID, req.senderGid());
        assertEquals(0x102, req.senderQpNum().value());
        assertEquals(1, req.linkNum());
        assertEquals(2, req.linkUid());
        assertEquals(2, req.maxLinks());
        assertEquals(0, req.maxConns());

        ConfirmLink resp = golden("01 2c 00 83" + CONFIRM_LINK_V1.substring(11), ConfirmLink.class,
                ConfirmLink.of(LlcFraming.V1, true, MAC, GID, new Qpn(0x102), 1, 2, 2, 0));
        assertTrue(resp.isResponse());

        Fields f = resp.describe();
        assertEquals("LLC CONFIRM LINK", resp.messageName());
        assertEquals(0x83L, ((Number) f.get("flags").value()).longValue());
        assertEquals("0x83 RESP|NO_RMBE_EYEC", f.get("flags").note());
        assertEquals(10, f.get("sender_gid").offset());
        assertEquals("fe80::200:ff:fe00:1", f.get("sender_gid").value());
        assertEquals(258, f.get("sender_qp_num").value());
        assertEquals(34, f.get("max_links").offset());
        assertEquals(44, f.get("length").value());
    }

    @Test
    void confirmLinkWithoutEyecatcherFlagStillDecodes() {
        ConfirmLink m = golden("01 2c 00 00" + CONFIRM_LINK_V1.substring(11), ConfirmLink.class, null);
        assertFalse(m.noRmbeEyecatcher(), "Linux answers this with -ENOTSUPP / decline RMBE_EC");
    }

    @Test
    void confirmLinkV21BigEndianLength() {
        String bytes = "21 00 2c 03" + MAC_HEX + GID2_HEX + "000011" + "01" + "00000101" + "02" + "ff" + z(8);
        ConfirmLink m = golden(bytes, ConfirmLink.class,
                ConfirmLink.of(LlcFraming.V2_BIG_ENDIAN, false, MAC, GID2, new Qpn(0x11), 1, 0x101, 2, 255));
        assertEquals(LlcFraming.V2_BIG_ENDIAN, m.framing());
        assertEquals(LengthOrder.BIG_ENDIAN, m.framing().lengthOrder());
        assertEquals(255, m.maxConns());
        assertEquals("u16 in the sender's host order, here big-endian", m.describe().get("length_v2").note());
        // the same message little-endian, as x86 sends it
        byte[] le = LlcCodec.toBytes(m.withHeader(m.header().withFraming(LlcFraming.V2)));
        assertEquals("212c0003", Hex.of(le).substring(0, 8));
    }

    @Test
    void confirmLinkV2WithTrailerKeepsTheExtraBytes() {
        String bytes = "21 30 00 03" + MAC_HEX + GID2_HEX + "000011" + "01" + "00000101" + "02" + "00" + z(8)
                + "deadbeef";
        ConfirmLink m = golden(bytes, ConfirmLink.class, null);
        assertEquals(48, m.encodedLength());
        assertEquals(Octets.of(hex("deadbeef")), m.header().trailer());
        assertEquals(44, m.describe().get("trailer").offset());
    }

    // ------------------------------------------------------------------ ADD LINK

    static final String ADD_LINK_V1_BODY = MAC_HEX + "0000" + GID_HEX + "000203" + "02" + "05" + "123456" + z(8);

    @Test
    void addLinkV1RequestAndReject() {
        AddLink req = golden("02 2c 00 00" + ADD_LINK_V1_BODY, AddLink.class,
                AddLink.of(LlcFraming.V1, false, MAC, GID, new Qpn(0x203), 2, QpMtu.MTU_4096, new Psn(0x123456),
                        null));
        assertEquals(QpMtu.MTU_4096, req.mtu());
        assertEquals(5, req.qpMtu());
        assertEquals(0x123456, req.initialPsn().value());
        assertEquals(2, req.linkNum());
        assertFalse(req.rejected());
        assertNull(req.v2Ext());
        assertEquals("4096 bytes", req.describe().get("qp_mtu").note());

        AddLink rej = golden("02 2c 01 c0" + ADD_LINK_V1_BODY, AddLink.class, req.reject());
        assertTrue(rej.rejected());
        assertTrue(rej.isResponse());
        assertEquals(LlcFlags.REJ_RSN_NO_ALT_PATH, rej.rejectReason());
        Fields f = rej.describe();
        assertEquals("0xc0 RESP|ADD_LNK_REJ", f.get("flags").note());
        assertEquals("SMC_LLC_REJ_RSN_NO_ALT_PATH", f.get("add_link_rej_rsn").note());
        assertEquals(2, f.get("add_link_rej_rsn").offset());
    }

    @Test
    void addLinkResponseWithMtuMinimumAndReservedNibble() {
        AddLink resp = golden("02 2c 00 80" + MAC_HEX + "0000" + GID_HEX + "000203" + "02" + "a3" + "123456" + z(8),
                AddLink.class, null);
        assertEquals(QpMtu.MTU_1024, resp.mtu());
        assertEquals(0xa, resp.reserved3());
    }

    static final String PAIR1 = "00000101" + "00000201" + "0000000010000000";
    static final String PAIR2 = "00000102" + "00000202" + "ffff000020000000";

    @Test
    void addLinkV2WithTwoRkeysLittleAndBigEndian() {
        String ext = "80 00" + GID2_HEX + z(8);
        RkeyPair p1 = new RkeyPair(new Rkey(0x101), new Rkey(0x201), 0x10000000L);
        RkeyPair p2 = new RkeyPair(new Rkey(0x102), new Rkey(0x202), 0xffff000020000000L);
        AddLinkV2Ext e = AddLinkV2Ext.of(true, GID2, List.of(p1, p2));
        AddLink le = golden("22 68 00 00" + ADD_LINK_V1_BODY + ext + "0200" + PAIR1 + PAIR2, AddLink.class,
                AddLink.of(LlcFraming.V2, false, MAC, GID, new Qpn(0x203), 2, QpMtu.MTU_4096, new Psn(0x123456), e));
        assertEquals(104, le.encodedLength());
        assertTrue(le.v2Ext().v2Direct());
        assertEquals(2, le.v2Ext().numRkeys());
        assertEquals(List.of(p1, p2), le.v2Ext().rkeys());
        assertEquals(GID2, le.v2Ext().clientTargetGid());
        Fields ef = (Fields) le.describe().get("v2_ext").value();
        assertEquals(70, ef.get("num_rkeys").offset());
        assertEquals(46, ef.get("client_target_gid").offset());

        AddLink be = golden("22 00 68 00" + ADD_LINK_V1_BODY + ext + "0002" + PAIR1 + PAIR2, AddLink.class,
                AddLink.of(LlcFraming.V2_BIG_ENDIAN, false, MAC, GID, new Qpn(0x203), 2, QpMtu.MTU_4096,
                        new Psn(0x123456), e));
        assertEquals(2, be.v2Ext().numRkeys(), "num_rkeys in the same host order as length_v2");
    }

    @Test
    void addLinkV2NumRkeysBeyondThePairsPresent() {
        // Linux sets num_rkeys to the connection count but may add fewer pairs
        AddLink m = golden("22 58 00 00" + ADD_LINK_V1_BODY + "80 00" + GID2_HEX + z(8) + "0300" + PAIR1,
                AddLink.class, null);
        assertEquals(3, m.v2Ext().numRkeys());
        assertEquals(1, m.v2Ext().rkeys().size());
        assertEquals("1 pairs present in the message",
                ((Fields) m.describe().get("v2_ext").value()).get("num_rkeys").note());
        assertEquals(3, m.v2Ext().pairsLinuxReads());
    }

    @Test
    void addLinkV2NumRkeysIsCastToU8ByTheLinuxReceiver() {
        // smc_llc_save_add_link_rkeys(): min_t(u8, num_rkeys, 255) truncates the u16 first
        AddLink m256 = golden("22 58 00 00" + ADD_LINK_V1_BODY + "80 00" + GID2_HEX + z(8) + "0001" + PAIR1,
                AddLink.class, null);
        assertEquals(256, m256.v2Ext().numRkeys());
        assertEquals(1, m256.v2Ext().rkeys().size());
        assertEquals(0, m256.v2Ext().pairsLinuxReads(), "256 & 0xff");
        AddLink m257 = golden("22 58 00 00" + ADD_LINK_V1_BODY + "80 00" + GID2_HEX + z(8) + "0101" + PAIR1,
                AddLink.class, null);
        assertEquals(257, m257.v2Ext().numRkeys());
        assertEquals(1, m257.v2Ext().pairsLinuxReads());
    }

    @Test
    void addLinkV2WithEqualLengthBytesTakesTheOrderFromNumRkeys() {
        // 72 + 16 * 124 = 2056 = 0x0808: the length reads the same both ways
        List<RkeyPair> pairs = java.util.Collections.nCopies(124, RkeyPair.ZERO);
        for (LlcFraming fr : List.of(LlcFraming.V2, LlcFraming.V2_BIG_ENDIAN)) {
            AddLink m = AddLink.of(fr, false, MAC, GID, new Qpn(1), 2, QpMtu.MTU_1024, new Psn(1),
                    AddLinkV2Ext.of(true, GID2, pairs));
            byte[] b = LlcCodec.toBytes(m);
            assertEquals(2056, b.length);
            assertEquals(8, b[1]);
            assertEquals(8, b[2]);
            AddLink back = assertInstanceOf(AddLink.class, LlcCodec.DEFAULT.decode(b));
            assertEquals(m, back, fr + ": num_rkeys 124 is plausible in one order only");
        }
    }

    @Test
    void addLinkV2RejectIs44BytesWithoutReason() {
        AddLink rej = golden("22 2c 00 c0" + ADD_LINK_V1_BODY, AddLink.class, null);
        assertTrue(rej.rejected());
        assertEquals(0, rej.rejectReason());
        assertNull(rej.v2Ext());
        assertFalse(rej.describe().list().stream().anyMatch(f -> f.name().equals("add_link_rej_rsn")));
    }

    // ------------------------------------------------------------------ ADD LINK CONT

    @Test
    void addLinkContRequestAndResponse() {
        RkeyPair p1 = new RkeyPair(new Rkey(0x101), new Rkey(0x201), 0x10000000L);
        RkeyPair p2 = new RkeyPair(new Rkey(0x102), new Rkey(0x202), 0xffff000020000000L);
        String body = "02" + "03" + "0000" + PAIR1 + PAIR2 + z(4);
        AddLinkCont req = golden("03 2c 00 00" + body, AddLinkCont.class, new AddLinkCont(
                LlcHeader.of(LlcFraming.V1, 0), 2, 3, Octets.zeros(2), List.of(p1, p2), Octets.zeros(4)));
        assertEquals(2, req.linkNum());
        assertEquals(3, req.numRkeys());
        assertEquals(List.of(p1, p2), req.usedPairs());
        AddLinkCont resp = golden("03 2c 00 80" + "02" + "01" + "0000" + PAIR1 + z(16) + z(4), AddLinkCont.class,
                new AddLinkCont(LlcHeader.of(LlcFraming.V1, LlcFlags.RESP), 2, 1, Octets.zeros(2),
                        List.of(p1, RkeyPair.ZERO), Octets.zeros(4)));
        assertEquals(List.of(p1), resp.usedPairs());
        assertEquals("LLC ADD LINK CONT", resp.messageName());
        assertEquals(8, resp.describe().get("rt").offset());
    }

    // ------------------------------------------------------------------ DELETE LINK

    @Test
    void deleteLinkAllOrderlyAndSingleLink() {
        DeleteLink all = golden("04 2c 00 60 00 00030000" + z(35), DeleteLink.class,
                DeleteLink.of(LlcFraming.V1, false, true, 0, LlcDeleteReason.PROG_INIT_TERM.code()));
        assertTrue(all.all());
        assertTrue(all.orderly());
        assertEquals(LlcDeleteReason.PROG_INIT_TERM, all.reasonCode());
        Fields f = all.describe();
        assertEquals("0x30000 SMC_LLC_DEL_PROG_INIT_TERM (request: program initiated termination)",
                f.get("reason").note());
        assertEquals(5, f.get("reason").offset());
        assertEquals("0x60 request|DEL_LINK_ALL|DEL_LINK_ORDERLY", f.get("flags").note());

        DeleteLink one = golden("24 2c 00 20 02 00050000" + z(35), DeleteLink.class,
                DeleteLink.of(LlcFraming.V2, false, true, 2, LlcDeleteReason.NO_ASYM_NEEDED.code()));
        assertFalse(one.all());
        assertEquals(2, one.linkNum());
        DeleteLink resp = golden("24 2c 00 80 07 00100000" + z(35), DeleteLink.class,
                DeleteLink.of(LlcFraming.V2, true, false, 7, LlcDeleteReason.NOLNK.code()));
        assertEquals(LlcDeleteReason.NOLNK, resp.reasonCode());
        DeleteLink viol = golden("04 2c 00 40 00 00040000" + z(35), DeleteLink.class, null);
        assertEquals(0x00040000L, viol.reason());
        assertEquals(LlcDeleteReason.PROT_VIOL, viol.reasonCode());
    }

    // ------------------------------------------------------------------ REQ ADD LINK

    @Test
    void reqAddLinkV2RequestAndResponse() {
        String bytes = "25 3c 00 00" + z(20) + "02" + "000000" + GID2_HEX + GID_HEX;
        ReqAddLink req = golden(bytes, ReqAddLink.class, ReqAddLink.request(LlcFraming.V2, List.of(GID2, GID)));
        assertEquals(60, req.encodedLength());
        assertEquals(2, req.gidCnt());
        assertEquals(List.of(GID2, GID), req.gids());
        assertEquals(28, req.describe().get("gid").offset());

        // smc_llc_send_req_add_link_response(): flags |= RESP (the request's flags are 0), length 44,
        // the 40 body bytes zeroed; no NO_RMBE_EYEC (that flag belongs to CONFIRM LINK only)
        ReqAddLink resp = golden("25 2c 00 80" + z(40), ReqAddLink.class, ReqAddLink.response(LlcFraming.V2));
        assertEquals(resp, req.response());
        assertTrue(resp.isResponse());
        assertEquals(0, resp.gidCnt());
        assertTrue(resp.gids().isEmpty());
        assertEquals("0x80 RESP", resp.describe().get("flags").note());
        // a request with other flag bits keeps them; they are not named NO_RMBE_EYEC for this type
        ReqAddLink odd = golden("25 2c 00 83" + z(40), ReqAddLink.class,
                req.withHeader(LlcHeader.of(LlcFraming.V2, 0x03)).response());
        assertEquals("0x83 RESP|unknown 0x03", odd.describe().get("flags").note());

        ReqAddLink one = golden("25 2c 00 00" + z(20) + "01" + "000000" + GID2_HEX, ReqAddLink.class,
                ReqAddLink.request(LlcFraming.V2, List.of(GID2)));
        assertEquals(List.of(GID2), one.gids());
    }

    @Test
    void reqAddLinkV1TypeDecodesButLinuxDropsIt() {
        byte[] b = hex("05 2c 00 00" + z(20) + "01" + "000000" + GID2_HEX);
        ReqAddLink m = assertInstanceOf(ReqAddLink.class, LlcCodec.DEFAULT.decode(b));
        assertEquals(List.of(GID2), m.gids());
        assertTrue(m.describe().get("type").note().contains("drops"));
        ProtocolException e = fails(LlcCodec.KERNEL_STRICT, b);
        assertTrue(LlcCodec.droppedByKernel(e));
        assertEquals(0, e.offset());
    }

    @Test
    void reqAddLinkGidCountBeyondLengthReadsOnlyWhatIsThere() {
        ReqAddLink m = golden("25 2c 00 00" + z(20) + "05" + "000000" + GID2_HEX, ReqAddLink.class, null);
        assertEquals(5, m.gidCnt());
        assertEquals(List.of(GID2), m.gids());
    }

    // ------------------------------------------------------------------ CONFIRM RKEY

    static final String RKEY_BODY = "02" + "00001234" + "0000000012340000" + "02" + "00005678" + "0000000056780000"
            + "03" + "00009abc" + "ffffffff9abc0000" + "00";

    @Test
    void confirmRkeyRequestNegativeAndRetry() {
        List<Rtoken> others = List.of(new Rtoken(2, new Rkey(0x5678), 0x56780000L),
                new Rtoken(3, new Rkey(0x9abc), 0xffffffff9abc0000L));
        ConfirmRkey req = golden("06 2c 00 00" + RKEY_BODY, ConfirmRkey.class,
                new ConfirmRkey(LlcHeader.of(LlcFraming.V1, 0), 2, new Rkey(0x1234), 0x12340000L, others, 0));
        assertEquals(2, req.numRkeys());
        assertEquals(0x1234L, req.rmbKey().unsigned());
        assertEquals(0x12340000L, req.rmbVaddr());
        assertEquals(others, req.others());
        // smc_llc_rmt_conf_rkey(): a failed store sets RKEY_NEG and RKEY_RETRY together
        ConfirmRkey retry = golden("06 2c 00 b0" + RKEY_BODY, ConfirmRkey.class, req.response(true));
        assertTrue(retry.negative());
        assertTrue(retry.retry());
        ConfirmRkey neg = golden("06 2c 00 a0" + RKEY_BODY, ConfirmRkey.class, null);
        assertTrue(neg.negative());
        assertFalse(neg.retry(), "NEG without RETRY decodes (Linux's requester tests only NEG)");
        assertEquals("0xb0 RESP|RKEY_NEG|RKEY_RETRY", retry.describe().get("flags").note());
        ConfirmRkey v2 = golden("26 2c 00 80" + RKEY_BODY, ConfirmRkey.class,
                req.response(false).withHeader(LlcHeader.of(LlcFraming.V2, LlcFlags.RESP)));
        assertEquals(0x26, v2.typeByte());
        Fields t1 = (Fields) ((List<?>) v2.describe().get("rtoken").value()).get(1);
        assertEquals(30, t1.get("link_id").offset());
        assertEquals(35, t1.get("rmb_vaddr").offset());
        assertEquals(new java.math.BigInteger("ffffffff9abc0000", 16), t1.get("rmb_vaddr").value(), "u64 unsigned");
        assertEquals("0xffffffff9abc0000", t1.get("rmb_vaddr").note());
        assertTrue(v2.describe().toJson().contains("\"rmb_vaddr\":18446744072010596352"), v2.describe().toJson());
    }

    // ------------------------------------------------------------------ TEST LINK

    @Test
    void testLinkRequestAndEcho() {
        String ud = "000102030405060708090a0b0c0d0e0f";
        TestLink req = golden("07 2c 00 00" + ud + z(24), TestLink.class,
                TestLink.of(LlcFraming.V1, false, Octets.of(hex(ud))));
        assertEquals(ud, req.userData().hex());
        TestLink resp = golden("07 2c 00 80" + ud + z(24), TestLink.class, req.response());
        assertTrue(resp.isResponse());
        golden("27 2c 00 80" + z(40), TestLink.class, TestLink.of(LlcFraming.V2, true, Octets.zeros(16)));
    }

    // ------------------------------------------------------------------ CONFIRM RKEY CONT

    @Test
    void confirmRkeyContV1() {
        String body = "02" + "02" + "00005678" + "0000000056780000" + "03" + "00009abc" + "0000000090000000" + z(13);
        ConfirmRkeyCont m = golden("08 2c 00 00" + body, ConfirmRkeyCont.class, new ConfirmRkeyCont(
                LlcHeader.of(LlcFraming.V1, 0), 2, List.of(new Rtoken(2, new Rkey(0x5678), 0x56780000L),
                new Rtoken(3, new Rkey(0x9abc), 0x90000000L), Rtoken.ZERO)));
        assertEquals(2, m.numRkeys());
        assertEquals(5, m.describe().get("rtoken").offset());
        // no v2 receive handler in Linux
        byte[] v2 = hex("28 2c 00 00" + body);
        assertInstanceOf(ConfirmRkeyCont.class, LlcCodec.DEFAULT.decode(v2));
        assertTrue(LlcCodec.droppedByKernel(fails(LlcCodec.KERNEL_STRICT, v2)));
    }

    // ------------------------------------------------------------------ DELETE RKEY

    static List<Rkey> keys(int... k) {
        List<Rkey> l = new ArrayList<>();
        for (int i : k) {
            l.add(new Rkey(i));
        }
        return l;
    }

    @Test
    void deleteRkeyV1RequestAndNegativeResponse() {
        String slots = "00000011" + "00000022" + "00000033" + z(20);
        DeleteRkey req = golden("09 2c 00 00 03 00 0000" + slots + z(4), DeleteRkey.class,
                DeleteRkey.of(LlcFraming.V1, keys(0x11, 0x22, 0x33)));
        assertEquals(3, req.numRkeys());
        assertEquals(keys(0x11, 0x22, 0x33), req.usedKeys());
        assertEquals(8, req.rkeys().size());
        DeleteRkey neg = golden("09 2c 00 a0 03 40 0000" + slots + z(4), DeleteRkey.class, req.response(0x40));
        assertTrue(neg.negative());
        golden("09 2c 00 80 03 00 0000" + slots + z(4), DeleteRkey.class, req.response(0));
        assertEquals(0x40, neg.errMask(), "bit 7-1: rkey 1 unknown");
        assertEquals("0x40 bit 7-i set: rkey i unknown", neg.describe().get("err_mask").note());
        assertEquals(40, neg.describe().get("reserved2").offset());
    }

    @Test
    void deleteRkeyV2SmallResponseAndLarge() {
        // smc_llc_rmt_delete_rkey() v2: keys and reserved2 zeroed, byte 5 = number of unknown keys
        DeleteRkey v2req = golden("29 2c 00 00 01 00 0000" + "00000777" + z(32), DeleteRkey.class,
                DeleteRkey.of(LlcFraming.V2, keys(0x777)));
        DeleteRkey resp = golden("29 2c 00 a0 01 01 0000" + z(36), DeleteRkey.class, v2req.response(1));
        assertEquals(1, resp.errMask(), "v2: num_inval_rkeys");
        assertEquals(1, ((Number) resp.describe().get("num_inval_rkeys").value()).intValue());
        golden("29 2c 00 80 01 00 0000" + z(36), DeleteRkey.class, v2req.response(0));

        StringBuilder ten = new StringBuilder();
        int[] k = new int[10];
        for (int i = 0; i < 10; i++) {
            k[i] = 0x100 + i;
            ten.append(String.format("%08x", k[i]));
        }
        DeleteRkey large = golden("29 30 00 00 0a 00 0000" + ten, DeleteRkey.class,
                DeleteRkey.ofV2Large(LlcFraming.V2, keys(k)));
        assertEquals(48, large.encodedLength());
        assertEquals(keys(k), large.usedKeys());
        assertEquals(0, large.header().trailer().length());
        // the response to a long v2 request is the 44-byte form with zeroed keys, count of unknown keys
        golden("29 2c 00 a0 0a 03 0000" + z(36), DeleteRkey.class, large.response(3));
    }

    // ------------------------------------------------------------------ framing and errors

    @Test
    void cdcIsNotLlc() {
        ProtocolException e = fails(LlcCodec.DEFAULT, hex("fe 2c" + z(42)));
        assertTrue(e.reason().contains("CDC"));
        assertFalse(LlcCodec.droppedByKernel(e));
        assertEquals(LlcCodec.DECLINE_CODE, e.declineCode());
    }

    @Test
    void kernelDropRulesBecomeProtocolExceptions() {
        ProtocolException shortMsg = fails(LlcCodec.DEFAULT, hex("07 2c 00 00" + z(39)));
        assertTrue(LlcCodec.droppedByKernel(shortMsg));
        assertEquals(43, shortMsg.offset());
        ProtocolException v1len = fails(LlcCodec.DEFAULT, hex("07 2b 00 00" + z(40)));
        assertTrue(LlcCodec.droppedByKernel(v1len));
        assertEquals(1, v1len.offset());
        ProtocolException v2short = fails(LlcCodec.DEFAULT, hex("27 2b 00 00" + z(40)));
        assertTrue(LlcCodec.droppedByKernel(v2short));
        for (String t : List.of("00", "0a", "0f", "20", "2a", "11", "31", "f1")) {
            ProtocolException e = fails(LlcCodec.DEFAULT, hex(t + " 2c 00 00" + z(40)));
            assertTrue(LlcCodec.droppedByKernel(e), t);
            assertEquals(0, e.offset());
        }
        ProtocolException over = fails(LlcCodec.DEFAULT, hex("27 2d 00 00" + z(40)));
        assertFalse(LlcCodec.droppedByKernel(over), "declares more than received");
        assertEquals(1, over.offset());
        ProtocolException huge = fails(LlcCodec.DEFAULT, new byte[9000]);
        assertTrue(huge.reason().contains("unknown LLC type"));
    }

    @Test
    void v1MessageInA48ByteReceiveBuffer() {
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(hex(CONFIRM_LINK_V1));
        b.writeBytes(hex("a5a5a5a5"));
        ConfirmLink m = assertInstanceOf(ConfirmLink.class, LlcCodec.DEFAULT.decode(b, 48));
        assertEquals(44, m.encodedLength());
        assertEquals(0, b.readableBytes(), "the whole SEND payload is consumed");
    }

    @Test
    void lengthOrderRule() {
        assertEquals(LengthOrder.LITTLE_ENDIAN, LlcCodec.lengthOrder(0x2c, 0x00, 44));
        assertEquals(LengthOrder.BIG_ENDIAN, LlcCodec.lengthOrder(0x00, 0x2c, 44));
        assertEquals(LengthOrder.LITTLE_ENDIAN, LlcCodec.lengthOrder(0x58, 0x00, 8192));
        // 02 01: 258 LE or 513 BE
        assertEquals(LengthOrder.LITTLE_ENDIAN, LlcCodec.lengthOrder(0x02, 0x01, 258));
        assertEquals(LengthOrder.BIG_ENDIAN, LlcCodec.lengthOrder(0x02, 0x01, 513));
        assertEquals(LengthOrder.LITTLE_ENDIAN, LlcCodec.lengthOrder(0x02, 0x01, 300), "513 > received");
        ProtocolException amb = assertThrows(ProtocolException.class, () -> LlcCodec.lengthOrder(0x02, 0x01, 600));
        assertTrue(amb.reason().contains("ambiguous"));
        assertEquals(1, amb.offset());
        // equal readings: reported little-endian
        assertEquals(LengthOrder.LITTLE_ENDIAN, LlcCodec.lengthOrder(0x01, 0x01, 257));
    }

    @Test
    void ambiguousLengthWholeMessage() {
        // DELETE RKEY v2 of 258 bytes with 2 more bytes received: 258 LE / 513 BE
        byte[] b = new byte[600];
        b[0] = 0x29;
        b[1] = 0x02;
        b[2] = 0x01;
        ProtocolException e = fails(LlcCodec.DEFAULT, b);
        assertTrue(e.reason().contains("ambiguous"), e.getMessage());
        byte[] exact = java.util.Arrays.copyOf(b, 258);
        DeleteRkey d = assertInstanceOf(DeleteRkey.class, LlcCodec.DEFAULT.decode(exact));
        assertEquals(LlcFraming.V2, d.framing());
        assertArrayEquals(exact, LlcCodec.toBytes(d));
    }

    @Test
    void encodeAppendsAtTheWriterIndex() {
        ByteBuf out = Unpooled.buffer();
        out.writeByte(0x99);
        TestLink t = TestLink.of(LlcFraming.V2, false, Octets.zeros(16));
        assertEquals(44, LlcCodec.encode(t, out));
        assertEquals(45, out.readableBytes());
        out.skipBytes(1);
        assertEquals(t, LlcCodec.DEFAULT.decode(out, 44));
    }

    @Test
    void constructorsRejectValuesThatCannotBeEncoded() {
        assertThrows(IllegalArgumentException.class,
                () -> new LlcHeader(LlcFraming.V2, 0, 1, Octets.EMPTY), "byte 2 is part of length_v2");
        assertThrows(IllegalArgumentException.class, () -> new TestLink(
                new LlcHeader(LlcFraming.V1, 0, 0, Octets.zeros(1)), Octets.zeros(16), Octets.zeros(24)));
        assertThrows(IllegalArgumentException.class, () -> new TestLink(
                new LlcHeader(LlcFraming.V2, 0, 0, Octets.zeros(8200)), Octets.zeros(16), Octets.zeros(24)));
        assertThrows(IllegalArgumentException.class, () -> AddLink.of(LlcFraming.V1, false, MAC, GID, new Qpn(1),
                1, QpMtu.MTU_1024, new Psn(1), AddLinkV2Ext.of(true, GID, List.of())));
        assertThrows(IllegalArgumentException.class, () -> new AddLinkV2Ext(false, 0, 0, GID, Octets.zeros(8), 0,
                List.of(RkeyPair.ZERO)));
        assertThrows(IllegalArgumentException.class, () -> DeleteRkey.of(LlcFraming.V1, keys(1, 2, 3, 4, 5, 6, 7,
                8, 9)));
    }
}
