package io.smcj.engine;

import io.smcj.clc.ClcAcceptConfirm;
import io.smcj.clc.ClcDecline;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcNegotiation;
import io.smcj.clc.ClcProposal;
import io.smcj.clc.ClcType;
import io.smcj.clc.RawBytes;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
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

    /**
     * The client's SMC-R v1 type ({@code smc_find_proposal_devices} + {@code smc_clc_send_proposal}):
     * R if v1 is enabled, a port has a RoCE v1 GID for the CLC socket's device, and the IP prefix
     * area could be determined.
     */
    static int clientTypev1(LocalSmc me) {
        return me.v1() && me.gid() != null && me.prefix() != null ? SmcType.R.wire() : SmcType.N.wire();
    }

    /** The client's SMC-R v2 type: R if v2 is enabled, a user EID is set and a RoCE v2 GID was found. */
    static int clientTypev2(LocalSmc me) {
        return me.v2() && !me.ueids().isEmpty() && me.gidV2() != null ? SmcType.R.wire() : SmcType.N.wire();
    }

    /**
     * {@code smc_find_proposal_devices} and the prefix step of {@code smc_clc_send_proposal}: null
     * when a Proposal can be sent, else the local decline code: NOSMCDEV when neither version has a
     * device (or nothing is enabled), CNFERR when only v1 is possible and the CLC socket's device
     * gives no IP prefix.
     */
    static Decline clientPrecheck(LocalSmc me) {
        boolean v1Device = me.v1() && me.gid() != null;
        boolean v2 = clientTypev2(me) != SmcType.N.wire();
        if (!me.hasDevice()) {
            return new Decline(DeclineCode.NOSMCDEV, "no usable RoCE device");
        }
        if (!v1Device && !v2) {
            return new Decline(DeclineCode.NOSMCDEV, !me.v1() && !me.v2() ? "SMC-R v1 and v2 disabled"
                    : !me.v1() && me.ueids().isEmpty() ? "SMC-R v1 disabled and no user EID for v2"
                    : "no RoCE port with a GID of the needed type for the CLC socket's device");
        }
        if (!v2 && me.prefix() == null) {
            return new Decline(DeclineCode.CNFERR, "no IP prefix for the CLC socket's address on its device");
        }
        return null;
    }

    /**
     * {@code smc_clc_send_proposal} for SMC-R: Linux layout. The local area carries our system id,
     * the v1 GID and MAC only when v1 is offered ({@code smcr_indicated(ini->smc_type_v1)}), else zeros.
     */
    static ClcProposal proposal(LocalSmc me) {
        int t1 = clientTypev1(me);
        int t2 = clientTypev2(me);
        ClcProposal.V2Extension ext = t2 == SmcType.N.wire() ? null
                : ClcProposal.V2Extension.smcr(ClcNegotiation.SMC_RELEASE, me.gidV2(), me.maxConns(), me.maxLinks(),
                        SmcConstants.FEATURE_MASK, me.ueids());
        // the local area (system id, GID, MAC) is filled only when typev1 offers SMC-R
        boolean lcl = t1 != SmcType.N.wire();
        return ClcProposal.linux(t1, t2, lcl ? me.peerId() : PeerId.ZERO, lcl ? me.gid() : Gid.ZERO,
                lcl ? me.mac() : MacAddress.ZERO, ClcProposal.SmcdArea.empty(0), me.prefix(), ext, null);
    }

    /**
     * {@code smc_connect_rdma_v2_prepare} for a v2 first contact: with v2_direct the server is on
     * our link; without it there must be a route ({@code smc_ib_find_route}, else NOROUTE) and it
     * must use a gateway (else NOINDIRECT).
     *
     * @param usesGateway our route to the server's GID address: true via a gateway, false on-link,
     *                    null no route
     */
    static Decline clientV2Route(boolean v2Direct, Boolean usesGateway) {
        if (v2Direct) {
            return null;
        }
        if (usesGateway == null) {
            return new Decline(DeclineCode.NOROUTE, "no route to the server's SMC-R v2 GID address");
        }
        if (!usesGateway) {
            return new Decline(DeclineCode.NOINDIRECT, "server says indirect, but its GID address is on-link");
        }
        return null;
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
     * The server's device search for a Proposal ({@code smc_listen_find_device} for SMC-R).
     * Implementations remember what they found, for the link.
     */
    interface ServerDevices {
        /** {@code smc_clc_prfx_match} on the CLC socket's device. */
        boolean prefixMatches(ClcProposal.IpPrefix prefix);

        /** {@code smc_find_rdma_device} with {@code check_smcrv2}: a RoCE v2 GID for the client's v2 GID. */
        boolean findV2(ClcProposal p);

        /** {@code smc_find_rdma_device} for SMC-R v1. */
        boolean findV1(ClcProposal p);
    }

    /** Devices fixed in {@code me}: its prefix area is our device's only prefix (tests, unknown interface). */
    static ServerDevices fixedDevices(LocalSmc me) {
        return new ServerDevices() {
            @Override
            public boolean prefixMatches(ClcProposal.IpPrefix prefix) {
                return me.prefix() != null && DeviceSelection.prefixMatches(prefix, asInterface(me.prefix()));
            }

            @Override
            public boolean findV2(ClcProposal p) {
                return me.gidV2() != null;
            }

            @Override
            public boolean findV1(ClcProposal p) {
                return me.gid() != null;
            }
        };
    }

    /** A device whose addresses are exactly the prefixes of {@code p}. */
    static io.smcj.transport.tcp.stream.InterfaceInfo asInterface(ClcProposal.IpPrefix p) {
        java.util.List<io.smcj.transport.tcp.stream.InterfaceInfo.Address> a = new java.util.ArrayList<>();
        if (p.ipv6Prefixes().isEmpty()) {
            a.add(new io.smcj.transport.tcp.stream.InterfaceInfo.Address(
                    DeviceSelection.fromInt(p.outgoingSubnet()), Math.min(32, p.prefixLen())));
        }
        for (ClcProposal.Ipv6Prefix v6 : p.ipv6Prefixes()) {
            try {
                a.add(new io.smcj.transport.tcp.stream.InterfaceInfo.Address(
                        java.net.InetAddress.getByAddress(v6.prefix().bytes()), Math.min(128, v6.prefixLen())));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return new io.smcj.transport.tcp.stream.InterfaceInfo("configured", a);
    }

    /** {@link #serverOnProposal(LocalSmc, ClcMessage, ServerDevices)} with {@link #fixedDevices}. */
    static Outcome serverOnProposal(LocalSmc me, ClcMessage m) {
        return serverOnProposal(me, m, fixedDevices(me));
    }

    /**
     * The server's decision on a Proposal, in the kernel's order: {@code smc_listen_v2_check};
     * {@code smc_listen_prfx_check} (only if typev1 offers something: DIFFPREFIX is remembered as
     * {@code ini->rc}); {@code smc_find_rdma_v2_device_serv} (UEID match, else no code; device, else
     * NOSMCRDEV remembered; v2.1 limits); {@code smc_find_rdma_v1_device_serv} if the prefix
     * matched (no v1 offered or no device: the first remembered code, else NOSMCDEV), else DIFFPREFIX.
     */
    static Outcome serverOnProposal(LocalSmc me, ClcMessage m, ServerDevices devices) {
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
        if (smcr == 0) {
            return new Decline(rc == null || rc == DeclineCode.PEERNOSMC && p.header().typev1() == 0
                    ? DeclineCode.NOSMCDEV : rc, "no common SMC-R version");
        }
        DeclineCode stored = null; // ini->rc: the first code a step remembered
        boolean prefixOk = true;
        if (p.header().typev1() != SmcType.N.wire()) {
            ClcProposal.IpPrefix pf = p.prefix();
            if (pf == null || !devices.prefixMatches(pf)) {
                prefixOk = false;
                stored = DeclineCode.DIFFPREFIX;
            }
        }
        if ((smcr & ClcNegotiation.SMC_V2) != 0) {
            Optional<RawBytes> match = ClcNegotiation.matchUserEid(p.v2Extension(), me.ueids());
            if (match.isPresent()) {
                String eid = match.get().asciiText() == null ? match.get().toString() : match.get().asciiText().strip();
                if (devices.findV2(p)) {
                    ClcNegotiation.Result<ClcNegotiation.V2xFeatures> f = ClcNegotiation.serverV2xFeatures(p,
                            new ClcNegotiation.ServerVersions(0, smcr, v.releaseNr(), rc), me.maxConns(),
                            me.maxLinks());
                    if (!f.ok()) {
                        return new Decline(f.declineCode(), "v2.1 limits of the Proposal are not acceptable");
                    }
                    return new Proceed(2, v.releaseNr(), f.value(), eid);
                }
                stored = stored == null ? DeclineCode.NOSMCRDEV : stored;
            }
        }
        if (!prefixOk) {
            return new Decline(DeclineCode.DIFFPREFIX, "client prefix "
                    + (p.prefix() == null ? "none" : describe(p.prefix()))
                    + " is not one of our device's (SMC-R v1 needs one subnet)");
        }
        if ((smcr & ClcNegotiation.SMC_V1) == 0 || !devices.findV1(p)) {
            DeclineCode code = stored == null ? DeclineCode.NOSMCDEV : stored;
            return new Decline(code, (smcr & ClcNegotiation.SMC_V1) == 0 ? "no SMC-R v2 device for this Proposal"
                    : "no RoCE device for SMC-R v1");
        }
        return new Proceed(1, 0, ClcNegotiation.V2xFeatures.DEFAULTS, null);
    }

    static String describe(ClcProposal.IpPrefix pf) {
        if (pf.ipv6Prefixes().isEmpty()) {
            return pf.outgoingSubnetText() + "/" + pf.prefixLen();
        }
        StringBuilder b = new StringBuilder();
        for (ClcProposal.Ipv6Prefix v6 : pf.ipv6Prefixes()) {
            b.append(b.isEmpty() ? "" : ",").append(v6.address()).append('/').append(v6.prefixLen());
        }
        return b.toString();
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
