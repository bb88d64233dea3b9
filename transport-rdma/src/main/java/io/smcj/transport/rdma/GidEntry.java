package io.smcj.transport.rdma;

import java.net.InetAddress;

/**
 * One populated entry of a port's GID table ({@code ibv_query_gid_ex}).
 *
 * @param index the GID index, used as {@code sgid_index} in {@link QueuePair#modifyToRtr}
 * @param gid the GID
 * @param type RoCE v1 or v2
 * @param ipAddress the IP address the GID derives from (RoCE v2), or null for MAC-derived GIDs
 * @param netdev the net device the entry belongs to (e.g. a VLAN device), as in gid_attrs/ndevs
 */
public record GidEntry(int index, VerbsGid gid, GidType type, InetAddress ipAddress, String netdev) {}
