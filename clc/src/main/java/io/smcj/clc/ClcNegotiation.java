package io.smcj.clc;

import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.SmcConstants;
import io.smcj.protocol.SmcType;

import java.util.List;
import java.util.Optional;

/**
 * The decisions Linux takes on decoded CLC messages, as pure functions: which decline code a
 * well-formed message leads to. They mirror {@code smc_listen_v2_check},
 * {@code smc_clc_match_eid}, {@code smc_clc_srv_v2x_features_validate} (server, Proposal),
 * {@code smc_connect_check_aclc}, {@code smc_clc_clnt_v2x_features_validate} (client, Accept) and
 * {@code smc_clc_v2x_features_confirm_check} (server, Confirm). Device, route and prefix matching
 * are not here: they need the host's configuration.
 */
public final class ClcNegotiation {
    private ClcNegotiation() {
    }

    /** Version bit of {@code ini->smcd_version} / {@code smcr_version}. */
    public static final int SMC_V1 = 1;
    public static final int SMC_V2 = 2;
    /** {@code SMC_RELEASE} of the kernels smcj follows (v2.1). */
    public static final int SMC_RELEASE = 1;
    /** {@code SMC_LINKS_ADD_LNK_MIN}. */
    public static final int LINKS_ADD_LNK_MIN = 1;

    /**
     * Outcome of {@code smc_listen_v2_check}.
     *
     * @param smcdVersion  bits {@link #SMC_V1} / {@link #SMC_V2} still possible for SMC-D
     * @param smcrVersion  the same for SMC-R
     * @param releaseNr    min(proposed release, {@link #SMC_RELEASE}) when a v2 extension was there
     * @param declineCode  the last reason a v2 variant was dropped (the Decline to send if nothing is
     *                     left), or null
     */
    public record ServerVersions(int smcdVersion, int smcrVersion, int releaseNr, DeclineCode declineCode) {
        /** Nothing possible: Linux declines with {@link #declineCode()}. */
        public boolean declined() {
            return smcdVersion == 0 && smcrVersion == 0;
        }
    }

    /** {@code smc_listen_v2_check}: which versions remain after looking at the Proposal's v2 parts. */
    public static ServerVersions serverV2Check(ClcProposal p, boolean ismV2Capable) {
        int t1 = p.header().typev1();
        int t2 = p.header().typev2();
        int smcd = SmcType.ofWire(t1).includesD() ? SMC_V1 : 0;
        int smcr = SmcType.ofWire(t1).includesR() ? SMC_V1 : 0;
        if (p.header().isV2()) {
            if (SmcType.ofWire(t2).includesD()) {
                smcd |= SMC_V2;
            }
            if (SmcType.ofWire(t2).includesR()) {
                smcr |= SMC_V2;
            }
        }
        DeclineCode rc = DeclineCode.PEERNOSMC;
        int release = 0;
        if ((smcd & SMC_V2) == 0 && (smcr & SMC_V2) == 0) {
            return new ServerVersions(smcd, smcr, release, rc);
        }
        ClcProposal.V2Extension ext = p.v2Extension();
        if (ext == null) {
            // cannot happen for a decoded v2 Proposal offering v2 (prop_valid needs the extension)
            return new ServerVersions(smcd & ~SMC_V2, smcr & ~SMC_V2, release, DeclineCode.NOV2EXT);
        }
        if ((smcd & SMC_V2) != 0) {
            if (!ismV2Capable) {
                smcd &= ~SMC_V2;
                rc = DeclineCode.NOISM2SUPP;
            } else if (!p.kernelFindsSmcdV2Extension()) {
                smcd &= ~SMC_V2;
                rc = DeclineCode.NOV2DEXT;
            } else if (ext.eidCnt() == 0 && !ext.seid()) {
                smcd &= ~SMC_V2;
                rc = DeclineCode.NOUEID;
            }
        }
        if ((smcr & SMC_V2) != 0 && ext.eidCnt() == 0) {
            smcr &= ~SMC_V2;
            rc = DeclineCode.NOUEID;
        }
        release = Math.min(ext.release(), SMC_RELEASE);
        return new ServerVersions(smcd, smcr, release, rc);
    }

    /**
     * {@code smc_clc_match_eid} for SMC-R (no system EID): the first proposed user EID that is in
     * the local table, compared as 32 blank-padded bytes. Empty means Linux drops SMC-R v2
     * ({@code smc_find_rdma_v2_device_serv}); with nothing else offered, {@code smc_listen_find_device}
     * ends in {@code smc_find_rdma_v1_device_serv} and declines NOSMCDEV, as a server without user EID
     * does in fixtures/kernel-6.1/b2_decline_server_no_ueid.pcap.
     */
    public static Optional<RawBytes> matchUserEid(ClcProposal.V2Extension ext, List<String> localUeids) {
        for (RawBytes proposed : ext.userEids()) {
            for (String local : localUeids) {
                if (RawBytes.blankPadded(local, ClcConstants.EID_LENGTH).equals(proposed)) {
                    return Optional.of(proposed);
                }
            }
        }
        return Optional.empty();
    }

    /** Negotiated v2.1 limits: max connections and links per link group, feature mask. */
    public record V2xFeatures(int maxConns, int maxLinks, int featureMask) {
        /** What Linux uses before or without v2.1. */
        public static final V2xFeatures DEFAULTS = new V2xFeatures(SmcConstants.CONN_PER_LGR_MAX,
                SmcConstants.LINKS_PER_LGR_MAX, SmcConstants.FEATURE_MASK);
    }

    /** A negotiation result: the features, or the decline code. */
    public record Result<T>(T value, DeclineCode declineCode) {
        static <T> Result<T> ok(T v) {
            return new Result<>(v, null);
        }

        static <T> Result<T> decline(DeclineCode c) {
            return new Result<>(null, c);
        }

        public boolean ok() {
            return declineCode == null;
        }
    }

    /**
     * {@code smc_clc_srv_v2x_features_validate} for the server: with release &ge; 1 and SMC-R v2,
     * max_conns = min(proposed, local) must be &ge; 16 (MAXCONNERR), max_links = min(proposed, local)
     * &ge; 1 (MAXLINKERR). These go into the Accept's first-contact extension.
     */
    public static Result<V2xFeatures> serverV2xFeatures(ClcProposal p, ServerVersions v, int localMaxConns,
                                                        int localMaxLinks) {
        if (((v.smcdVersion() & SMC_V2) == 0 && (v.smcrVersion() & SMC_V2) == 0) || v.releaseNr() < 1) {
            return Result.ok(V2xFeatures.DEFAULTS);
        }
        ClcProposal.V2Extension ext = p.v2Extension();
        if (ext == null) {
            return Result.decline(DeclineCode.NOV2EXT);
        }
        int conns = SmcConstants.CONN_PER_LGR_MAX;
        int links = SmcConstants.LINKS_PER_LGR_MAX;
        if ((v.smcrVersion() & SMC_V2) != 0) {
            conns = Math.min(ext.maxConns(), localMaxConns);
            if (conns < SmcConstants.CONN_PER_LGR_MIN) {
                return Result.decline(DeclineCode.MAXCONNERR);
            }
            links = Math.min(ext.maxLinks(), localMaxLinks);
            if (links < LINKS_ADD_LNK_MIN) {
                return Result.decline(DeclineCode.MAXLINKERR);
            }
        }
        return Result.ok(new V2xFeatures(conns, links, SmcConstants.FEATURE_MASK));
    }

    /**
     * {@code smc_connect_check_aclc}: the Accept's type must be one the client offered for the
     * Accept's version, else MODEUNSUPP.
     */
    public static DeclineCode clientCheckAccept(ClcMessage accept, int offeredTypev1, int offeredTypev2) {
        ClcHeader h = accept.header();
        int offered = h.isV2() ? offeredTypev2 : offeredTypev1;
        if ((h.typev1() == SmcType.R.wire() && !SmcType.ofWire(offered).includesR())
                || (h.typev1() == SmcType.D.wire() && !SmcType.ofWire(offered).includesD())) {
            return DeclineCode.MODEUNSUPP;
        }
        return null;
    }

    /**
     * {@code smc_clc_clnt_v2x_features_validate} on a first-contact SMC-R v2 Accept: release &lt; 1 keeps
     * the defaults; otherwise max_conns &lt; 16 is MAXCONNERR, max_links outside 1..2 MAXLINKERR, and
     * the feature mask is ANDed with the local one. The client echoes the result in its Confirm.
     * A 36-byte extension without the v2.1 part reads as zeros here. There is no release check:
     * {@code smc_connect_rdma_v2_prepare} takes the Accept's release as it is (also one above the
     * client's own) and the Confirm echoes it, so Linux 6.12 never declines with VERSMISMAT.
     */
    public static Result<V2xFeatures> clientV2xFeatures(ClcAcceptConfirm accept) {
        ClcAcceptConfirm.FirstContactExt fce = accept.fce();
        if (fce == null || fce.release() < 1) {
            return Result.ok(V2xFeatures.DEFAULTS);
        }
        ClcAcceptConfirm.V2x x = fce.v2x();
        int conns = x == null ? 0 : x.maxConns();
        int links = x == null ? 0 : x.maxLinks();
        int mask = x == null ? 0 : x.featureMask();
        if (conns < SmcConstants.CONN_PER_LGR_MIN) {
            return Result.decline(DeclineCode.MAXCONNERR);
        }
        if (links > SmcConstants.LINKS_PER_LGR_MAX || links < LINKS_ADD_LNK_MIN) {
            return Result.decline(DeclineCode.MAXLINKERR);
        }
        return Result.ok(new V2xFeatures(conns, links, mask & SmcConstants.FEATURE_MASK));
    }

    /**
     * {@code smc_clc_v2x_features_confirm_check} on the server: a first-contact v2 Confirm must carry
     * the negotiated release (RELEASEERR) and, for v2.1, the same max_conns (MAXCONNERR) and max_links
     * (MAXLINKERR); the client's feature mask becomes the link group's.
     */
    public static Result<V2xFeatures> serverConfirmCheck(ClcAcceptConfirm confirm, int releaseNr,
                                                         V2xFeatures negotiated) {
        if (!confirm.header().isV2() || !confirm.firstContact()) {
            return Result.ok(negotiated);
        }
        ClcAcceptConfirm.FirstContactExt fce = confirm.fce();
        if (fce.release() != releaseNr) {
            return Result.decline(DeclineCode.RELEASEERR);
        }
        if (fce.release() < 1) {
            return Result.ok(negotiated);
        }
        ClcAcceptConfirm.V2x x = fce.v2x();
        int conns = x == null ? 0 : x.maxConns();
        int links = x == null ? 0 : x.maxLinks();
        if (conns != negotiated.maxConns()) {
            return Result.decline(DeclineCode.MAXCONNERR);
        }
        if (links != negotiated.maxLinks()) {
            return Result.decline(DeclineCode.MAXLINKERR);
        }
        return Result.ok(new V2xFeatures(conns, links, x == null ? 0 : x.featureMask()));
    }
}
