package io.smcj.cdc;

/**
 * SMC socket states of {@code enum smc_state} in {@code net/smc/smc.h}, with the numbers
 * {@code smc_diag} reports. The close states are driven by {@link CloseStateMachine}.
 */
public enum SmcCloseState {
    ACTIVE(1),
    INIT(2),
    CLOSED(7),
    LISTEN(10),
    /** Active close: we sent closed/done_writing and wait for the peer. */
    PEERCLOSEWAIT1(20),
    /** Active close: the peer also sent done_writing; waiting for its close. */
    PEERCLOSEWAIT2(21),
    /** Passive close: the peer closed or shut down; waiting for our application. */
    APPCLOSEWAIT1(22),
    /** Passive close: our application shut down writing as well. */
    APPCLOSEWAIT2(23),
    /** We shut down writing, then the peer closed; waiting for our close(). */
    APPFINCLOSEWAIT(24),
    /** We closed after the peer shut down writing; waiting for the peer's close. */
    PEERFINCLOSEWAIT(25),
    /** Abnormal close initiated locally (link group gone); waiting for cleanup. */
    PEERABORTWAIT(26),
    /** The peer aborted; waiting for our application to close. */
    PROCESSABORT(27);

    private final int diagNumber;

    SmcCloseState(int diagNumber) {
        this.diagNumber = diagNumber;
    }

    /** The number {@code smc_diag} / {@code smcss} show. */
    public int diagNumber() {
        return diagNumber;
    }

    public static SmcCloseState ofDiagNumber(int n) {
        for (SmcCloseState s : values()) {
            if (s.diagNumber == n) {
                return s;
            }
        }
        throw new IllegalArgumentException("no SMC state " + n);
    }
}
