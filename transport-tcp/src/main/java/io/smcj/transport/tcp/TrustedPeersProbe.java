package io.smcj.transport.tcp;

import io.smcj.transport.tcp.policy.PolicyDecision;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@link SmcCapabilityProbe.Kind#TRUSTED}: nothing goes on the wire; peers whose address is in a
 * configured list are assumed SMC-capable (two smcj peers configured to trust each other when BPF
 * is not available). The policy is enforced in Java. An empty list means every connection falls
 * back to TCP -- what the engine uses when BPF is unavailable and nothing else is configured.
 */
public final class TrustedPeersProbe implements SmcCapabilityProbe {
    private final List<byte[]> trusted;
    private final List<String> trustedText;
    private final SmcPolicy policy;
    private final String whyNoOption;

    /**
     * @param trustedPeers addresses assumed capable (IPv4 also matches its IPv4-mapped form)
     * @param policy       enforced here, in Java
     * @param whyNoOption  appended to every reason (e.g. why BPF could not be used), or null
     */
    public TrustedPeersProbe(List<InetAddress> trustedPeers, SmcPolicy policy, String whyNoOption) {
        this.trusted = trustedPeers.stream().map(SmcPolicy::mapped).toList();
        this.trustedText = trustedPeers.stream().map(InetAddress::getHostAddress).toList();
        this.policy = Objects.requireNonNull(policy);
        this.whyNoOption = whyNoOption;
    }

    @Override
    public Kind kind() {
        return Kind.TRUSTED;
    }

    public List<String> trustedPeers() {
        return trustedText;
    }

    @Override
    public SmcOptionVerdict verdict(InetSocketAddress local, InetSocketAddress remote, SmcRole role) {
        PolicyDecision d = policy.decide(role, local.getPort(), remote.getAddress());
        byte[] peer = SmcPolicy.mapped(remote.getAddress());
        boolean isTrusted = trusted.stream().anyMatch(t -> Arrays.equals(t, peer));
        String suffix = whyNoOption == null ? "" : " (" + whyNoOption + ")";
        String reason;
        boolean ok = false;
        if (!isTrusted) {
            reason = "no SMC option exchanged and peer " + remote.getAddress().getHostAddress()
                    + " is not a trusted smcj peer" + suffix;
        } else if (!d.enabled()) {
            reason = "trusted peer, but the policy turns SMC off" + suffix;
        } else {
            reason = "trusted smcj peer " + remote.getAddress().getHostAddress() + " assumed SMC-capable" + suffix;
            ok = true;
        }
        return new SmcOptionVerdict(Kind.TRUSTED, role, false, false, ok, d, reason);
    }
}
