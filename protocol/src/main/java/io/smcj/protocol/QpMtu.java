package io.smcj.protocol;

/** InfiniBand path MTU enum as carried in CLC byte 50 and LLC ADD LINK ({@code enum ib_mtu}). */
public enum QpMtu {
    MTU_256(1, 256), MTU_512(2, 512), MTU_1024(3, 1024), MTU_2048(4, 2048), MTU_4096(5, 4096);

    private final int wire;
    private final int bytes;

    QpMtu(int wire, int bytes) {
        this.wire = wire;
        this.bytes = bytes;
    }

    public int wire() {
        return wire;
    }

    public int bytes() {
        return bytes;
    }

    /** Null for values outside 1..5. */
    public static QpMtu ofWire(int v) {
        return v >= 1 && v <= 5 ? values()[v - 1] : null;
    }

    public static QpMtu min(QpMtu a, QpMtu b) {
        return a.wire <= b.wire ? a : b;
    }
}
