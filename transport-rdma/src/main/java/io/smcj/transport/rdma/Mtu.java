package io.smcj.transport.rdma;

/** {@code enum ibv_mtu}: the IB path MTU, value 1..5. */
public enum Mtu {
    MTU_256(1, 256), MTU_512(2, 512), MTU_1024(3, 1024), MTU_2048(4, 2048), MTU_4096(5, 4096);

    private final int ibvValue;
    private final int bytes;

    Mtu(int ibvValue, int bytes) {
        this.ibvValue = ibvValue;
        this.bytes = bytes;
    }

    /** The {@code IBV_MTU_*} value (as carried in CLC/LLC messages). */
    public int ibvValue() {
        return ibvValue;
    }

    public int bytes() {
        return bytes;
    }

    public static Mtu fromIbvValue(int v) {
        for (Mtu m : values()) {
            if (m.ibvValue == v) {
                return m;
            }
        }
        throw new IllegalArgumentException("no IBV MTU value " + v);
    }

    /** The largest IB MTU that fits a link-layer (Ethernet) MTU, as {@code iboe_get_mtu}. */
    public static Mtu forEthernetMtu(int ethMtu) {
        // RoCE headers: GRH 40 + BTH 12 + DETH 8 + ICRC 4 (iboe_get_mtu's overhead)
        int room = ethMtu - 40 - 12 - 8 - 4;
        Mtu best = MTU_256;
        for (Mtu m : values()) {
            if (m.bytes <= room) {
                best = m;
            }
        }
        return best;
    }
}
