package io.smcj.interop.vm;

import java.util.List;
import java.util.Map;

/**
 * The booted kernel peers of a test run: two VMs on one test link (10.99.0.1 and 10.99.0.2 by
 * default), and the host's own address on that link (empty without the host TAP link).
 */
public record KernelPeers(List<KernelPeer> vms, String hostIp, Map<String, String> env) {
    public KernelPeer vm1() {
        return vms.get(0);
    }

    public KernelPeer vm2() {
        return vms.get(1);
    }

    /** The accelerator QEMU runs with here: kvm or tcg. */
    public String accel() {
        return env.getOrDefault("ACCEL", "?");
    }
}
