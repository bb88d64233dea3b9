package io.smcj.engine;

import java.io.IOException;

/** The link (or the whole link group) cannot carry traffic any more. */
public final class LinkDownException extends IOException {
    private static final long serialVersionUID = 1L;

    public LinkDownException(String message) {
        super(message);
    }
}
