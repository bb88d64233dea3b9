package io.smcj.simulator;

/**
 * Counters of a QP or a device (a device sums its QPs).
 *
 * @param postedSends send requests accepted by post
 * @param postedRecvs receive requests accepted by post
 * @param completions completions generated (send and receive, success or error)
 * @param errors error completions (including flushes)
 * @param bytesSent payload bytes this side transferred as requester
 * @param bytesReceived payload bytes that landed in this side's memory as responder
 */
public record SimCounters(long postedSends, long postedRecvs, long completions, long errors, long bytesSent,
                          long bytesReceived) {

    /** Mutable form, guarded by the fabric lock. */
    static final class Mutable {
        long postedSends;
        long postedRecvs;
        long completions;
        long errors;
        long bytesSent;
        long bytesReceived;

        SimCounters snapshot() {
            return new SimCounters(postedSends, postedRecvs, completions, errors, bytesSent, bytesReceived);
        }
    }

    @Override
    public String toString() {
        return "posted-send=" + postedSends + " posted-recv=" + postedRecvs + " completions=" + completions
                + " errors=" + errors + " bytes-sent=" + bytesSent + " bytes-received=" + bytesReceived;
    }
}
