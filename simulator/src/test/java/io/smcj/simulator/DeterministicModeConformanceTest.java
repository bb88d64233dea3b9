package io.smcj.simulator;

import io.smcj.transport.rdma.conformance.VerbsConformanceSuite;
import io.smcj.transport.rdma.conformance.VerbsTestBed;

/** The verbs conformance suite on the simulator in deterministic mode (seeded, virtual clock). */
class DeterministicModeConformanceTest extends VerbsConformanceSuite {
    @Override
    protected VerbsTestBed createTestBed() {
        return new SimTestBed(SimFabric.deterministic(42));
    }
}
