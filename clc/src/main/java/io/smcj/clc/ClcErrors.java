package io.smcj.clc;

import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.ProtocolException;

/** Builds the exceptions of CLC decoding. See {@link ClcCodec#isEproto}. */
final class ClcErrors {
    private ClcErrors() {
    }

    static final String EPROTO = "EPROTO: ";

    /**
     * A message that {@code smc_clc_wait_msg} / {@code smc_clc_msg_hdr_valid} rejects: Linux sends no
     * Decline, it fails the handshake with -EPROTO (see {@link ClcCodec#MALFORMED_CODE}).
     */
    static ProtocolException eproto(int offset, String reason) {
        return ProtocolException.handshakeError(ProtocolException.EPROTO, ClcCodec.MALFORMED_CODE, offset,
                EPROTO + reason);
    }

    /** Bounds check against the declared message length. */
    static void need(int limit, int off, int len, String what) {
        if (off < 0 || len < 0 || (long) off + len > limit) {
            throw eproto(Math.max(0, Math.min(off, limit)), what + " needs " + len + " bytes at offset " + off
                    + " but the message is " + limit + " bytes long");
        }
    }

    static ProtocolException other(DeclineCode code, int offset, String reason) {
        return new ProtocolException(code, offset, reason);
    }
}
