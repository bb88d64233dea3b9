package io.smcj.transport.rdma;

/**
 * A verb failed synchronously (the C call returned an errno), e.g. {@code ibv_post_send} with a
 * full send queue ({@link Errno#ENOMEM}) or a QP transition with bad attributes
 * ({@link Errno#EINVAL}). Failures of the transfer itself are reported asynchronously as
 * {@link WorkCompletion}s with a non-success {@link WcStatus}, never as this exception.
 */
public final class VerbsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The errno values verbs calls return. */
    public enum Errno { EINVAL, ENOMEM, EPERM, ENODEV, EIO, EBUSY, EAGAIN }

    private final Errno errno;

    public VerbsException(Errno errno, String message) {
        super(errno + ": " + message);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
