package io.smcj.protocol;

/** Protocol-wide constants with their kernel names. */
public final class SmcConstants {
    private SmcConstants() {
    }

    /** "SMCR" in EBCDIC: CLC eyecatcher and TCP option magic. */
    public static final int EYECATCHER_SMCR = 0xE2D4C3D9;
    /** "SMCD" in EBCDIC. */
    public static final int EYECATCHER_SMCD = 0xE2D4C3C4;
    /** {@code TCPOPT_EXP}. */
    public static final int TCP_OPTION_KIND = 254;
    /** {@code TCPOLEN_EXP_SMC_BASE}. */
    public static final int TCP_OPTION_LENGTH = 6;
    /** {@code TCPOPT_SMC_MAGIC}. */
    public static final int TCP_OPTION_MAGIC = EYECATCHER_SMCR;

    /** {@code SMC_WR_TX_SIZE}: LLC v1 and CDC message length. */
    public static final int WR_TX_SIZE = 44;
    /** {@code SMC_WR_BUF_SIZE}: receive buffer of a v1 link. */
    public static final int WR_BUF_SIZE = 48;
    /** {@code SMC_WR_BUF_V2_SIZE}. */
    public static final int WR_BUF_V2_SIZE = 8192;

    /** {@code SMC_RMBS_PER_LGR_MAX} and v2.1 default max connections. */
    public static final int CONN_PER_LGR_MAX = 255;
    /** {@code SMC_CONN_PER_LGR_MIN}. */
    public static final int CONN_PER_LGR_MIN = 16;
    /** {@code SMC_LINKS_ADD_LNK_MAX}: advertised max links. */
    public static final int LINKS_PER_LGR_MAX = 2;
    /** {@code SMC_LINKS_PER_LGR_MAX}: internal link slots. */
    public static final int LINK_SLOTS_PER_LGR = 3;
    /** {@code SMC_FEATURE_MASK} of Linux 6.x. */
    public static final int FEATURE_MASK = 0x0001;

    /** {@code CLC_WAIT_TIME}, ms. */
    public static final int CLC_WAIT_TIME_MS = 6000;
    /** {@code CLC_WAIT_TIME_SHORT}, ms. */
    public static final int CLC_WAIT_TIME_SHORT_MS = 1000;
    /** {@code SMC_LLC_WAIT_TIME}, ms. */
    public static final int LLC_WAIT_TIME_MS = 2000;
    /** {@code SMC_LLC_WAIT_FIRST_TIME}, ms. */
    public static final int LLC_WAIT_FIRST_TIME_MS = 5000;
    /** Default {@code net.smc.smcr_testlink_time}, s. */
    public static final int TESTLINK_TIME_S = 30;
}
