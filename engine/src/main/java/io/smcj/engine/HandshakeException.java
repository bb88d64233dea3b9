package io.smcj.engine;

import java.io.IOException;

/**
 * The handshake failed in a way that does not allow a fallback (the kernel's negative return
 * codes in {@code __smc_connect} / {@code smc_listen_work}): CLC timeout, malformed CLC (EPROTO),
 * TCP error. The connection fails; {@code clnt_hshake_err_cnt} / {@code srv_hshake_err_cnt} count it.
 * (A fallback here would be unsafe: a late CLC message would be taken for application data.)
 */
public final class HandshakeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final boolean eproto;

    public HandshakeException(String message, Throwable cause, boolean eproto) {
        super(message, cause);
        this.eproto = eproto;
    }

    /** The peer sent a malformed CLC message (kernel: -EPROTO). */
    public boolean isEproto() {
        return eproto;
    }
}
