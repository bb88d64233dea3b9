package io.smcj.protocol;

/**
 * The one error type of the wire layer: bytes that violate SMC-R, or a negotiation that cannot
 * proceed. It carries the {@link DeclineCode} that should be sent to the peer (the code the Linux
 * kernel would use in the same situation), the offset of the offending byte when one is known, and
 * a human-readable reason.
 *
 * <p>Decoders throw only this exception for bad input, never {@code IndexOutOfBoundsException} or
 * similar: property tests feed arbitrary bytes and check exactly that.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Offset value meaning "no single offending byte". */
    public static final int NO_OFFSET = -1;

    private final DeclineCode declineCode;
    private final int offset;
    private final String reason;

    public ProtocolException(DeclineCode declineCode, int offset, String reason) {
        super(format(declineCode, offset, reason));
        this.declineCode = java.util.Objects.requireNonNull(declineCode, "declineCode");
        this.offset = offset;
        this.reason = java.util.Objects.requireNonNull(reason, "reason");
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

    /** The decline code to send to the peer (or record as local fallback reason). */
    public DeclineCode declineCode() {
        return declineCode;
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
        return new ProtocolException(declineCode, offset + base, reason, this);
    }
}
