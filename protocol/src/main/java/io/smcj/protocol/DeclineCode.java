package io.smcj.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every decline / fallback reason code of Linux {@code net/smc/smc_clc.h} ({@code SMC_CLC_DECL_*}),
 * including historical values that older peers may still send. The 32-bit value is what travels in
 * the CLC Decline's peer diagnosis and what smcj records as a connection's fallback reason.
 */
public enum DeclineCode {
    MEM(0x01010000, "insufficient memory resources"),
    TIMEOUT_CL(0x02010000, "timeout waiting for LLC CONFIRM LINK"),
    /** Defined in smc_clc.h; Linux 6.12 never produces it. */
    TIMEOUT_AL(0x02020000, "timeout waiting for LLC ADD LINK"),
    CNFERR(0x03000000, "configuration error"),
    /**
     * Local fallback reason when the TCP option is missing; also sent in a Decline when a v2
     * Proposal offers no usable SMC type ({@code smc_listen_v2_check} → {@code smc_listen_decline}).
     */
    PEERNOSMC(0x03010000, "peer did not indicate SMC (no TCP option, or a Proposal offering no SMC type)"),
    IPSEC(0x03020000, "IPsec in use"),
    NOSMCDEV(0x03030000, "no SMC device found (R or D)"),
    NOSMCDDEV(0x03030001, "no SMC-D device found"),
    NOSMCRDEV(0x03030002, "no SMC-R device found"),
    NOISM2SUPP(0x03030003, "hardware has no ISMv2 support"),
    NOV2EXT(0x03030004, "peer sent no CLC v2 extension"),
    NOV2DEXT(0x03030005, "peer sent no SMC-Dv2 extension"),
    /** Defined in smc_clc.h; Linux 6.12 never produces it. */
    NOSEID(0x03030006, "peer sent no SEID"),
    NOSMCD2DEV(0x03030007, "no SMC-Dv2 device found"),
    /**
     * The Proposal has no user EID (SMC-R v2; SMC-D v2 also no system EID). A UEID list without a
     * match is not NOUEID in Linux 6.12: SMC-R v2 is dropped silently and the Decline is usually NOSMCDEV.
     */
    NOUEID(0x03030008, "peer sent no UEID"),
    RELEASEERR(0x03030009, "release version negotiation failed"),
    MAXCONNERR(0x0303000a, "max-connections negotiation failed"),
    MAXLINKERR(0x0303000b, "max-links negotiation failed"),
    MODEUNSUPP(0x03040000, "SMC modes do not match (R or D)"),
    RMBE_EC(0x03050000, "peer uses an eyecatcher in the RMBE (unsupported)"),
    OPTUNSUPP(0x03060000, "socket option not supported (e.g. TCP fastopen)"),
    DIFFPREFIX(0x03070000, "IP prefix / subnet mismatch"),
    GETVLANERR(0x03080000, "cannot get VLAN id of IP device"),
    ISMVLANERR(0x03090000, "cannot register VLAN id on ISM device"),
    NOACTLINK(0x030a0000, "no active SMC-R link in link group"),
    NOSRVLINK(0x030b0000, "SMC-R link from server not found"),
    /** Defined in smc_clc.h; Linux 6.12 never produces it (no release check in the client). */
    VERSMISMAT(0x030c0000, "SMC version mismatch"),
    MAX_DMB(0x030d0000, "SMC-D DMB limit exceeded"),
    NOROUTE(0x030e0000, "SMC-Rv2: no route to peer"),
    NOINDIRECT(0x030f0000, "SMC-Rv2: direct/indirect mismatch"),
    SYNCERR(0x04000000, "synchronization error (sent with the out-of-sync bit)"),
    PEERDECL(0x05000000, "peer declined during handshake (local fallback reason)"),
    INTERR(0x09990000, "internal error"),
    ERR_RTOK(0x09990001, "rtoken handling failed"),
    ERR_RDYLNK(0x09990002, "IB ready-link failed"),
    ERR_REGBUF(0x09990003, "registering RDMA buffers failed"),

    // Historical values (older kernels; may still arrive from old peers).
    HIST_TIMEOUT(0x02000000, "timeout (historical code)", true),
    HIST_TCL(0x02040000, "timeout waiting for CONFIRM LINK (historical code)", true),
    HIST_REPLY(0x06000000, "reply to a decline (historical code)", true),
    HIST_SEND(0x07000000, "sending a CLC message failed (historical code)", true),
    HIST_INTERR(0x99990000, "internal error (historical code)", true);

    private static final Map<Integer, DeclineCode> BY_VALUE = new HashMap<>();

    static {
        for (DeclineCode c : values()) {
            // a current name wins over a historical alias of the same value
            BY_VALUE.merge(c.value, c, (a, b) -> a.historical ? b : a);
        }
    }

    private final int value;
    private final String meaning;
    private final boolean historical;

    DeclineCode(int value, String meaning) {
        this(value, meaning, false);
    }

    DeclineCode(int value, String meaning, boolean historical) {
        this.value = value;
        this.meaning = meaning;
        this.historical = historical;
    }

    /** The 32-bit code as sent on the wire. */
    public int value() {
        return value;
    }

    /** What the code means, in the kernel's words. */
    public String meaning() {
        return meaning;
    }

    /** True for values only older kernels send (e.g. 0x02040000). */
    public boolean historical() {
        return historical;
    }

    /** {@code 0x03030000} style. */
    public String hex() {
        return hex(value);
    }

    public static String hex(int value) {
        return String.format("0x%08x", value);
    }

    /** The code with that wire value, if known. Note IPSEC's old numbering equals NOSMCDEV's. */
    public static Optional<DeclineCode> of(int value) {
        return Optional.ofNullable(BY_VALUE.get(value));
    }

    /**
     * A one-line explanation of any 32-bit diagnosis: known codes by name, unknown ones by their
     * class (the kernel groups codes by the top byte).
     */
    public static String describe(int value) {
        DeclineCode c = BY_VALUE.get(value);
        if (c != null) {
            return c.hex() + " " + c.name() + " (" + c.meaning + ")";
        }
        return hex(value) + " UNKNOWN (not a code of Linux net/smc)";
    }
}
