package io.smcj.interop.vm;

/**
 * What a command run in a VM returned: exit status, standard output and standard error.
 * Status 124 means the agent killed the command at its timeout.
 */
public record ExecResult(String command, int status, String out, String err) {
    public static final int TIMEOUT_STATUS = 124;

    public boolean ok() {
        return status == 0;
    }

    public boolean timedOut() {
        return status == TIMEOUT_STATUS;
    }

    /** Returns this result, or throws with the whole output when the status is not 0. */
    public ExecResult orThrow() {
        if (!ok()) {
            throw new AssertionError(describe());
        }
        return this;
    }

    public String describe() {
        return "`" + command + "` exited with " + status + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
