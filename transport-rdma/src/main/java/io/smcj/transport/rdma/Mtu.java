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

    /**
     * The largest IB MTU that fits a link-layer (Ethernet) MTU, as the kernel's
     * {@code iboe_get_mtu} (include/rdma/ib_addr.h) computes the active MTU of a RoCE port.
     */
    public static Mtu forEthernetMtu(int ethMtu) {
        // IB_GRH_BYTES 40 + IB_UDP_BYTES 8 + IB_BTH_BYTES 12 + IB_EXT_XRC_BYTES 4
        // + IB_EXT_ATOMICETH_BYTES 28 + IB_ICRC_BYTES 4
        int room = ethMtu - 96;
        Mtu best = MTU_256;
        for (Mtu m : values()) {
            if (m.bytes <= room) {
                best = m;
            }
        }
        return best;
    }
}
