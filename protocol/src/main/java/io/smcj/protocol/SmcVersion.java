package io.smcj.protocol;

/** The SMC version nibble of the CLC header (and of LLC v2 types). */
public enum SmcVersion {
    V1(1), V2(2);

    private final int wire;

    SmcVersion(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    /** The version for a wire nibble, or null when unknown (e.g. 0 or 3+). */
    public static SmcVersion ofWire(int nibble) {
        return switch (nibble) {
            case 1 -> V1;
            case 2 -> V2;
            default -> null;
        };
    }
}
