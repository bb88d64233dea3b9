package io.smcj.transport.tcp.stream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Where the engine's TCP connections come from: real sockets ({@link NioTcpNetwork}) or the
 * simulator's TCP. The network decides, per connection, whether the SMC TCP option was
 * exchanged ({@link TcpStream#smcVerdict()}).
 */
public interface TcpNetwork {

    /** Short name for logs ("nio", "sim-tcp"). */
    String name();

    /**
     * Listens on {@code address} (port 0: an ephemeral port).
     *
     * @param smcEnabled whether SYNs with the SMC option are answered with it (an SMC listener)
     */
    TcpStreamListener listen(InetSocketAddress address, boolean smcEnabled) throws IOException;

    /**
     * Connects to {@code remote}.
     *
     * @param offerSmc whether our SYN carries the SMC option
     * @throws java.net.ConnectException refused
     * @throws java.net.SocketTimeoutException not established within {@code timeout}
     */
    TcpStream connect(InetSocketAddress remote, boolean offerSmc, Duration timeout) throws IOException;
}
