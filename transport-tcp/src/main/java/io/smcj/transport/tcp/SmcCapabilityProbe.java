package io.smcj.transport.tcp;

import java.net.InetSocketAddress;

/**
 * Tells the engine, per TCP connection, whether the SMC TCP option was exchanged, i.e. whether
 * the connection may continue with the CLC handshake or must stay on TCP (kernel:
 * {@code tcp_sk(clcsock->sk)->syn_smc} checked in {@code smc_connect()} and
 * {@code smc_listen_work()}, fallback reason {@code SMC_CLC_DECL_PEERNOSMC}).
 *
 * <p>Call {@link #verdict} right after {@code connect()} (role {@link SmcRole#CLIENT}) or
 * {@code accept()} (role {@link SmcRole#SERVER}) returned, with the socket's local and remote
 * address. Implementations are thread-safe.
 */
public interface SmcCapabilityProbe extends AutoCloseable {
    /** Where the verdict comes from. */
    enum Kind {
        /** The option is really on the wire: sock_ops program via bpf() (needs root, cgroup2, Linux >= 5.10). */
        BPF,
        /** The simulator's TCP models the option per connection (middleboxes that strip it, resets). */
        SIMULATED,
        /** No option on the wire: configured peers are assumed capable (two smcj peers without BPF). */
        TRUSTED
    }

    Kind kind();

    /** The verdict for one established connection; never null, never blocks. */
    SmcOptionVerdict verdict(InetSocketAddress local, InetSocketAddress remote, SmcRole role);

    /**
     * {@code limit_smc_hs} for the listener on {@code localPort}: while congested, the SYN-ACKs of
     * that port carry no SMC option although the SYN did (see
     * {@link io.smcj.transport.tcp.stream.TcpStreamListener#setSmcHsCongested}).
     *
     * @return false when this probe cannot keep the option off a SYN-ACK (TRUSTED: no option on the wire)
     */
    default boolean setListenerCongested(int localPort, boolean congested) {
        return false;
    }

    /** Releases what the probe holds (BPF: link, program, map, cgroup). */
    @Override
    default void close() {
    }
}
