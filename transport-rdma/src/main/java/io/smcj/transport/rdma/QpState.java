package io.smcj.transport.rdma;

/** {@code enum ibv_qp_state}. */
public enum QpState { RESET, INIT, RTR, RTS, SQD, SQE, ERROR }
