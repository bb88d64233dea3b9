package io.smcj.clc;

/** CLC message types ({@code SMC_CLC_PROPOSAL} .. {@code SMC_CLC_DECLINE}). */
public enum ClcType {
    PROPOSAL(0x01, "CLC Proposal"),
    ACCEPT(0x02, "CLC Accept"),
    CONFIRM(0x03, "CLC Confirm"),
    DECLINE(0x04, "CLC Decline");

    private final int wire;
    private final String messageName;

    ClcType(int wire, String messageName) {
        this.wire = wire;
        this.messageName = messageName;
    }

    public int wire() {
        return wire;
    }

    public String messageName() {
        return messageName;
    }

    /** Null for values other than 1..4. */
    public static ClcType ofWire(int v) {
        return v >= 1 && v <= 4 ? values()[v - 1] : null;
    }
}
