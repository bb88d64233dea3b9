package io.smcj.transport.rdma.conformance;

import io.smcj.transport.rdma.VerbsContext;

/**
 * Two devices that reach each other, for {@link VerbsConformanceSuite}: two simulated devices,
 * two real RoCE ports cabled together, or one port in loopback (deviceA == deviceB).
 */
public interface VerbsTestBed extends AutoCloseable {

    VerbsContext deviceA();

    VerbsContext deviceB();

    default int portA() {
        return 1;
    }

    default int portB() {
        return 1;
    }

    /** Fault injection, never null (may support nothing). */
    FaultControl faults();

    @Override
    void close();
}
