package io.smcj.transport.tcp.bpf;

import io.smcj.transport.tcp.policy.SmcPolicy;

/** Child JVM for {@link JvmDeathTest}: opens a BPF probe, says where, then waits to be killed. */
public final class ProbeHolderMain {
    private ProbeHolderMain() {
    }

    public static void main(String[] args) throws Exception {
        BpfCapabilityProbe p = BpfCapabilityProbe.open(BpfCapabilityProbe.Options.defaults(SmcPolicy.allowAll()));
        System.out.println("READY " + p.cgroup().path());
        System.out.flush();
        Thread.sleep(120_000); // killed by the test long before
        p.close();
    }
}
