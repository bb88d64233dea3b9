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

    @Override
    void close();
}
