package io.smcj.transport.rdma;

/**
 * {@code struct ibv_async_event}.
 *
 * @param type the event
 * @param portNum the port for port events (else 0)
 * @param qpNum the QP number for QP events (else 0)
 */
public record AsyncEvent(AsyncEventType type, int portNum, int qpNum) {
    @Override
    public String toString() {
        return type + (portNum != 0 ? " port=" + portNum : "") + (qpNum != 0 ? " qp=0x" + Integer.toHexString(qpNum) : "");
    }
}
