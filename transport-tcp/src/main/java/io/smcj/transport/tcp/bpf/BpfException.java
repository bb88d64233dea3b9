package io.smcj.transport.tcp.bpf;

/** A failed bpf()/cgroup operation, with errno and (for program loads) the verifier log. */
public final class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String verifierLog;

    public BpfException(String message, int errno, String verifierLog) {
        super(message + (errno != 0 ? ": " + Native.errnoName(errno) : "")
                + (verifierLog == null || verifierLog.isBlank() ? "" : "\nverifier log:\n" + verifierLog));
        this.errno = errno;
        this.verifierLog = verifierLog;
    }

    public BpfException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
        this.verifierLog = null;
    }

    public int errno() {
        return errno;
    }

    /** The kernel verifier's log when a program load failed, else null. */
    public String verifierLog() {
        return verifierLog;
    }
}
