package io.smcj.transport.rdma;

/** {@code enum ibv_port_state}. */
public enum PortState { NOP, DOWN, INIT, ARMED, ACTIVE, ACTIVE_DEFER }
