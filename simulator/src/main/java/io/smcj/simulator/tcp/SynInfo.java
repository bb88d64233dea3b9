package io.smcj.simulator.tcp;

import java.util.List;

/**
 * What one side of a connection saw of the handshake.
 *
 * @param sent options of the SYN (client) or SYN-ACK (server) this side sent
 * @param received options of the SYN-ACK (client) or SYN (server) this side received, after middleboxes
 * @param hsCongested server side: the peer's SYN had the SMC option but the listener was congested
 *                    ({@code limit_smc_hs}), so our SYN-ACK left it out
 */
public record SynInfo(List<TcpOption> sent, List<TcpOption> received, boolean hsCongested) {
    public SynInfo {
        sent = List.copyOf(sent);
        received = List.copyOf(received);
    }

    public SynInfo(List<TcpOption> sent, List<TcpOption> received) {
        this(sent, received, false);
    }

    /** Our SYN (or SYN-ACK) carried the SMC option. */
    public boolean sentSmc() {
        return TcpOption.containsSmc(sent);
    }

    /** The peer's SYN (or SYN-ACK) carried the SMC option when it reached us. */
    public boolean peerSmc() {
        return TcpOption.containsSmc(received);
    }

    /** Both directions carried the option: SMC may be tried (else TCP fallback). */
    public boolean smcNegotiated() {
        return sentSmc() && peerSmc();
    }
}
