package io.smcj.protocol;

/**
 * The one error type of the wire layer: bytes that violate SMC-R, or a negotiation that cannot
 * proceed. It carries the {@link DeclineCode} that should be sent to the peer (the code the Linux
 * kernel would use in the same situation), the offset of the offending byte when one is known, and
 * a human-readable reason.
 *
 * <p>Decoders throw only this exception for bad input, never {@code IndexOutOfBoundsException} or
 * similar: property tests feed arbitrary bytes and check exactly that.
 *
 * <p>Two kinds, as the kernel's handshake return codes ({@code __smc_connect},
 * {@code smc_listen_work}): a positive {@code SMC_CLC_DECL_*} code means "send a Decline with this
 * code and fall back to TCP" ({@link #sendsDecline()} true, the default); a negative errno means
 * "handshake error": no Decline, the connection fails and {@code clnt/srv_hshake_err_cnt} counts it
 * ({@link #handshakeError}, e.g. {@code -EPROTO} for a CLC message {@code smc_clc_wait_msg}
 * rejects). Such an exception still carries a decline code: the one to record where a code is
 * needed (it is never sent).
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Offset value meaning "no single offending byte". */
    public static final int NO_OFFSET = -1;

    /** Linux {@code EPROTO}: the handshake fails with {@code -EPROTO} (malformed CLC message). */
    public static final int EPROTO = 71;

    private final DeclineCode declineCode;
    private final int offset;
    private final String reason;
    /** 0: a Decline with {@link #declineCode} is due; else the errno of a handshake error. */
    private final int errno;

    public ProtocolException(DeclineCode declineCode, int offset, String reason) {
        this(0, declineCode, offset, reason);
    }

    private ProtocolException(int errno, DeclineCode declineCode, int offset, String reason) {
        super(format(declineCode, offset, reason));
        if (errno < 0) {
            throw new IllegalArgumentException("errno is positive (the kernel returns -errno): " + errno);
        }
        this.errno = errno;
        this.declineCode = java.util.Objects.requireNonNull(declineCode, "declineCode");
        this.offset = offset;
        this.reason = java.util.Objects.requireNonNull(reason, "reason");
    }

    /**
     * A handshake error with no Decline (the kernel returns {@code -errno}), e.g.
     * {@code handshakeError(EPROTO, INTERR, 5, "...")} for a CLC header {@code smc_clc_wait_msg}
     * rejects.
     *
     * @param errno    the positive errno value (the kernel's return code is its negation)
     * @param recorded the code to record where one is needed; never sent to the peer
     */
    public static ProtocolException handshakeError(int errno, DeclineCode recorded, int offset, String reason) {
        if (errno <= 0) {
            throw new IllegalArgumentException("a handshake error needs an errno > 0, got " + errno);
        }
        return new ProtocolException(errno, recorded, offset, reason);
    }

    public ProtocolException(DeclineCode declineCode, String reason) {
        this(declineCode, NO_OFFSET, reason);
    }

    public ProtocolException(DeclineCode declineCode, int offset, String reason, Throwable cause) {
        this(declineCode, offset, reason);
        initCause(cause);
    }

    private static String format(DeclineCode code, int offset, String reason) {
        String where = offset >= 0 ? " at offset " + offset : "";
        return reason + where + " (decline " + code.hex() + " " + code.name() + ")";
    }

    /**
     * The decline code to send to the peer (or record as local fallback reason); for a
     * {@linkplain #handshakeError handshake error} only the code to record.
     */
    public DeclineCode declineCode() {
        return declineCode;
    }

    /**
     * True: send a Decline with {@link #declineCode()} and fall back to TCP (the kernel's positive
     * {@code SMC_CLC_DECL_*} return codes). False: a handshake error, no Decline (see {@link #errno()}).
     */
    public boolean sendsDecline() {
        return errno == 0;
    }

    /** The errno of a handshake error ({@link #EPROTO} ...), 0 when a Decline is due. */
    public int errno() {
        return errno;
    }

    /** Offset of the offending byte within the message, or {@link #NO_OFFSET}. */
    public int offset() {
        return offset;
    }

    /** The reason without offset or code decoration. */
    public String reason() {
        return reason;
    }

    /** Same reason and code, with the offset shifted by {@code base} (for nested structures). */
    public ProtocolException atBase(int base) {
        if (offset < 0 || base == 0) {
            return this;
        }
        ProtocolException e = new ProtocolException(errno, declineCode, offset + base, reason);
        e.initCause(this);
        return e;
    }
}
