package io.smcj.clc;

/**
 * CLC sizes and limits of Linux {@code net/smc/smc_clc.h} / {@code smc_clc.c} / {@code af_smc.c}.
 * Wait times are in {@link io.smcj.protocol.SmcConstants} ({@code CLC_WAIT_TIME_MS}).
 */
public final class ClcConstants {
    private ClcConstants() {
    }

    /** {@code sizeof(struct smc_clc_msg_hdr)}. */
    public static final int HEADER_LENGTH = 8;
    /** {@code sizeof(struct smc_clc_msg_trail)}. */
    public static final int TRAILER_LENGTH = 4;

    /** {@code sizeof(struct smc_clc_msg_proposal)}: header, local (peer id, GID, MAC), iparea_offset. */
    public static final int PROPOSAL_BASE_LENGTH = 40;
    /** {@code sizeof(struct smc_clc_msg_smcd)}. */
    public static final int SMCD_AREA_LENGTH = 40;
    /** {@code sizeof(struct smc_clc_msg_proposal_prefix)}. */
    public static final int PREFIX_AREA_LENGTH = 8;
    /** {@code sizeof(struct smc_clc_ipv6_prefix)} (packed). */
    public static final int IPV6_PREFIX_LENGTH = 17;
    /** {@code sizeof(struct smc_clc_v2_extension)} without EIDs. */
    public static final int V2_EXT_FIXED_LENGTH = 40;
    /** {@code sizeof(struct smc_clc_smcd_v2_extension)} without GID/CHID entries. */
    public static final int SMCD_V2_EXT_FIXED_LENGTH = 48;
    /** {@code sizeof(struct smc_clc_smcd_gid_chid)} (packed). */
    public static final int GID_CHID_LENGTH = 10;
    /** {@code SMC_MAX_EID_LEN}. */
    public static final int EID_LENGTH = 32;
    /** {@code SMC_MAX_HOSTNAME_LEN}. */
    public static final int HOSTNAME_LENGTH = 32;

    /** {@code SMC_CLC_MAX_V6_PREFIX}. */
    public static final int MAX_V6_PREFIX = 8;
    /** {@code SMC_CLC_MAX_UEID}. */
    public static final int MAX_UEID = 8;
    /** {@code SMCD_CLC_MAX_V2_GID_ENTRIES}. */
    public static final int MAX_V2_GID_ENTRIES = 8;

    /** Largest iparea_offset {@code smc_clc_proposal_get_prefix} accepts: {@code sizeof(struct smc_clc_msg_smcd)}. */
    public static final int MAX_IPAREA_OFFSET = 40;
    /** Largest v2_ext_offset {@code smc_get_clc_v2_ext} accepts (offsets in {@code smc_clc_msg_proposal_area}). */
    public static final int MAX_V2_EXT_OFFSET = 172;
    /** Largest smcd_v2_ext_offset {@code smc_get_clc_smcd_v2_ext} accepts. */
    public static final int MAX_SMCD_V2_EXT_OFFSET = 288;

    /** {@code SMCR_CLC_ACCEPT_CONFIRM_LEN}. */
    public static final int SMCR_ACCEPT_CONFIRM_LEN = 68;
    /** {@code SMCR_CLC_ACCEPT_CONFIRM_LEN_V2}. */
    public static final int SMCR_ACCEPT_CONFIRM_LEN_V2 = 108;
    /** {@code SMCD_CLC_ACCEPT_CONFIRM_LEN}. */
    public static final int SMCD_ACCEPT_CONFIRM_LEN = 48;
    /** {@code SMCD_CLC_ACCEPT_CONFIRM_LEN_V2}. */
    public static final int SMCD_ACCEPT_CONFIRM_LEN_V2 = 78;
    /** {@code sizeof(struct smc_clc_first_contact_ext)}: what SMC-D v2.0 sends. */
    public static final int FCE_LENGTH = 36;
    /** {@code sizeof(struct smc_clc_first_contact_ext_v2x)}: what SMC-R always sends. */
    public static final int FCE_V2X_LENGTH = 52;
    /** {@code sizeof(struct smc_clc_fce_gid_ext)} without GIDs. */
    public static final int GID_EXT_FIXED_LENGTH = 4;

    /** {@code sizeof(struct smc_clc_msg_decline)}. */
    public static final int DECLINE_LEN = 28;
    /** {@code sizeof(struct smc_clc_msg_decline_v2)}. */
    public static final int DECLINE_LEN_V2 = 44;
    /** {@code SMC_DECL_DIAG_COUNT_V2}. */
    public static final int DECL_DIAG_COUNT_V2 = 4;

    /**
     * {@code SMC_CLC_MAX_ACCEPT_LEN} (af_smc.c): the client's receive buffer for the Accept. A longer
     * Accept is drained and its trailer is not checked.
     */
    public static final int MAX_ACCEPT_LEN = 160;
    /**
     * {@code sizeof(struct smc_clc_msg_proposal_area)}: the server's receive buffer for Proposal and
     * Confirm; also the largest valid Proposal.
     */
    public static final int PROPOSAL_AREA_LEN = 652;

    /** {@code SMC_CLC_OS_ZOS}, {@code _LINUX}, {@code _AIX}. */
    public static final int OS_ZOS = 1;
    public static final int OS_LINUX = 2;
    public static final int OS_AIX = 3;
}
