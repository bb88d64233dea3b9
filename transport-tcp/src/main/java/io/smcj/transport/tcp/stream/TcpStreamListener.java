package io.smcj.transport.tcp.stream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** A listening TCP socket handing out {@link TcpStream}s. */
public interface TcpStreamListener extends AutoCloseable {

    InetSocketAddress localAddress();

    /**
     * The next established connection, waiting at most {@code timeout}.
     *
     * @return the stream, or null when none arrived in time
     * @throws IOException the listener is closed or failed
     */
    TcpStream accept(Duration timeout) throws IOException;

    /**
     * {@code limit_smc_hs}: while {@code congested}, SYNs that carry the SMC option are answered
     * with a SYN-ACK <em>without</em> it, so those connections stay plain TCP on both sides (the
     * client sees no option: PEERNOSMC; so does the server's handshake). This is the kernel's
     * {@code tcp_openreq_init} clearing {@code ireq->smc_ok} when the listener's
     * {@code smc_hs_congested} hook (af_smc.c, set in {@code smc_listen}) says so. Connections
     * already established keep what their SYN-ACK carried.
     *
     * @return false when this listener cannot drop the option from its SYN-ACKs (nothing changes)
     */
    default boolean setSmcHsCongested(boolean congested) {
        return false;
    }

    @Override
    void close();
}
