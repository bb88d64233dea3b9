package io.smcj.engine;

import io.smcj.clc.ClcAcceptConfirm;
import io.smcj.clc.ClcDecline;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcNegotiation;
import io.smcj.clc.ClcProposal;
import io.smcj.clc.ClcType;
import io.smcj.clc.RawBytes;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.SmcConstants;
import io.smcj.protocol.SmcType;
import java.util.Optional;

/**
 * Sans-IO CLC decisions of both roles (af_smc.c: {@code smc_connect_clc}, {@code smc_connect_check_aclc},
 * {@code smc_listen_v2_check}, {@code smc_listen_prfx_check}, {@code smc_listen_find_device},
 * {@code smc_listen_rdma_finish}): messages in, a message to send or a decline code out. The engine
 * does the I/O, the buffers and the link; these functions decide.
 */
final class ClcHandshake {
    private ClcHandshake() {
    }

    /** The outcome of a decision: proceed, or decline with a code (sent to the peer unless it is PEERDECL). */
    sealed interface Outcome permits Proceed, Decline, PeerDeclined {
    }

    /**
     * Go on with the negotiated parameters.
     *
     * @param version  1 or 2
     * @param release  0 or 1 (v2)
     * @param features v2.1 limits
     * @param eid      the negotiated user EID (v2), else null
     */
    record Proceed(int version, int release, ClcNegotiation.V2xFeatures features, String eid) implements Outcome {
    }

    /** We decline with this code. */
    record Decline(DeclineCode code, String why) implements Outcome {
    }

    /** The peer sent a Decline. */
    record PeerDeclined(ClcDecline decline) implements Outcome {
    }

    // ------------------------------------------------------------------ client

    /** The client's SMC-R types: v1 R if enabled, v2 R if enabled and a UEID is configured. */
    static int clientTypev1(LocalSmc me) {
        return me.v1() ? SmcType.R.wire() : SmcType.N.wire();
    }

    static int clientTypev2(LocalSmc me) {
        return me.v2() && !me.ueids().isEmpty() ? SmcType.R.wire() : SmcType.N.wire();
    }

    /**
     * {@code smc_find_proposal_devices}: null when a Proposal can be sent, else the local decline
     * code (no device, nothing enabled).
     */
    static Decline clientPrecheck(LocalSmc me) {
        if (!me.hasDevice()) {
            return new Decline(DeclineCode.NOSMCDEV, "no usable RoCE device");
        }
        if (clientTypev1(me) == SmcType.N.wire() && clientTypev2(me) == SmcType.N.wire()) {
            return new Decline(DeclineCode.NOSMCDEV, me.v2() ? "SMC-R v1 disabled and no user EID for v2"
                    : "SMC-R v1 and v2 disabled");
        }
        return null;
    }

    /** {@code smc_clc_send_proposal} for SMC-R: Linux layout. */
    static ClcProposal proposal(LocalSmc me) {
        int t1 = clientTypev1(me);
        int t2 = clientTypev2(me);
        ClcProposal.V2Extension ext = t2 == SmcType.N.wire() ? null
                : ClcProposal.V2Extension.smcr(ClcNegotiation.SMC_RELEASE, me.gid(), me.maxConns(), me.maxLinks(),
                        SmcConstants.FEATURE_MASK, me.ueids());
        return ClcProposal.linux(t1, t2, me.peerId(), me.gid(), me.mac(), ClcProposal.SmcdArea.empty(0),
                ClcProposal.IpPrefix.ipv4(me.subnet(), me.prefixLen()), ext, null);
    }

    /** The client's checks of the server's answer to its Proposal. */
    static Outcome clientOnAccept(LocalSmc me, ClcMessage m) {
        if (m instanceof ClcDecline d) {
            return new PeerDeclined(d);
        }
        if (!(m instanceof ClcAcceptConfirm a) || m.type() != ClcType.ACCEPT) {
            return new Decline(DeclineCode.MODEUNSUPP, "server answered with an SMC-D Accept");
        }
        DeclineCode c = ClcNegotiation.clientCheckAccept(a, clientTypev1(me), clientTypev2(me));
        if (c != null) {
            return new Decline(c, "Accept type was not offered");
        }
        if (!a.header().isV2()) {
            return new Proceed(1, 0, ClcNegotiation.V2xFeatures.DEFAULTS, null);
        }
        if (!a.firstContact()) {
            return new Proceed(2, -1, null, a.eidText() == null ? null : a.eidText().strip());
        }
        ClcNegotiation.Result<ClcNegotiation.V2xFeatures> f = ClcNegotiation.clientV2xFeatures(a);
        if (!f.ok()) {
            return new Decline(f.declineCode(), "v2.1 limits in the Accept are not acceptable");
        }
        int release = a.fce() == null ? 0 : Math.min(a.fce().release(), ClcNegotiation.SMC_RELEASE);
        return new Proceed(2, release, f.value(), a.eidText() == null ? null : a.eidText().strip());
    }

    // ------------------------------------------------------------------ server

    /**
     * The server's decision on a Proposal ({@code smc_listen_v2_check}, EID match,
     * {@code smc_listen_prfx_check}, device search, v2.1 limits).
     *
     * @param serverSubnetMatches whether the Proposal's IPv4 prefix is our subnet (v1 only)
     */
    static Outcome serverOnProposal(LocalSmc me, ClcMessage m) {
        if (m instanceof ClcDecline d) {
            return new PeerDeclined(d);
        }
        ClcProposal p = (ClcProposal) m;
        ClcNegotiation.ServerVersions v = ClcNegotiation.serverV2Check(p, false);
        int smcr = v.smcrVersion();
        DeclineCode rc = v.declineCode();
        if (!me.v2()) {
            smcr &= ~ClcNegotiation.SMC_V2;
        }
        if (!me.v1()) {
            smcr &= ~ClcNegotiation.SMC_V1;
        }
        String eid = null;
        if ((smcr & ClcNegotiation.SMC_V2) != 0) {
            Optional<RawBytes> match = ClcNegotiation.matchUserEid(p.v2Extension(), me.ueids());
            if (match.isEmpty()) {
                smcr &= ~ClcNegotiation.SMC_V2;
                rc = DeclineCode.NOSMCDEV; // smc_find_rdma_v2_device_serv finds nothing: no UEID in common
            } else {
                eid = match.get().asciiText() == null ? match.get().toString() : match.get().asciiText().strip();
            }
        }
        if ((smcr & ClcNegotiation.SMC_V2) != 0) {
            if (!me.hasDevice()) {
                return new Decline(DeclineCode.NOSMCRDEV, "no RoCE device for SMC-R v2");
            }
            ClcNegotiation.Result<ClcNegotiation.V2xFeatures> f = ClcNegotiation.serverV2xFeatures(p,
                    new ClcNegotiation.ServerVersions(0, smcr, v.releaseNr(), rc), me.maxConns(), me.maxLinks());
            if (!f.ok()) {
                return new Decline(f.declineCode(), "v2.1 limits of the Proposal are not acceptable");
            }
            return new Proceed(2, v.releaseNr(), f.value(), eid);
        }
        if ((smcr & ClcNegotiation.SMC_V1) != 0) {
            ClcProposal.IpPrefix pf = p.prefix();
            int mask = LocalSmc.mask(me.prefixLen());
            if (pf == null || pf.prefixLen() != me.prefixLen() || (pf.outgoingSubnet() & mask) != (me.subnet() & mask)) {
                return new Decline(DeclineCode.DIFFPREFIX, "client subnet "
                        + (pf == null ? "none" : pf.outgoingSubnetText() + "/" + pf.prefixLen())
                        + " is not ours (SMC-R v1 needs one subnet)");
            }
            if (!me.hasDevice()) {
                return new Decline(DeclineCode.NOSMCRDEV, "no RoCE device for SMC-R v1");
            }
            return new Proceed(1, 0, ClcNegotiation.V2xFeatures.DEFAULTS, null);
        }
        return new Decline(rc == null || rc == DeclineCode.PEERNOSMC && p.header().typev1() == 0
                ? DeclineCode.NOSMCDEV : rc, "no common SMC-R version");
    }

    /** The server's check of the client's Confirm ({@code smc_clc_v2x_features_confirm_check}). */
    static Outcome serverOnConfirm(ClcMessage m, Proceed negotiated) {
        if (m instanceof ClcDecline d) {
            return new PeerDeclined(d);
        }
        ClcAcceptConfirm c = (ClcAcceptConfirm) m;
        if (c.type() != ClcType.CONFIRM || c.header().typev1() != SmcType.R.wire()) {
            return new Decline(DeclineCode.MODEUNSUPP, "Confirm is not SMC-R");
        }
        if (negotiated.version() >= 2 && c.firstContact()) {
            ClcNegotiation.Result<ClcNegotiation.V2xFeatures> r = ClcNegotiation.serverConfirmCheck(c,
                    negotiated.release(), negotiated.features());
            if (!r.ok()) {
                return new Decline(r.declineCode(), "Confirm does not echo the negotiated v2.1 values");
            }
            return new Proceed(negotiated.version(), negotiated.release(), r.value(), negotiated.eid());
        }
        return negotiated;
    }

    /** Decline version: the one of the peer's message header (as Linux answers). */
    static int declineVersion(ClcMessage peerMsg) {
        return peerMsg != null && peerMsg.header().isV2() ? 2 : 1;
    }
}
