package io.smcj.cdc;

/** {@code enum smc_urg_state} of {@code net/smc/smc.h}. */
public enum UrgState {
    /** An urgent byte was received and not read with MSG_OOB yet ({@code SMC_URG_VALID}). */
    VALID,
    /** urg_data_pending seen, the urgent byte has not arrived ({@code SMC_URG_NOTYET}). */
    NOTYET,
    /** No unread urgent byte ({@code SMC_URG_READ}, the initial state). */
    READ
}
