package io.smcj.transport.rdma;

/** The type of a GID table entry (sysfs {@code gid_attrs/types}). */
public enum GidType {
    /** InfiniBand GID (not used by SMC-R). */
    IB,
    /** RoCE v1: GID derived from the MAC (link-local fe80::/64 EUI-64), Ethertype 0x8915. */
    ROCE_V1,
    /** RoCE v2: GID derived from the IP address (IPv4-mapped ::ffff:a.b.c.d or IPv6), UDP 4791. */
    ROCE_V2
}
