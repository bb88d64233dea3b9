package io.smcj.clc;

import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClcNegotiationTest {
    static final Gid ROCE = Gid.parse("::ffff:10.0.0.2");

    static ClcProposal smcrV2(int release, int maxConns, int maxLinks, List<String> eids) {
        return ClcProposal.linux(2, 0, PeerId.ZERO, Gid.ZERO, MacAddress.ZERO, ClcProposal.SmcdArea.empty(0), null,
                ClcProposal.V2Extension.smcr(release, ROCE, maxConns, maxLinks, 1, eids), null);
    }

    @Test
    void shouldAcceptTheKernelProposalAndMatchItsEid() {
        ClcProposal p = (ClcProposal) ClcCodec.decode(KernelBytes.PROPOSAL_61);
        ClcNegotiation.ServerVersions v = ClcNegotiation.serverV2Check(p, false);
        assertFalse(v.declined());
        assertEquals(ClcNegotiation.SMC_V2, v.smcrVersion());
        assertEquals(0, v.releaseNr(), "6.1 proposes release 0");
        assertEquals("SMCTEST-UEID", ClcNegotiation.matchUserEid(p.v2Extension(), List.of("OTHER", "SMCTEST-UEID"))
                .orElseThrow().asciiText());
        assertTrue(ClcNegotiation.matchUserEid(p.v2Extension(), List.of()).isEmpty(),
                "no local UEID: SMC-R v2 dropped (the b2 capture's server then declines NOSMCDEV)");
        assertEquals(ClcNegotiation.V2xFeatures.DEFAULTS,
                ClcNegotiation.serverV2xFeatures(p, v, 255, 2).value(), "release 0 keeps the defaults");
    }

    @Test
    void shouldDeclineAV2ProposalWithoutEidOrWithoutAnyType() {
        ClcNegotiation.ServerVersions noEid = ClcNegotiation.serverV2Check(smcrV2(1, 255, 2, List.of()), false);
        assertTrue(noEid.declined());
        assertEquals(DeclineCode.NOUEID, noEid.declineCode());
        ClcProposal nothing = ClcProposal.linux(2, 2, PeerId.ZERO, Gid.ZERO, MacAddress.ZERO,
                ClcProposal.SmcdArea.empty(0), null, null, null);
        assertEquals(84, nothing.length());
        ClcNegotiation.ServerVersions n = ClcNegotiation.serverV2Check(
                (ClcProposal) ClcCodec.decode(ClcCodec.encode(nothing)), false);
        assertTrue(n.declined());
        assertEquals(DeclineCode.PEERNOSMC, n.declineCode(), "Linux sends PEERNOSMC in this Decline");
    }

    @Test
    void shouldNegotiateMaxConnsAndLinksOnTheServer() {
        ClcProposal p = smcrV2(1, 255, 2, List.of("E1"));
        ClcNegotiation.ServerVersions v = ClcNegotiation.serverV2Check(p, false);
        assertEquals(1, v.releaseNr());
        assertEquals(new ClcNegotiation.V2xFeatures(100, 1, 1), ClcNegotiation.serverV2xFeatures(p, v, 100, 1).value());
        assertEquals(DeclineCode.MAXCONNERR, ClcNegotiation.serverV2xFeatures(smcrV2(1, 15, 2, List.of("E1")), v, 255, 2)
                .declineCode());
        assertEquals(DeclineCode.MAXLINKERR, ClcNegotiation.serverV2xFeatures(smcrV2(1, 255, 0, List.of("E1")), v, 255, 2)
                .declineCode());
        assertEquals(1, ClcNegotiation.serverV2Check(smcrV2(7, 255, 2, List.of("E1")), false).releaseNr(),
                "a higher proposed release is capped at ours");
    }

    @Test
    void shouldValidateTheAcceptOnTheClientAndTheConfirmOnTheServer() {
        ClcAcceptConfirm.Link link = GoldenVectorTest.LINK;
        ClcAcceptConfirm accept = ClcAcceptConfirm.v2(ClcType.ACCEPT, link, "E1",
                ClcAcceptConfirm.FirstContactExt.linux(true, 1, "srv", 255, 2, 1), null);
        assertNull(ClcNegotiation.clientCheckAccept(accept, 2, 0));
        assertEquals(DeclineCode.MODEUNSUPP, ClcNegotiation.clientCheckAccept(accept, 0, 1), "v2 SMC-R not offered");
        ClcNegotiation.Result<ClcNegotiation.V2xFeatures> f = ClcNegotiation.clientV2xFeatures(accept);
        assertEquals(new ClcNegotiation.V2xFeatures(255, 2, 1), f.value());
        assertEquals(DeclineCode.MAXLINKERR, ClcNegotiation.clientV2xFeatures(ClcAcceptConfirm.v2(ClcType.ACCEPT, link,
                "E1", ClcAcceptConfirm.FirstContactExt.linux(true, 1, "srv", 255, 3, 1), null)).declineCode());
        assertEquals(DeclineCode.MAXCONNERR, ClcNegotiation.clientV2xFeatures(ClcAcceptConfirm.v2(ClcType.ACCEPT, link,
                "E1", ClcAcceptConfirm.FirstContactExt.linux(true, 1, "srv", 15, 2, 1), null)).declineCode());

        ClcAcceptConfirm confirm = (ClcAcceptConfirm) ClcCodec.decode(KernelBytes.CONFIRM_612);
        ClcNegotiation.V2xFeatures neg = new ClcNegotiation.V2xFeatures(255, 2, 1);
        assertTrue(ClcNegotiation.serverConfirmCheck(confirm, 1, neg).ok());
        assertEquals(DeclineCode.RELEASEERR, ClcNegotiation.serverConfirmCheck(confirm, 0, neg).declineCode());
        assertEquals(DeclineCode.MAXCONNERR, ClcNegotiation.serverConfirmCheck(confirm, 1,
                new ClcNegotiation.V2xFeatures(100, 2, 1)).declineCode());
        assertEquals(DeclineCode.MAXLINKERR, ClcNegotiation.serverConfirmCheck(confirm, 1,
                new ClcNegotiation.V2xFeatures(255, 1, 1)).declineCode());
    }
}
