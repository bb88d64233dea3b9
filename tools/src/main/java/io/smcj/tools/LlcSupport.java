package io.smcj.tools;

import io.smcj.protocol.Described;

/** Bridge to the LLC codec (io.smcj.llc); kept separate so the codec can land independently. */
final class LlcSupport {
    static final boolean AVAILABLE = false;

    private LlcSupport() {
    }

    static Described decode(byte[] b) throws SmcMessages.NotSmcException {
        throw new SmcMessages.NotSmcException("this build has no LLC codec yet (module llc)");
    }
}
