package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smcj.clc.ClcAcceptConfirm;
import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcDecline;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcProposal;
import io.smcj.clc.ClcType;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sans-IO CLC decisions of both roles, message by message. */
class ClcHandshakeTest {
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");
    static final PeerId PEER = new PeerId(0x1234, MAC);
    static final Gid GID = Gid.parse("::ffff:10.0.0.1");

    static LocalSmc me(boolean v1, boolean v2, List<String> ueids, int maxConns, int maxLinks) {
        return new LocalSmc(PEER, GID, MAC, 0x0a000000, 24, v1, v2, ueids, maxConns, maxLinks, "host");
    }

    /** Round trip through the codec, as the peer would see it. */
    static ClcMessage wire(ClcMessage m) {
        return ClcCodec.decode(ClcCodec.encode(m));
    }

    @Test
    void v2ProposalIsAcceptedWithTheCommonUeidAndTheSmallerLimits() {
        ClcMessage p = wire(ClcHandshake.proposal(me(true, true, List.of("A", "B"), 100, 2)));
        ClcHandshake.Outcome o = ClcHandshake.serverOnProposal(me(true, true, List.of("B"), 255, 1), p);
        ClcHandshake.Proceed pr = assertInstanceOf(ClcHandshake.Proceed.class, o);
        assertEquals(2, pr.version());
        assertEquals(1, pr.release());
        assertEquals("B", pr.eid());
        assertEquals(100, pr.features().maxConns());
        assertEquals(1, pr.features().maxLinks());
    }

    @Test
    void noDeviceOnTheClientIsNoSmcDev() {
        LocalSmc noDev = new LocalSmc(PEER, null, MAC, 0, 24, true, true, List.of("A"), 255, 2, "h");
        assertEquals(DeclineCode.NOSMCDEV, ClcHandshake.clientPrecheck(noDev).code());
        assertEquals(DeclineCode.NOSMCDEV, ClcHandshake.clientPrecheck(me(false, true, List.of(), 255, 2)).code());
        assertNull(ClcHandshake.clientPrecheck(me(true, false, List.of(), 255, 2)));
    }

    @Test
    void v2OnlyWithoutCommonUeidDeclinesNoSmcDev() {
        ClcMessage p = wire(ClcHandshake.proposal(me(false, true, List.of("A"), 255, 2)));
        ClcHandshake.Decline d = assertInstanceOf(ClcHandshake.Decline.class,
                ClcHandshake.serverOnProposal(me(true, true, List.of("Z"), 255, 2), p));
        assertEquals(DeclineCode.NOSMCDEV, d.code());
    }

    @Test
    void v1SubnetMismatchDeclinesDiffPrefix() {
        ClcMessage p = wire(ClcHandshake.proposal(me(true, false, List.of(), 255, 2)));
        LocalSmc other = new LocalSmc(PEER, GID, MAC, 0x0b000000, 24, true, true, List.of(), 255, 2, "h");
        ClcHandshake.Decline d = assertInstanceOf(ClcHandshake.Decline.class, ClcHandshake.serverOnProposal(other, p));
        assertEquals(DeclineCode.DIFFPREFIX, d.code());
    }

    @Test
    void v1OnlyServerWithoutDeviceDeclinesNoSmcDev() {
        ClcMessage p = wire(ClcHandshake.proposal(me(true, false, List.of(), 255, 2)));
        LocalSmc noDev = new LocalSmc(PEER, null, MAC, 0x0a000000, 24, true, true, List.of(), 255, 2, "h");
        // smc_find_rdma_v1_device_serv answers NOSMCDEV (NOSMCRDEV only when the v2 search failed first)
        assertEquals(DeclineCode.NOSMCDEV,
                assertInstanceOf(ClcHandshake.Decline.class, ClcHandshake.serverOnProposal(noDev, p)).code());
    }

    @Test
    void declineInsteadOfProposalOrAcceptIsPeerDeclined() {
        ClcDecline d = ClcDecline.linux(2, PEER, DeclineCode.NOSMCDEV);
        assertInstanceOf(ClcHandshake.PeerDeclined.class, ClcHandshake.serverOnProposal(me(true, true, List.of(), 255, 2),
                wire(d)));
        assertInstanceOf(ClcHandshake.PeerDeclined.class, ClcHandshake.clientOnAccept(me(true, true, List.of(), 255, 2),
                wire(d)));
    }

    private static ClcAcceptConfirm.Link link() {
        return new ClcAcceptConfirm.Link(PEER, GID, MAC, 0x100, 0x11, 1, 77, 2, 3, 0x1000, 0x42);
    }

    @Test
    void clientChecksTheAcceptsV21Limits() {
        LocalSmc c = me(true, true, List.of("A"), 255, 2);
        ClcAcceptConfirm ok = ClcAcceptConfirm.v2(ClcType.ACCEPT, link(), "A",
                ClcAcceptConfirm.FirstContactExt.linux(false, 1, "srv", 200, 2, 1), null);
        ClcHandshake.Proceed pr = assertInstanceOf(ClcHandshake.Proceed.class, ClcHandshake.clientOnAccept(c, wire(ok)));
        assertEquals(200, pr.features().maxConns());
        ClcAcceptConfirm fewConns = ClcAcceptConfirm.v2(ClcType.ACCEPT, link(), "A",
                ClcAcceptConfirm.FirstContactExt.linux(false, 1, "srv", 10, 2, 1), null);
        assertEquals(DeclineCode.MAXCONNERR,
                assertInstanceOf(ClcHandshake.Decline.class, ClcHandshake.clientOnAccept(c, wire(fewConns))).code());
        ClcAcceptConfirm badLinks = ClcAcceptConfirm.v2(ClcType.ACCEPT, link(), "A",
                ClcAcceptConfirm.FirstContactExt.linux(false, 1, "srv", 100, 3, 1), null);
        assertEquals(DeclineCode.MAXLINKERR,
                assertInstanceOf(ClcHandshake.Decline.class, ClcHandshake.clientOnAccept(c, wire(badLinks))).code());
    }

    @Test
    void v1AcceptToAV2OnlyClientIsModeUnsupported() {
        LocalSmc c = me(false, true, List.of("A"), 255, 2);
        ClcAcceptConfirm v1 = ClcAcceptConfirm.v1(ClcType.ACCEPT, true, link());
        assertEquals(DeclineCode.MODEUNSUPP,
                assertInstanceOf(ClcHandshake.Decline.class, ClcHandshake.clientOnAccept(c, wire(v1))).code());
    }

    @Test
    void serverChecksTheConfirmEchoesTheNegotiatedValues() {
        ClcHandshake.Proceed negotiated = new ClcHandshake.Proceed(2, 1,
                new io.smcj.clc.ClcNegotiation.V2xFeatures(100, 2, 1), "A");
        ClcAcceptConfirm good = ClcAcceptConfirm.v2(ClcType.CONFIRM, link(), "A",
                ClcAcceptConfirm.FirstContactExt.linux(false, 1, "cli", 100, 2, 1), List.of(GID));
        assertInstanceOf(ClcHandshake.Proceed.class, ClcHandshake.serverOnConfirm(wire(good), negotiated));
        ClcAcceptConfirm wrongRelease = ClcAcceptConfirm.v2(ClcType.CONFIRM, link(), "A",
                ClcAcceptConfirm.FirstContactExt.linux(false, 0, "cli", 100, 2, 1), List.of(GID));
        assertEquals(DeclineCode.RELEASEERR, assertInstanceOf(ClcHandshake.Decline.class,
                ClcHandshake.serverOnConfirm(wire(wrongRelease), negotiated)).code());
        ClcAcceptConfirm wrongConns = ClcAcceptConfirm.v2(ClcType.CONFIRM, link(), "A",
                ClcAcceptConfirm.FirstContactExt.linux(false, 1, "cli", 99, 2, 1), List.of(GID));
        assertEquals(DeclineCode.MAXCONNERR, assertInstanceOf(ClcHandshake.Decline.class,
                ClcHandshake.serverOnConfirm(wire(wrongConns), negotiated)).code());
    }

    @Test
    void proposalLayoutIsLinuxs() {
        ClcProposal p = ClcHandshake.proposal(me(true, true, List.of("SMCJ"), 255, 2));
        assertEquals(p, wire(p));
        assertEquals(2, p.header().version());
    }
}
