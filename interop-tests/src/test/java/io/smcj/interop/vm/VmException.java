package io.smcj.interop.vm;

/** The VM harness could not do what was asked (agent unreachable, boot failed, script error). */
public class VmException extends RuntimeException {
    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
