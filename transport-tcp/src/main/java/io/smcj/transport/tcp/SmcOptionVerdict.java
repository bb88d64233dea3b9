package io.smcj.transport.tcp;

import io.smcj.protocol.DeclineCode;
import io.smcj.transport.tcp.policy.PolicyDecision;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened to the SMC option on one connection.
 *
 * @param source      which probe decided
 * @param role        CLIENT: we sent the SYN; SERVER: we sent the SYN-ACK
 * @param optionSent  our SYN (client) / SYN-ACK (server) carried the option (TRUSTED: false, assumed)
 * @param peerOption  the peer's SYN-ACK (client) / SYN (server) carried it (TRUSTED: false, assumed)
 * @param smcPossible the engine may start the CLC handshake; otherwise it falls back to TCP
 * @param policy      the policy decision and the rule that made it
 * @param reason      one line for logs and the connection's fallback reason
 */
public record SmcOptionVerdict(SmcCapabilityProbe.Kind source, SmcRole role, boolean optionSent, boolean peerOption,
        boolean smcPossible, PolicyDecision policy, String reason) {
    public SmcOptionVerdict {
        Objects.requireNonNull(source);
        Objects.requireNonNull(role);
        Objects.requireNonNull(policy);
        Objects.requireNonNull(reason);
    }

    /** The local fallback reason when SMC is not possible: {@link DeclineCode#PEERNOSMC}, as the kernel. */
    public Optional<DeclineCode> fallbackCode() {
        return smcPossible ? Optional.empty() : Optional.of(DeclineCode.PEERNOSMC);
    }

    /** "BPF CLIENT: ..." -- the text a connection shows as its fallback reason. */
    @Override
    public String toString() {
        return source + " " + role + ": " + (smcPossible ? "SMC possible" : "TCP fallback") + " -- " + reason
                + " [policy: " + policy.description() + "]";
    }
}
