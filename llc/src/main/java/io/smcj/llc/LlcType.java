package io.smcj.llc;

/**
 * The LLC message types ({@code enum smc_llc_msg_type}, net/smc/smc_llc.h). The v2 type byte is
 * {@code 0x20 | code}. Linux registers receive handlers ({@code smc_llc_rx_handlers[]}) for
 * 0x01-0x04, 0x06-0x09 and 0x21, 0x22, 0x24-0x27, 0x29 only; any other type byte finds no handler
 * in {@code smc_wr_rx_demultiplex()} and is dropped.
 */
public enum LlcType {
    CONFIRM_LINK(0x01, "CONFIRM LINK", true, true),
    ADD_LINK(0x02, "ADD LINK", true, true),
    ADD_LINK_CONT(0x03, "ADD LINK CONT", true, false),
    DELETE_LINK(0x04, "DELETE LINK", true, true),
    REQ_ADD_LINK(0x05, "REQ ADD LINK", false, true),
    CONFIRM_RKEY(0x06, "CONFIRM RKEY", true, true),
    TEST_LINK(0x07, "TEST LINK", true, true),
    CONFIRM_RKEY_CONT(0x08, "CONFIRM RKEY CONT", true, false),
    DELETE_RKEY(0x09, "DELETE RKEY", true, true);

    private final int code;
    private final String text;
    private final boolean kernelV1;
    private final boolean kernelV2;

    LlcType(int code, String text, boolean kernelV1, boolean kernelV2) {
        this.code = code;
        this.text = text;
        this.kernelV1 = kernelV1;
        this.kernelV2 = kernelV2;
    }

    /** {@code llc_type}: the low nibble of byte 0. */
    public int code() {
        return code;
    }

    /** The type byte on the wire for this framing (0x0t or 0x2t). */
    public int typeByte(LlcFraming framing) {
        return (framing.versionNibble() << 4) | code;
    }

    /** Upper-case name with spaces, e.g. "CONFIRM LINK". */
    public String text() {
        return text;
    }

    /** The kernel's constant name, e.g. "SMC_LLC_CONFIRM_LINK_V2". */
    public String kernelName(LlcFraming framing) {
        return "SMC_LLC_" + name() + (framing.isV2() ? "_V2" : "");
    }

    /** True when Linux has a receive handler for this type in that framing (else it drops it). */
    public boolean kernelReceives(LlcFraming framing) {
        return framing.isV2() ? kernelV2 : kernelV1;
    }

    /** The type for a {@code llc_type} nibble, or null. */
    public static LlcType ofCode(int code) {
        for (LlcType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
