package io.smcj.tools;

import io.smcj.clc.ClcCodec;
import io.smcj.protocol.Described;

/** Bridge to the CLC codec ({@link ClcCodec}): one whole CLC message, header through trailer. */
final class ClcSupport {
    private ClcSupport() {
    }

    static Described decode(byte[] b) {
        return ClcCodec.decode(b);
    }
}
