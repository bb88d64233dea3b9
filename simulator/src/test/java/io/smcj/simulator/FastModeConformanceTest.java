package io.smcj.simulator;

import io.smcj.transport.rdma.conformance.VerbsConformanceSuite;
import io.smcj.transport.rdma.conformance.VerbsTestBed;

/** The verbs conformance suite on the simulator in fast mode (real time, inline execution). */
class FastModeConformanceTest extends VerbsConformanceSuite {
    @Override
    protected VerbsTestBed createTestBed() {
        return new SimTestBed(SimFabric.fast());
    }
}
