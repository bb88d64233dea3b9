package io.smcj.transport.rdma.conformance;

import io.smcj.transport.rdma.QueuePair;
import io.smcj.transport.rdma.VerbsContext;
import java.time.Duration;

/**
 * Fault injection a backend offers the conformance suite. A backend that cannot inject a fault
 * leaves {@link #supports} false for it and the suite skips the test with an assumption.
 */
public interface FaultControl {

    enum Fault { LINK_DOWN, CRASH_PEER, DROP, DELAY }

    boolean supports(Fault fault);

    /** Takes the port's link down (the device raises PORT_ERR). */
    default void linkDown(VerbsContext device, int port) {
        throw new UnsupportedOperationException("linkDown");
    }

    /** Brings the port's link up again (PORT_ACTIVE). */
    default void linkUp(VerbsContext device, int port) {
        throw new UnsupportedOperationException("linkUp");
    }

    /** The device's host vanishes: it stops answering. */
    default void crash(VerbsContext device) {
        throw new UnsupportedOperationException("crash");
    }

    /** Loses the next {@code count} transmissions of the QP's requests. */
    default void dropNext(QueuePair qp, int count) {
        throw new UnsupportedOperationException("dropNext");
    }

    /** Delays the QP's transfers. */
    default void delay(QueuePair qp, Duration delay) {
        throw new UnsupportedOperationException("delay");
    }
}
