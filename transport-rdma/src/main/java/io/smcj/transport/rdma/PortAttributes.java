package io.smcj.transport.rdma;

/**
 * What {@code ibv_query_port} tells about a port (the part SMC-R uses).
 *
 * @param state the port state; SMC-R uses only ACTIVE ports
 * @param activeMtu the active IB MTU (bounded by the netdev MTU)
 * @param maxMtu the largest MTU the port supports
 * @param gidTableLength the size of the GID table
 */
public record PortAttributes(PortState state, Mtu activeMtu, Mtu maxMtu, int gidTableLength) {}
