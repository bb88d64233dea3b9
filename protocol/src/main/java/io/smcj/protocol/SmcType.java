package io.smcj.protocol;

/** {@code SMC_TYPE_R/D/N/B}: the 2-bit type fields of the CLC header. */
public enum SmcType {
    /** SMC-R. */
    R(0),
    /** SMC-D. */
    D(1),
    /** none. */
    N(2),
    /** both. */
    B(3);

    private final int wire;

    SmcType(int wire) {
        this.wire = wire;
    }

    public int wire() {
        return wire;
    }

    public static SmcType ofWire(int twoBits) {
        return values()[twoBits & 3];
    }

    public boolean includesR() {
        return this == R || this == B;
    }

    public boolean includesD() {
        return this == D || this == B;
    }
}
