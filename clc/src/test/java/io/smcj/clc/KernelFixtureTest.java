package io.smcj.clc;

import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.OsType;
import io.smcj.protocol.PeerId;
import io.smcj.protocol.SmcType;
import io.smcj.protocol.pcap.SmcCapture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every CLC message Linux 6.1 and 6.12 sent in the captures under fixtures/ decodes and re-encodes identically. */
class KernelFixtureTest {
    static Path fixtures() {
        Path root = Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures");
        assertTrue(Files.isDirectory(root), "fixtures missing: " + root);
        return root;
    }

    static List<SmcCapture.Message> clc(String name) throws IOException {
        Path p = fixtures().resolve(name);
        assertTrue(Files.exists(p), "fixture missing: " + p);
        // clcMessages groups by TCP direction; put them in capture order
        return SmcCapture.clcMessages(SmcCapture.packets(p)).stream()
                .sorted(java.util.Comparator.comparingInt(SmcCapture.Message::frameNumber)).toList();
    }

    @Test
    void shouldDecodeAndReEncodeEveryClcMessageOfEveryCapture() throws IOException {
        int count = 0;
        try (Stream<Path> files = Files.walk(fixtures())) {
            for (Path p : files.filter(f -> f.toString().endsWith(".pcap")).sorted().toList()) {
                for (SmcCapture.Message m : SmcCapture.clcMessages(SmcCapture.packets(p))) {
                    ClcMessage msg = ClcCodec.decode(m.bytes());
                    assertArrayEquals(m.bytes(), ClcCodec.encode(msg), p + " frame " + m.frameNumber());
                    assertEquals(m.bytes().length, msg.length());
                    assertFalse(msg.describe().toText().isEmpty());
                    assertTrue(msg.describe().toJson().startsWith("{"));
                    count++;
                }
            }
        }
        assertTrue(count >= 14, "CLC messages found: " + count);
    }

    @Test
    void shouldShowTheFirstContactHandshakeOfLinux61() throws IOException {
        List<SmcCapture.Message> clc = clc("kernel-6.1/a_smcr_full.pcap");
        assertEquals(List.of(156, 160, 180), clc.stream().map(m -> m.bytes().length).toList());

        ClcProposal p = assertInstanceOf(ClcProposal.class, ClcCodec.decode(clc.get(0).bytes()));
        assertEquals(2, p.header().version());
        assertEquals(2, p.header().typev1(), "no SMC-R v1 offered (rxe has no RoCE v1 GID)");
        assertEquals(0, p.header().typev2(), "SMC-R v2");
        assertEquals(0, p.ipareaOffset());
        assertNull(p.prefix());
        assertEquals(28, p.smcd().v2ExtOffset());
        assertEquals(80, p.v2ExtensionOffset());
        assertEquals(List.of("SMCTEST-UEID"), p.v2Extension().eidTexts());
        assertEquals(0, p.v2Extension().release(), "Linux 6.1 sends release 0");
        assertFalse(p.v2Extension().seid());
        assertEquals(Gid.parse("::ffff:10.99.0.2"), p.v2Extension().roce());
        assertEquals(0, p.v2Extension().maxConns(), "6.1 leaves the v2.1 fields zero");
        assertEquals(0, p.v2Extension().featureMask());
        assertNull(p.smcdV2Extension());

        ClcAcceptConfirm a = assertInstanceOf(ClcAcceptConfirm.class, ClcCodec.decode(clc.get(1).bytes()));
        assertEquals(ClcType.ACCEPT, a.type());
        assertTrue(a.firstContact());
        assertEquals(Gid.parse("::ffff:10.99.0.1"), a.gid());
        assertEquals("52:54:00:99:00:01", a.mac().toString());
        assertEquals(1, a.rmbeIdx());
        assertEquals(1, a.rmbeAlertToken());
        assertEquals("SMCTEST-UEID", a.eidText());
        assertTrue(a.fce().v2Direct());
        assertEquals(OsType.LINUX.wire(), a.fce().osType());
        assertEquals(0, a.fce().release());
        assertEquals("vm1", a.fce().hostnameText());
        assertEquals(0, a.fce().v2x().maxConns());
        assertEquals(0, a.extra().length());

        ClcAcceptConfirm c = assertInstanceOf(ClcAcceptConfirm.class, ClcCodec.decode(clc.get(2).bytes()));
        assertEquals(ClcType.CONFIRM, c.type());
        assertTrue(c.firstContact());
        assertEquals("vm2", c.fce().hostnameText());
        assertEquals(List.of(Gid.parse("::ffff:10.99.0.2")), c.gidList().gids());
        assertEquals(1, c.rmbeAlertToken());
    }

    @Test
    void shouldShowV21NegotiationBetweenLinux612() throws IOException {
        List<SmcCapture.Message> clc = clc("kernel-6.12/smcr612-a-first-4k.pcap");
        ClcProposal p = (ClcProposal) ClcCodec.decode(clc.get(0).bytes());
        assertEquals(1, p.v2Extension().release());
        assertEquals(255, p.v2Extension().maxConns());
        assertEquals(2, p.v2Extension().maxLinks());
        assertEquals(1, p.v2Extension().featureMask());
        for (int i = 1; i <= 2; i++) {
            ClcAcceptConfirm ac = (ClcAcceptConfirm) ClcCodec.decode(clc.get(i).bytes());
            assertEquals(1, ac.fce().release());
            assertEquals(255, ac.fce().v2x().maxConns());
            assertEquals(2, ac.fce().v2x().maxLinks());
            assertEquals(1, ac.fce().v2x().featureMask());
        }
    }

    /**
     * The factories that claim to build messages "as Linux does" reproduce the 6.12 kernel's bytes
     * from the decoded values (smc_clc_send_proposal, smcr_clc_prep_confirm_accept +
     * smc_clc_fill_fce_v2x, smc_clc_send_decline).
     */
    @Test
    void shouldRebuildTheLinux612MessagesWithTheLinuxFactories() throws IOException {
        for (String f : List.of("kernel-6.12/smcr612-a-first-4k.pcap", "kernel-6.12/smcr-mixed-srv612-cli61-4k.pcap")) {
            List<SmcCapture.Message> clc = clc(f);
            ClcProposal p = (ClcProposal) ClcCodec.decode(clc.get(0).bytes());
            // smc_clc_send_proposal fills id_for_peer, gid and mac only when typev1 offers SMC-R
            assertEquals(SmcType.N.wire(), p.header().typev1());
            assertTrue(p.peerId().equals(PeerId.of(new byte[8])) && p.gid().equals(Gid.of(new byte[16]))
                    && p.mac().equals(MacAddress.of(new byte[6])), f + ": local area zero without SMC-R v1");
            ClcProposal.V2Extension e = p.v2Extension();
            ClcProposal built = ClcProposal.linux(SmcType.N.wire(), SmcType.R.wire(), PeerId.of(new byte[8]),
                    Gid.of(new byte[16]), MacAddress.of(new byte[6]), ClcProposal.SmcdArea.empty(0), null,
                    ClcProposal.V2Extension.smcr(e.release(), e.roce(), e.maxConns(), e.maxLinks(), e.featureMask(),
                            e.eidTexts()), null);
            assertArrayEquals(clc.get(0).bytes(), ClcCodec.encode(built), f + ": Proposal");

            ClcAcceptConfirm a = (ClcAcceptConfirm) ClcCodec.decode(clc.get(1).bytes());
            assertEquals(1, a.rmbeIdx(), "smcr_clc_prep_confirm_accept: 1 RMB = 1 RMBE");
            int release = a.fce().release();
            ClcAcceptConfirm.V2x x = a.fce().v2x();
            assertEquals(release >= 1 ? List.of(255, 2, 1) : List.of(0, 0, 0),
                    List.of(x.maxConns(), x.maxLinks(), x.featureMask()),
                    f + ": smc_clc_fill_fce_v2x writes the v2.1 fields only for release >= 1 but always 52 bytes");
            ClcAcceptConfirm builtA = ClcAcceptConfirm.v2(ClcType.ACCEPT, link(a), a.eidText(),
                    ClcAcceptConfirm.FirstContactExt.linux(a.fce().v2Direct(), release, a.fce().hostnameText(),
                            x.maxConns(), x.maxLinks(), x.featureMask()), null);
            assertArrayEquals(clc.get(1).bytes(), ClcCodec.encode(builtA), f + ": Accept");
        }
        // the Confirm of a 6.12 client (first contact: FCE echoing the negotiated values, GID list)
        List<SmcCapture.Message> clc = clc("kernel-6.12/smcr612-a-first-4k.pcap");
        ClcAcceptConfirm c = (ClcAcceptConfirm) ClcCodec.decode(clc.get(2).bytes());
        ClcAcceptConfirm.V2x x = c.fce().v2x();
        ClcAcceptConfirm builtC = ClcAcceptConfirm.v2(ClcType.CONFIRM, link(c), c.eidText(),
                ClcAcceptConfirm.FirstContactExt.linux(c.fce().v2Direct(), c.fce().release(), c.fce().hostnameText(),
                        x.maxConns(), x.maxLinks(), x.featureMask()), c.gidList().gids());
        assertArrayEquals(clc.get(2).bytes(), ClcCodec.encode(builtC), "Confirm");
    }

    static ClcAcceptConfirm.Link link(ClcAcceptConfirm m) {
        return new ClcAcceptConfirm.Link(m.peerId(), m.gid(), m.mac(), m.qpn(), m.rmbRkey(), m.rmbeIdx(),
                m.rmbeAlertToken(), m.rmbeSize(), m.qpMtu(), m.rmbDmaAddr(), m.psn());
    }

    @Test
    void shouldNegotiateRelease0BetweenLinux612ServerAnd61Client() throws IOException {
        List<SmcCapture.Message> clc = clc("kernel-6.12/smcr-mixed-srv612-cli61-4k.pcap");
        ClcProposal p = (ClcProposal) ClcCodec.decode(clc.get(0).bytes());
        assertEquals(0, p.v2Extension().release());
        ClcAcceptConfirm a = (ClcAcceptConfirm) ClcCodec.decode(clc.get(1).bytes());
        assertEquals(0, a.fce().release());
    }

    @Test
    void shouldReuseTheLinkGroupWithoutFirstContact() throws IOException {
        List<SmcCapture.Message> clc = clc("kernel-6.1/c1_two_conns_same_lgr.pcap");
        List<ClcAcceptConfirm> confirms = clc.stream().map(m -> ClcCodec.decode(m.bytes()))
                .filter(m -> m.type() == ClcType.CONFIRM).map(ClcAcceptConfirm.class::cast).toList();
        assertEquals(2, confirms.size());
        for (ClcAcceptConfirm c : confirms) {
            assertFalse(c.firstContact());
            assertEquals(108, c.length());
            assertNull(c.fce());
        }
        assertEquals(List.of(2, 3), confirms.stream().map(ClcAcceptConfirm::rmbeAlertToken).toList());
    }

    @Test
    void shouldDecodeTheV2DeclineOfAServerWithoutUeid() throws IOException {
        List<SmcCapture.Message> clc = clc("kernel-6.1/b2_decline_server_no_ueid.pcap");
        ClcDecline d = assertInstanceOf(ClcDecline.class, ClcCodec.decode(clc.get(1).bytes()));
        assertEquals(44, d.length());
        assertEquals(DeclineCode.NOSMCDEV.value(), d.peerDiagnosis());
        assertEquals(OsType.LINUX.wire(), d.osType());
        assertFalse(d.outOfSync());
        assertEquals(List.of(0, 0, 0, 0), d.peerDiagnosisV2());
        assertTrue(d.describe().toText().contains("NOSMCDEV"));
        // the server had no UEID at all, the client proposed one: that is NOSMCDEV, not NOUEID
        // (smc_find_rdma_v2_device_serv drops v2 silently, smc_find_rdma_v1_device_serv declines)
        assertArrayEquals(clc.get(1).bytes(), ClcCodec.encode(ClcDecline.linux(2, d.peerId(), DeclineCode.NOSMCDEV)),
                "smc_clc_send_decline");
    }
}
