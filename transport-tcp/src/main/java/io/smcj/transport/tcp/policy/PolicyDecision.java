package io.smcj.transport.tcp.policy;

/**
 * Outcome of {@link SmcPolicy#decide}: whether SMC may be offered and which rules decided.
 *
 * @param enabled     port decision AND destination decision
 * @param portRule    1-based index of the matching port rule, 0 for the port default
 * @param prefixRule  1-based index of the matching destination rule, 0 for the destination
 *                    default, -1 when not evaluated (server side: destination rules are for clients)
 * @param description the decision in words, e.g. {@code "port rule #1 (8080 off) AND dst default (on) -> off"}
 */
public record PolicyDecision(boolean enabled, int portRule, int prefixRule, String description) {
    /** The decision when no policy applies at all. */
    public static final PolicyDecision NO_POLICY = new PolicyDecision(true, 0, -1, "no policy -> on");
}
