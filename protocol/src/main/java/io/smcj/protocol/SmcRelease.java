package io.smcj.protocol;

/** The SMCv2 release (v2 extension and first-contact extension): 0 = v2.0, 1 = v2.1. */
public enum SmcRelease {
    V2_0(0, "v2.0"), V2_1(1, "v2.1");

    /** What this implementation speaks ({@code SMC_RELEASE} in Linux 6.x). */
    public static final SmcRelease CURRENT = V2_1;

    private final int wire;
    private final String label;

    SmcRelease(int wire, String label) {
        this.wire = wire;
        this.label = label;
    }

    public int wire() {
        return wire;
    }

    public String label() {
        return label;
    }

    /** Releases above ours are kept as numbers by codecs; this maps only known ones. */
    public static SmcRelease ofWire(int v) {
        return switch (v) {
            case 0 -> V2_0;
            case 1 -> V2_1;
            default -> null;
        };
    }
}
