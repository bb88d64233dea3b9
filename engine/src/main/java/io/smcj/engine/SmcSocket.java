package io.smcj.engine;

import io.smcj.transport.tcp.stream.TcpStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;

/**
 * A connected SMC socket in the style of {@link java.net.Socket}: its bytes move over SMC-R (RDMA
 * WRITE into the peer's RMB + CDC) or, after a fallback, over the same TCP connection.
 * {@link #smcStatus()} tells which, and why. Thread-safe like a socket: one reader and one writer
 * may work concurrently.
 */
public final class SmcSocket implements Closeable {
    private final SmcEngine engine;
    private final TcpStream tcp;
    private final SmcConnection conn;
    private volatile SmcStatus status;
    /** The late CLC message to discard after a CLC-timeout fallback, else null. */
    private volatile LateClcMessage lateClc;
    private volatile int soTimeout;
    private volatile boolean closed;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private long fbSent;
    private long fbReceived;
    private final InputStream in = new In();
    private final OutputStream out = new Out();

    private final SmcStats.Role role;

    SmcSocket(SmcEngine engine, TcpStream tcp, SmcConnection conn, SmcStatus status, SmcStats.Role role) {
        this.role = role;
        this.engine = engine;
        this.tcp = tcp;
        this.conn = conn;
        this.status = status;
    }

    /**
     * A CLC-timeout fallback ({@code smcj.clc_error_fallback}): reads (client: and writes) wait
     * until {@code late} has discarded the peer's late CLC message.
     */
    void discardLateClc(LateClcMessage late) {
        this.lateClc = late;
        late.start(this);
    }

    /** What became of the late CLC message: appended to the status detail. */
    void lateClcResolved(String note, int peerDiagnosis) {
        SmcStatus st = status;
        status = SmcStatus.fallback(st.fallbackReason(), peerDiagnosis != 0 ? peerDiagnosis : st.peerDiagnosis(),
                st.detail() + "; " + note);
    }

    private void awaitLateClc(boolean write) throws IOException {
        LateClcMessage late = lateClc;
        if (late != null && (!write || role == SmcStats.Role.CLIENT)) {
            late.await(write ? 0 : soTimeout);
        }
    }

    /** SMC-R or fallback, with the reason. */
    public SmcStatus smcStatus() {
        return status;
    }

    /** True when the connection runs over SMC-R. */
    public boolean isSmc() {
        return conn != null;
    }

    public InetSocketAddress getLocalSocketAddress() {
        return tcp.localAddress();
    }

    public InetSocketAddress getRemoteSocketAddress() {
        return tcp.remoteAddress();
    }

    public InputStream getInputStream() {
        return in;
    }

    public OutputStream getOutputStream() {
        return out;
    }

    /** SO_TIMEOUT for reads in milliseconds; 0 = infinite. */
    public void setSoTimeout(int millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeout = millis;
    }

    public int getSoTimeout() {
        return soTimeout;
    }

    /** Sends one byte of urgent data (MSG_OOB). */
    public void sendUrgentData(int b) throws IOException {
        checkOpen();
        if (conn != null) {
            conn.write(new byte[] {(byte) b}, 0, 1, true);
        } else {
            throw new SocketException("urgent data is not supported on a TCP fallback stream");
        }
    }

    /** Reads the urgent byte if one arrived (SMC-R), else -1. */
    public int readUrgentData() {
        return conn == null ? -1 : conn.readUrgent();
    }

    public void shutdownInput() throws IOException {
        checkOpen();
        inputShutdown = true;
        if (conn != null) {
            conn.shutdownInput();
        }
    }

    public void shutdownOutput() throws IOException {
        checkOpen();
        if (outputShutdown) {
            return;
        }
        outputShutdown = true;
        if (conn != null) {
            conn.shutdownOutput();
        } else {
            awaitLateClc(true); // the client's Decline must precede our FIN
            tcp.shutdownOutput();
        }
    }

    public boolean isInputShutdown() {
        return inputShutdown;
    }

    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Orderly close: sends what is buffered, then the close flags (SMC-R) or FIN (TCP). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (conn != null) {
            conn.close(engine.closeLingerMillis);
        } else {
            tcp.close();
        }
        engine.socketClosed(this);
    }

    /** Abortive close: peer_conn_abort (SMC-R) or RST (TCP). */
    public void abort() {
        closed = true;
        if (conn != null) {
            conn.abort();
        } else {
            tcp.abort();
        }
        engine.socketClosed(this);
    }

    void abortQuietly() {
        try {
            abort();
        } catch (RuntimeException ignored) {
            // engine shutdown
        }
    }

    /** The SMC-R connection, null after a fallback (tests, observability). */
    SmcConnection connection() {
        return conn;
    }

    ConnectionInfo info() {
        if (conn == null) {
            return new ConnectionInfo(role.name(), tcp.localAddress(), tcp.remoteAddress(), closed ? "CLOSED" : "TCP", status,
                    0, 0, 0, 0, null, fbSent, fbReceived);
        }
        Link l = conn.link(); // conn->lnk
        return new ConnectionInfo(role.name(), tcp.localAddress(), tcp.remoteAddress(), conn.state().name(), status,
                conn.lgr.id, l == null ? 0 : l.linkId, conn.rmb.size(), conn.peerRmbeSize, conn.snapshot(),
                conn.bytesSent(), conn.bytesReceived());
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    @Override
    public String toString() {
        return "SmcSocket[" + tcp.localAddress() + " -> " + tcp.remoteAddress() + ", " + status + "]";
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            checkOpen();
            if (inputShutdown) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (conn != null) {
                return conn.read(b, off, len, soTimeout);
            }
            awaitLateClc(false);
            int to = soTimeout;
            int n = tcp.read(b, off, len, to == 0 ? Duration.ofDays(365) : Duration.ofMillis(to));
            if (n > 0) {
                fbReceived += n;
                engine.stats.received(n);
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            if (closed) {
                return 0;
            }
            if (conn != null) {
                return conn.available();
            }
            LateClcMessage late = lateClc;
            return late != null && !late.finished() ? 0 : tcp.available();
        }

        @Override
        public void close() {
            SmcSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            checkOpen();
            if (outputShutdown) {
                throw new SocketException("Socket output is shutdown");
            }
            if (len == 0) {
                return;
            }
            if (conn != null) {
                conn.write(b, off, len, false);
            } else {
                awaitLateClc(true);
                tcp.write(b, off, len, Duration.ofDays(365));
                fbSent += len;
                engine.stats.sent(len);
            }
        }

        @Override
        public void close() {
            SmcSocket.this.close();
        }
    }
}
