package io.smcj.simulator.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;

/**
 * One side of a simulated TCP connection: a bounded, ordered byte stream with half-close (FIN),
 * reset (RST) and the options its handshake showed. The non-blocking API returns 0 when nothing
 * can be read or written; {@link #inputStream}/{@link #outputStream} give blocking views with
 * timeouts. Thread-safe.
 */
public final class SimTcpConnection implements AutoCloseable {

    private record Segment(byte[] data, boolean fin) {}

    private final SimNetwork net;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final SynInfo synInfo;
    private final int receiveBuffer;
    private final Condition cond;
    SimTcpConnection peer;
    /** Received, unread bytes. */
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private int buffered;
    /** Bytes the peer sent to us that are still on the wire. */
    private int incoming;
    /** Our segments on the wire, in order. */
    private final ArrayDeque<Segment> wire = new ArrayDeque<>();
    private long lastDue;
    private boolean outputShutdown;
    private boolean eof;
    private boolean reset;
    private boolean closed;
    private Runnable readinessListener;
    private long bytesSent;
    private long bytesReceived;

    SimTcpConnection(SimNetwork net, InetSocketAddress local, InetSocketAddress remote, SynInfo synInfo) {
        this.net = net;
        this.local = local;
        this.remote = remote;
        this.synInfo = synInfo;
        this.receiveBuffer = net.receiveBuffer;
        this.cond = net.lock.newCondition();
    }

    static String flow(InetSocketAddress from, InetSocketAddress to) {
        return from.getAddress().getHostAddress() + ":" + from.getPort() + ">" + to.getAddress().getHostAddress() + ":"
                + to.getPort();
    }

    private void trace(String detail) {
        net.fabric.traceTcp(flow(local, remote), detail);
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** What the handshake showed this side (options sent and received). */
    public SynInfo synInfo() {
        return synInfo;
    }

    /**
     * Called (under the simulation lock, keep it short) whenever this side may have become
     * readable or writable: data, FIN or RST arrived, or the peer read and opened the window.
     */
    public void setReadinessListener(Runnable r) {
        net.lock.lock();
        try {
            readinessListener = r;
        } finally {
            net.lock.unlock();
        }
    }

    private void signal() {
        cond.signalAll();
        if (readinessListener != null) {
            readinessListener.run();
        }
    }

    // ------------------------------------------------------------ non-blocking API

    /**
     * Reads into {@code dst}.
     *
     * @return bytes read, 0 when nothing is there yet, -1 at end of stream (the peer shut down output)
     * @throws SocketException after a reset or close
     */
    public int read(ByteBuffer dst) throws IOException {
        net.lock.lock();
        try {
            checkOpen();
            if (buffered == 0) {
                return eof ? -1 : 0;
            }
            int n = 0;
            while (dst.hasRemaining() && !chunks.isEmpty()) {
                ByteBuffer c = chunks.peek();
                int k = Math.min(c.remaining(), dst.remaining());
                ByteBuffer slice = c.slice(c.position(), k);
                dst.put(slice);
                c.position(c.position() + k);
                if (!c.hasRemaining()) {
                    chunks.poll();
                }
                n += k;
            }
            buffered -= n;
            bytesReceived += n;
            if (n > 0 && peer != null) {
                peer.signal(); // window opened
            }
            return n;
        } finally {
            net.lock.unlock();
        }
    }

    /**
     * Writes as much of {@code src} as the peer's receive window allows.
     *
     * @return bytes written (0 when the window is full)
     * @throws SocketException after reset, close or shutdownOutput
     */
    public int write(ByteBuffer src) throws IOException {
        net.lock.lock();
        try {
            checkOpen();
            if (outputShutdown) {
                throw new SocketException("Socket output is shutdown");
            }
            int n = Math.min(src.remaining(), writableBytes());
            if (n == 0) {
                return 0;
            }
            byte[] data = new byte[n];
            src.get(data);
            peer.incoming += n;
            bytesSent += n;
            transmit(new Segment(data, false));
            return n;
        } finally {
            net.lock.unlock();
        }
    }

    /** Bytes that can be written now without blocking. */
    public int writableBytes() {
        net.lock.lock();
        try {
            if (reset || closed || outputShutdown || peer == null) {
                return 0;
            }
            return Math.max(0, peer.receiveBuffer - peer.buffered - peer.incoming);
        } finally {
            net.lock.unlock();
        }
    }

    /** Unread bytes that arrived. */
    public int available() {
        net.lock.lock();
        try {
            return buffered;
        } finally {
            net.lock.unlock();
        }
    }

    /** Data, EOF or an error is there to be read. */
    public boolean isReadable() {
        net.lock.lock();
        try {
            return buffered > 0 || eof || reset || closed;
        } finally {
            net.lock.unlock();
        }
    }

    /** Half-close: sends FIN; the peer reads EOF after the data, and may still write to us. */
    public void shutdownOutput() throws IOException {
        net.lock.lock();
        try {
            checkOpen();
            if (!outputShutdown) {
                outputShutdown = true;
                transmit(new Segment(null, true));
            }
        } finally {
            net.lock.unlock();
        }
    }

    /** Aborts the connection: an RST, both sides see "Connection reset" at once. */
    public void reset() {
        net.lock.lock();
        try {
            if (!reset) {
                trace("rst");
                markReset();
                if (peer != null) {
                    peer.markReset();
                }
            }
        } finally {
            net.lock.unlock();
        }
    }

    public boolean isReset() {
        net.lock.lock();
        try {
            return reset;
        } finally {
            net.lock.unlock();
        }
    }

    /** The peer's FIN has arrived (reads return -1 once the data is consumed). */
    public boolean isInputShutdown() {
        net.lock.lock();
        try {
            return eof;
        } finally {
            net.lock.unlock();
        }
    }

    /** Closes: FIN, or RST when unread data is left (as Linux does). */
    @Override
    public void close() {
        net.lock.lock();
        try {
            if (closed || reset) {
                closed = true;
                return;
            }
            if (buffered > 0) {
                reset();
            } else if (!outputShutdown) {
                outputShutdown = true;
                transmit(new Segment(null, true));
            }
            closed = true;
            signal();
        } finally {
            net.lock.unlock();
        }
    }

    public long bytesSent() {
        net.lock.lock();
        try {
            return bytesSent;
        } finally {
            net.lock.unlock();
        }
    }

    public long bytesReceived() {
        net.lock.lock();
        try {
            return bytesReceived;
        } finally {
            net.lock.unlock();
        }
    }

    private void checkOpen() throws SocketException {
        if (reset) {
            throw new SocketException("Connection reset");
        }
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    private void markReset() {
        reset = true;
        chunks.clear();
        buffered = 0;
        incoming = 0;
        wire.clear();
        signal();
    }

    /** Puts a segment on the wire; segments arrive in order after the network delay. */
    private void transmit(Segment s) {
        long now = net.scheduler.nanoTime();
        long due = Math.max(lastDue, now + net.delayNanos);
        lastDue = due;
        wire.add(s);
        SimTcpConnection to = peer;
        net.scheduler.schedule(due - now, () -> deliverHead(to));
    }

    private void deliverHead(SimTcpConnection to) {
        Segment s = wire.poll();
        if (s == null || reset || to.reset) {
            return;
        }
        if (to.closed && s.data != null) {
            reset(); // data for a closed socket is answered with RST
            return;
        }
        if (s.fin) {
            trace("fin delivered");
            to.eof = true;
        } else {
            trace("data delivered len=" + s.data.length);
            to.incoming -= s.data.length;
            to.chunks.add(ByteBuffer.wrap(s.data));
            to.buffered += s.data.length;
        }
        to.signal();
    }

    // ------------------------------------------------------------ blocking views

    /** A blocking input stream; a read waiting longer than {@code timeout} throws SocketTimeoutException. */
    public InputStream inputStream(Duration timeout) {
        Objects.requireNonNull(timeout);
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                ByteBuffer dst = ByteBuffer.wrap(b, off, len);
                while (true) {
                    int n = SimTcpConnection.this.read(dst);
                    if (n != 0) {
                        return n;
                    }
                    if (!await(SimTcpConnection.this::isReadableLocked)) {
                        throw new SocketTimeoutException("read timed out after " + timeout);
                    }
                }
            }

            @Override
            public int available() {
                return SimTcpConnection.this.available();
            }

            @Override
            public void close() {
                SimTcpConnection.this.close();
            }

            private boolean await(java.util.function.BooleanSupplier ready) throws IOException {
                try {
                    return net.scheduler.await(cond, timeout, ready);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }
        };
    }

    /** A blocking output stream; a write waiting for window longer than {@code timeout} throws SocketTimeoutException. */
    public OutputStream outputStream(Duration timeout) {
        Objects.requireNonNull(timeout);
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer src = ByteBuffer.wrap(b, off, len);
                while (src.hasRemaining()) {
                    int n = SimTcpConnection.this.write(src);
                    if (n == 0) {
                        boolean ok;
                        try {
                            ok = net.scheduler.await(cond, timeout, SimTcpConnection.this::isWritableLocked);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException();
                        }
                        if (!ok) {
                            throw new SocketTimeoutException("write timed out after " + timeout);
                        }
                    }
                }
            }

            @Override
            public void close() throws IOException {
                shutdownOutput();
            }
        };
    }

    private boolean isReadableLocked() {
        return buffered > 0 || eof || reset || closed;
    }

    private boolean isWritableLocked() {
        return reset || closed || outputShutdown || peer.receiveBuffer - peer.buffered - peer.incoming > 0;
    }

    @Override
    public String toString() {
        return "sim-tcp[" + local + " -> " + remote + (reset ? " RST" : "") + (eof ? " EOF" : "") + "]";
    }
}
