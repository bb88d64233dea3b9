package io.smcj.protocol;

/** Peer OS type nibble of the first-contact extension and the v2 Decline. */
public enum OsType {
    NONE(0), ZOS(1), LINUX(2), AIX(3), UNKNOWN(15);

    private final int wire;

    OsType(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** Null for nibbles without a name (4..14). */
    public static OsType ofWire(int v) {
        for (OsType t : values()) {
            if (t.wire == v) {
                return t;
            }
        }
        return null;
    }
}
