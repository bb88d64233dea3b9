package io.smcj.transport.tcp.stream;

import io.smcj.transport.tcp.SmcOptionVerdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * One established TCP connection as the SMC engine uses it: first for the CLC handshake, then
 * (after a fallback) as the application's byte stream, or (on SMC-R) only for the close. The
 * engine never reads beyond a CLC message, so after a fallback every application byte is still in
 * the stream. Implementations: real sockets ({@link NioTcpNetwork}) and the simulator's TCP.
 *
 * <p>Every blocking call takes a timeout; {@link #close()} and {@link #abort()} wake blocked
 * callers (they fail with an {@link IOException}). Thread-safe: one reader and one writer may use
 * the stream concurrently.
 */
public interface TcpStream extends AutoCloseable {

    InetSocketAddress localAddress();

    InetSocketAddress remoteAddress();

    /** Whether the SMC TCP option was exchanged on this connection (and why), decided at connect/accept. */
    SmcOptionVerdict smcVerdict();

    /**
     * The net device this connection leaves through, with its addresses and prefix lengths
     * ({@code __sk_dst_get(sk)->dev}), or empty when the implementation cannot tell (the SMC engine
     * then uses its configured fallback, see engine/README.md).
     */
    default Optional<InterfaceInfo> localInterface() {
        return Optional.empty();
    }

    /**
     * Reads up to {@code len} bytes, waiting at most {@code timeout} for the first one.
     *
     * @return bytes read (at least 1), or -1 at end of stream
     * @throws java.net.SocketTimeoutException nothing arrived in time
     * @throws IOException reset, closed
     */
    int read(byte[] b, int off, int len, Duration timeout) throws IOException;

    /**
     * Writes all {@code len} bytes, waiting at most {@code timeout} for window space.
     *
     * @throws java.net.SocketTimeoutException the peer did not read in time
     */
    void write(byte[] b, int off, int len, Duration timeout) throws IOException;

    /** Reads exactly {@code len} bytes or fails (EOF before them is an {@link java.io.EOFException}). */
    default void readFully(byte[] b, int off, int len, Duration timeout) throws IOException {
        while (len > 0) {
            int n = read(b, off, len, timeout);
            if (n < 0) {
                throw new java.io.EOFException("end of stream with " + len + " bytes missing");
            }
            off += n;
            len -= n;
        }
    }

    /** Bytes readable without blocking (0 when unknown). */
    int available() throws IOException;

    /** Half-close: FIN. */
    void shutdownOutput() throws IOException;

    /** Abortive close: RST (SO_LINGER 0). */
    void abort();

    /** Orderly close. Idempotent. */
    @Override
    void close();
}
