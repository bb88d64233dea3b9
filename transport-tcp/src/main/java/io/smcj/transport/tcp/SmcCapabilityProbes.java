package io.smcj.transport.tcp;

import io.smcj.transport.tcp.bpf.BpfCapabilityProbe;
import io.smcj.transport.tcp.bpf.BpfException;
import io.smcj.transport.tcp.bpf.BpfSupport;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Chooses the engine's {@link SmcCapabilityProbe}. When BPF is preferred but cannot be used (not
 * root, no cgroup2, old kernel, verifier rejection) it says so once per JVM and cause, in one
 * line with the reason, through {@code notice}, and returns the configured alternative.
 */
public final class SmcCapabilityProbes {
    private static final Set<String> NOTIFIED = ConcurrentHashMap.newKeySet();

    /**
     * @param preferred    the probe wanted
     * @param alternative  used when {@code preferred} is BPF and BPF cannot be used: TRUSTED (the
     *                     {@code trustedPeers}; empty = every connection falls back to TCP) or SIMULATED
     * @param trustedPeers smcj peers assumed capable by the TRUSTED probe
     * @param policy       SMC policy (port rules AND client destination rules)
     * @param enforcement  where the BPF probe enforces the policy (TRUSTED always enforces in Java)
     * @param simulated    creates the simulator's probe (wired by the engine/tools; may be null
     *                     unless SIMULATED is asked for)
     */
    public record Config(SmcCapabilityProbe.Kind preferred, SmcCapabilityProbe.Kind alternative,
            List<InetAddress> trustedPeers, SmcPolicy policy, PolicyEnforcement enforcement,
            Supplier<SmcCapabilityProbe> simulated) {
        public Config {
            Objects.requireNonNull(preferred);
            Objects.requireNonNull(alternative);
            if (alternative == SmcCapabilityProbe.Kind.BPF) {
                throw new IllegalArgumentException("the alternative to BPF cannot be BPF");
            }
            trustedPeers = List.copyOf(trustedPeers);
            policy = policy == null ? SmcPolicy.allowAll() : policy;
            Objects.requireNonNull(enforcement);
        }

        /** BPF, else TRUSTED with no peers (plain TCP fallback), allow-all policy enforced in BPF. */
        public static Config bpfOrTcp() {
            return new Config(SmcCapabilityProbe.Kind.BPF, SmcCapabilityProbe.Kind.TRUSTED, List.of(),
                    SmcPolicy.allowAll(), PolicyEnforcement.BPF, null);
        }
    }

    private SmcCapabilityProbes() {
    }

    /** Why the BPF probe cannot be used here (computed once per JVM), empty when it can. */
    public static java.util.Optional<String> bpfUnavailabilityCause() {
        return java.util.Optional.ofNullable(BpfSupport.unavailabilityCause());
    }

    public static SmcCapabilityProbe open(Config c, Consumer<String> notice) {
        return openWithCause(c, notice, BpfSupport.unavailabilityCause());
    }

    /** {@link #open} with the BPF unavailability cause given (tests force one). */
    static SmcCapabilityProbe openWithCause(Config c, Consumer<String> notice, String bpfCause) {
        return switch (c.preferred()) {
            case BPF -> {
                String cause = bpfCause;
                if (cause == null) {
                    try {
                        yield BpfCapabilityProbe.open(new BpfCapabilityProbe.Options(c.policy(), c.enforcement(), true,
                                List.of(), 16384));
                    } catch (BpfException e) {
                        cause = e.getMessage().replace('\n', ' ');
                    }
                }
                SmcCapabilityProbe alt = alternative(c, "BPF unavailable: " + cause);
                String line = "smcj: cannot put the SMC TCP option on the wire: BPF unavailable (" + cause + "); using "
                        + describe(alt);
                if (NOTIFIED.add(line)) {
                    notice.accept(line);
                }
                yield alt;
            }
            case TRUSTED -> new TrustedPeersProbe(c.trustedPeers(), c.policy(), null);
            case SIMULATED -> simulated(c);
        };
    }

    private static SmcCapabilityProbe alternative(Config c, String why) {
        return c.alternative() == SmcCapabilityProbe.Kind.SIMULATED ? simulated(c)
                : new TrustedPeersProbe(c.trustedPeers(), c.policy(), why);
    }

    private static SmcCapabilityProbe simulated(Config c) {
        if (c.simulated() == null) {
            throw new IllegalArgumentException("SIMULATED probe requested but no simulator supplied");
        }
        return c.simulated().get();
    }

    private static String describe(SmcCapabilityProbe p) {
        if (p instanceof TrustedPeersProbe t) {
            return t.trustedPeers().isEmpty() ? "TCP fallback for every connection (no trusted smcj peers configured)"
                    : "TRUSTED smcj peers " + t.trustedPeers() + " (all others fall back to TCP)";
        }
        return p.kind() + " probe";
    }
}
