package io.smcj.llc;

/**
 * DELETE LINK reason codes ({@code SMC_LLC_DEL_*}, net/smc/smc_llc.h). {@link #PROT_VIOL} is what
 * Linux records and sends when it terminates a link group for an LLC protocol violation
 * ({@code smc_llc_protocol_violation()}).
 */
public enum LlcDeleteReason {
    LOST_PATH(0x00010000L, "request: lost path"),
    OP_INIT_TERM(0x00020000L, "request: operator initiated termination"),
    PROG_INIT_TERM(0x00030000L, "request: program initiated termination"),
    PROT_VIOL(0x00040000L, "request: LLC protocol violation"),
    NO_ASYM_NEEDED(0x00050000L, "request: asymmetric link no longer needed"),
    NOLNK(0x00100000L, "response: unknown link id (no link)"),
    NOLGR(0x00200000L, "response: unknown link group");

    private final long code;
    private final String meaning;

    LlcDeleteReason(long code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public long code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /** The reason for a code, or null when unknown (0 is "no reason", used in responses). */
    public static LlcDeleteReason of(long code) {
        for (LlcDeleteReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }

    /** "SMC_LLC_DEL_PROT_VIOL (request: LLC protocol violation)" or "none" / "unknown". */
    public static String describe(long code) {
        if (code == 0) {
            return "none";
        }
        LlcDeleteReason r = of(code);
        return r == null ? "unknown" : "SMC_LLC_DEL_" + r.name() + " (" + r.meaning + ")";
    }
}
