package io.smcj.simulator.tcp;

import java.util.List;

/**
 * What one side of a connection saw of the handshake.
 *
 * @param sent options of the SYN (client) or SYN-ACK (server) this side sent
 * @param received options of the SYN-ACK (client) or SYN (server) this side received, after middleboxes
 */
public record SynInfo(List<TcpOption> sent, List<TcpOption> received) {
    public SynInfo {
        sent = List.copyOf(sent);
        received = List.copyOf(received);
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
