package io.smcj.engine;

import java.io.IOException;

/**
 * The handshake failed in a way that does not allow a fallback (the kernel's negative return
 * codes in {@code __smc_connect} / {@code smc_listen_work}): CLC timeout, malformed CLC (EPROTO),
 * TCP error. The connection fails; {@code clnt_hshake_err_cnt} / {@code srv_hshake_err_cnt} count it.
 * (A plain fallback here would be unsafe: a late CLC message would be taken for application data.
 * With {@code smcj.clc_error_fallback} the engine falls back instead where it can discard that
 * message safely, using {@link #position}; see engine/README.md.)
 */
public final class HandshakeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean eproto;
    /** Where the CLC stream stands (for {@code smcj.clc_error_fallback}). */
    final Position position;
    /** The whole message that was consumed and rejected ({@link Position#AFTER_MESSAGE}), else null. */
    final byte[] message;

    /** Already counted in {@code *_hshake_err_cnt} (so an enclosing step does not count it again). */
    transient boolean counted;

    /** Where a failed CLC read left the stream. */
    enum Position {
        /** Unknown or inside a message: no message boundary, nothing but an error is safe. */
        NO_BOUNDARY,
        /** The wait timed out before any byte of the message arrived. */
        BEFORE_MESSAGE,
        /** Exactly one whole message (its header's length) was consumed, then rejected. */
        AFTER_MESSAGE
    }

    public HandshakeException(String message, Throwable cause, boolean eproto) {
        this(message, cause, eproto, Position.NO_BOUNDARY, null);
    }

    HandshakeException(String message, Throwable cause, boolean eproto, Position position, byte[] consumed) {
        super(message, cause);
        this.eproto = eproto;
        this.position = position;
        this.message = consumed;
    }

    /** The peer sent a malformed CLC message (kernel: -EPROTO). */
    public boolean isEproto() {
        return eproto;
    }
}
