package io.smcj.tools;

import io.smcj.llc.LlcCodec;
import io.smcj.protocol.Described;

/** Bridge to the LLC codec ({@link LlcCodec#DEFAULT}: every type, v1 and v2 framing). */
final class LlcSupport {
    private LlcSupport() {
    }

    static Described decode(byte[] b) {
        return LlcCodec.DEFAULT.decode(b);
    }
}
