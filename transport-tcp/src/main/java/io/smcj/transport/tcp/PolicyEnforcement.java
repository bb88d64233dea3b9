package io.smcj.transport.tcp;

/** Where an {@link io.smcj.transport.tcp.policy.SmcPolicy} is enforced. */
public enum PolicyEnforcement {
    /**
     * In the BPF program: a connection the policy turns off carries no option on its SYN or
     * SYN-ACK, exactly like the kernel's policy hooks; the peer then falls back too.
     */
    BPF,
    /**
     * In Java, after the handshake: the verdict says fallback with the matching rule. With
     * {@link SmcCapabilityProbe.Kind#BPF} the option has then already been exchanged, so only use
     * this with TRUSTED / SIMULATED probes, or between smcj peers that fall back the same way.
     */
    JAVA
}
