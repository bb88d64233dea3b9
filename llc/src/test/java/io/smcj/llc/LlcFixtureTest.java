package io.smcj.llc;

import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.QpMtu;
import io.smcj.protocol.pcap.SmcCapture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every LLC message in the kernel captures (fixtures/kernel-6.1, fixtures/kernel-6.12) decodes with
 * the values the fixtures README states and re-encodes to the same bytes.
 */
class LlcFixtureTest {
    static Path fixtures() {
        Path root = Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures");
        assertTrue(Files.isDirectory(root), "fixtures missing: " + root);
        return root;
    }

    static Path fixture(String name) {
        Path p = fixtures().resolve(name);
        assertTrue(Files.exists(p), "fixture missing: " + p);
        return p;
    }

    /** The RoCE SEND payloads of a capture that are not CDC (first byte != 0xFE). */
    static List<SmcCapture.Message> llc(Path pcap) throws IOException {
        return SmcCapture.messages(pcap).stream()
                .filter(m -> m.carrier() == SmcCapture.Carrier.ROCE_SEND && m.firstByte() != LlcCodec.CDC_TYPE)
                .toList();
    }

    static List<Path> allCaptures() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("kernel-6.1", "kernel-6.12")) {
            try (Stream<Path> s = Files.list(fixtures().resolve(dir))) {
                s.filter(p -> p.toString().endsWith(".pcap")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    static LlcMessage decode(SmcCapture.Message m) {
        return LlcCodec.KERNEL_STRICT.decode(m.bytes());
    }

    @Test
    void everyLlcMessageOfEveryCaptureDecodesAndReencodesByteExact() throws Exception {
        int count = 0;
        for (Path p : allCaptures()) {
            for (SmcCapture.Message m : llc(p)) {
                LlcMessage msg = decode(m);
                assertEquals(LlcFraming.V2, msg.framing(), p + " frame " + m.frameNumber() + ": v2 little-endian");
                assertArrayEquals(m.bytes(), LlcCodec.toBytes(msg), p + " frame " + m.frameNumber());
                assertEquals(m.bytes().length, msg.encodedLength());
                assertFalse(msg.describe().list().isEmpty());
                assertTrue(msg.describe().toJson().startsWith("{\"type\":" + (m.bytes()[0] & 0xff)));
                assertTrue(msg.messageName().startsWith("LLC "));
                count++;
            }
        }
        assertEquals(59, count, "LLC messages in the seven captures (8+2+17 in 6.1, 16+8+8 in 6.12)");
    }

    @Test
    void firstContactCaptureHasConfirmLinkAddLinkRejectAndDeleteRkey() throws Exception {
        List<LlcMessage> msgs = llc(fixture("kernel-6.1/a_smcr_full.pcap")).stream().map(LlcFixtureTest::decode)
                .toList();
        ConfirmLink req = assertInstanceOf(ConfirmLink.class, msgs.get(0));
        assertEquals(0x03, req.flags(), "request: NO_RMBE_EYEC");
        assertTrue(req.noRmbeEyecatcher());
        assertFalse(req.isResponse());
        assertEquals(44, req.encodedLength());
        assertEquals(MacAddress.parse("52:54:00:99:00:01"), req.senderMac());
        assertEquals(Gid.parse("::ffff:10.99.0.1"), req.senderGid());
        assertEquals(0x11, req.senderQpNum().value());
        assertEquals(1, req.linkNum());
        assertEquals(0x00000101, req.linkUid());
        assertEquals(2, req.maxLinks());
        assertEquals(0, req.maxConns(), "6.1 is v2.0: no max_conns");
        ConfirmLink resp = assertInstanceOf(ConfirmLink.class, msgs.get(1));
        assertEquals(0x83, resp.flags(), "response: RESP|NO_RMBE_EYEC");
        assertEquals(Gid.parse("::ffff:10.99.0.2"), resp.senderGid());

        AddLink add = assertInstanceOf(AddLink.class, msgs.get(2));
        assertEquals(88, add.encodedLength());
        assertEquals(0, add.flags());
        assertEquals(2, add.linkNum());
        assertEquals(QpMtu.MTU_1024, add.mtu());
        assertEquals(0x12, add.senderQpNum().value());
        assertEquals(0x3976d1, add.initialPsn().value());
        AddLinkV2Ext ext = add.v2Ext();
        assertTrue(ext.v2Direct());
        assertEquals(Gid.parse("::ffff:10.99.0.1"), ext.clientTargetGid());
        assertEquals(1, ext.numRkeys());
        assertEquals(0x39bL, ext.rkeys().get(0).rmbKey().unsigned());
        assertEquals(0x59aL, ext.rkeys().get(0).rmbKeyNew().unsigned());
        assertEquals(0xff181dbdc9b40000L, ext.rkeys().get(0).rmbVaddrNew());

        AddLink rej = assertInstanceOf(AddLink.class, msgs.get(3));
        assertEquals(0xc0, rej.flags(), "rejecting response");
        assertTrue(rej.rejected());
        assertTrue(rej.isResponse());
        assertEquals(44, rej.encodedLength());
        assertNull(rej.v2Ext());
        assertEquals(0, rej.rejectReason(), "v2: the reason nibble is overwritten by length_v2");
        assertEquals(add.reject(), rej, "the reject is the request's first 44 bytes echoed with 0xc0");

        List<DeleteRkey> del = msgs.stream().filter(DeleteRkey.class::isInstance).map(DeleteRkey.class::cast)
                .toList();
        assertEquals(4, del.size(), "DELETE RKEY both ways");
        assertEquals(2, del.stream().filter(d -> !d.isResponse()).count());
        for (DeleteRkey d : del) {
            assertEquals(1, d.numRkeys());
            assertEquals(44, d.encodedLength());
            if (d.isResponse()) {
                assertEquals(0, d.usedKeys().get(0).value(), "Linux zeroes the keys in its v2 response");
                assertFalse(d.negative());
                assertTrue(del.stream().anyMatch(r -> !r.isResponse() && r.response(0).equals(d)),
                        "the response is what smc_llc_rmt_delete_rkey() makes of one of the requests");
            } else {
                assertTrue(d.usedKeys().get(0).value() != 0);
            }
        }
    }

    @Test
    void reuseCaptureHasConfirmRkeyBothWays() throws Exception {
        List<LlcMessage> msgs = llc(fixture("kernel-6.1/c1_two_conns_same_lgr.pcap")).stream()
                .map(LlcFixtureTest::decode).toList();
        List<ConfirmRkey> cr = msgs.stream().filter(ConfirmRkey.class::isInstance).map(ConfirmRkey.class::cast)
                .toList();
        assertTrue(cr.stream().anyMatch(c -> !c.isResponse()));
        assertTrue(cr.stream().anyMatch(ConfirmRkey::isResponse));
        ConfirmRkey first = cr.get(0);
        assertEquals(0x26, first.typeByte());
        assertEquals(0, first.numRkeys());
        assertEquals(0x39bL, first.rmbKey().unsigned());
        assertEquals(0xff181dbdc9b40000L, first.rmbVaddr());
        assertEquals(first.response(false), cr.get(1), "the response echoes the request with RESP");
    }

    @Test
    void linux612ConfirmLinkCarriesMaxLinksAndMaxConns() throws Exception {
        List<LlcMessage> msgs = llc(fixture("kernel-6.12/smcr612-a-first-4k.pcap")).stream()
                .map(LlcFixtureTest::decode).toList();
        ConfirmLink req = assertInstanceOf(ConfirmLink.class, msgs.get(0));
        ConfirmLink resp = assertInstanceOf(ConfirmLink.class, msgs.get(1));
        for (ConfirmLink c : List.of(req, resp)) {
            assertEquals(2, c.maxLinks());
            assertEquals(255, c.maxConns());
        }
        assertEquals(0x03, req.flags());
        assertEquals(0x83, resp.flags());
        AddLink rej = assertInstanceOf(AddLink.class, msgs.get(3));
        assertEquals(0xc0, rej.flags());
    }

    @Test
    void mixed612And61UsesRelease0Fields() throws Exception {
        List<LlcMessage> msgs = llc(fixture("kernel-6.12/smcr-mixed-srv612-cli61-4k.pcap")).stream()
                .map(LlcFixtureTest::decode).toList();
        ConfirmLink req = assertInstanceOf(ConfirmLink.class, msgs.get(0));
        assertEquals(2, req.maxLinks());
        assertEquals(0, req.maxConns(), "v2.0 between 6.12 and 6.1");
        assertEquals(0x03, req.flags());
        assertEquals(0x83, ((ConfirmLink) msgs.get(1)).flags());
        assertEquals(88, msgs.get(2).encodedLength());
        assertEquals(0xc0, msgs.get(3).flags());
    }

    @Test
    void testLinkInTheDeclineCaptureIsEchoed() throws Exception {
        List<LlcMessage> msgs = llc(fixture("kernel-6.1/b2_decline_server_no_ueid.pcap")).stream()
                .map(LlcFixtureTest::decode).toList();
        TestLink req = assertInstanceOf(TestLink.class, msgs.get(0));
        assertTrue(req.userData().isZero());
        assertEquals(req.response(), msgs.get(1));
    }
}
