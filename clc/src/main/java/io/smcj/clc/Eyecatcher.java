package io.smcj.clc;

import io.smcj.protocol.SmcConstants;

/** The two CLC eyecatchers Linux accepts in the header and trailer ({@code smc_clc_msg_hdr_valid}). */
public enum Eyecatcher {
    /** "SMCR" in EBCDIC, {@code E2 D4 C3 D9}; Linux sends it for SMC-R and in every Proposal and Decline. */
    SMCR(SmcConstants.EYECATCHER_SMCR),
    /** "SMCD" in EBCDIC, {@code E2 D4 C3 C4}; Linux sends it in SMC-D Accept/Confirm. */
    SMCD(SmcConstants.EYECATCHER_SMCD);

    private final int value;

    Eyecatcher(int value) {
        this.value = value;
    }

    /** The four bytes as a big-endian int. */
    public int value() {
        return value;
    }

    /** The eyecatcher with that value, or null. */
    public static Eyecatcher of(int value) {
        return value == SMCR.value ? SMCR : value == SMCD.value ? SMCD : null;
    }
}
