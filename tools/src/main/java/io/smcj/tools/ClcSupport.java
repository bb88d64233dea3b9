package io.smcj.tools;

import io.smcj.protocol.Described;

/** Bridge to the CLC codec (io.smcj.clc); kept separate so the codec can land independently. */
final class ClcSupport {
    static final boolean AVAILABLE = false;

    private ClcSupport() {
    }

    static Described decode(byte[] b) throws SmcMessages.NotSmcException {
        throw new SmcMessages.NotSmcException("this build has no CLC codec yet (module clc)");
    }
}
