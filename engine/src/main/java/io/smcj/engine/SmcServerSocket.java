package io.smcj.engine;

import io.smcj.transport.tcp.stream.TcpStream;
import io.smcj.transport.tcp.stream.TcpStreamListener;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listening SMC socket in the style of {@link java.net.ServerSocket}. An acceptor thread takes
 * TCP connections and runs the server handshake of each on its own virtual thread
 * ({@code smc_tcp_listen_work} / {@code smc_listen_work}); {@link #accept()} returns connections
 * whose handshake finished, on SMC-R or after a fallback. Connections whose handshake failed
 * (CLC timeout, malformed CLC) are dropped, as the kernel does, and counted as handshake errors.
 */
public final class SmcServerSocket implements Closeable {
    private final SmcEngine engine;
    private final TcpStreamListener listener;
    private final LinkedBlockingQueue<SmcSocket> ready = new LinkedBlockingQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;
    private volatile int soTimeout;

    SmcServerSocket(SmcEngine engine, TcpStreamListener listener) {
        this.engine = engine;
        this.listener = listener;
        this.acceptor = engine.runtime.startThread("smcj-accept-" + engine.name, true, this::acceptLoop);
    }

    public InetSocketAddress getLocalSocketAddress() {
        return listener.localAddress();
    }

    /** SO_TIMEOUT of accept() in milliseconds; 0 = infinite. */
    public void setSoTimeout(int millis) {
        soTimeout = millis;
    }

    /** Handshakes running now. */
    public int handshakesInFlight() {
        return inFlight.get();
    }

    private void acceptLoop() {
        while (!closed) {
            TcpStream s;
            try {
                s = listener.accept(Duration.ofMillis(100));
            } catch (IOException e) {
                if (!closed) {
                    engine.trace.line(engine.name + " accept failed: " + e.getMessage());
                }
                return;
            }
            if (s == null) {
                continue;
            }
            inFlight.incrementAndGet();
            engine.runtime.startThread("smcj-listen-work", false, () -> {
                try {
                    SmcSocket sock = engine.serverHandshake(s);
                    if (closed) {
                        sock.abortQuietly();
                    } else {
                        ready.add(sock);
                    }
                } catch (IOException | RuntimeException e) {
                    s.abort();
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        }
    }

    /** The next connection; blocks up to SO_TIMEOUT (0 = forever) and is woken by {@link #close()}. */
    public SmcSocket accept() throws IOException {
        long deadline = soTimeout > 0 ? engine.runtime.nanoTime() + TimeUnit.MILLISECONDS.toNanos(soTimeout) : Long.MAX_VALUE;
        while (true) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            SmcSocket s;
            try {
                s = engine.runtime.poll(ready, TimeUnit.MILLISECONDS.toNanos(100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("accept interrupted");
            }
            if (s != null) {
                return s;
            }
            if (engine.runtime.nanoTime() - deadline > 0) {
                throw new SocketTimeoutException("Accept timed out");
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        try {
            engine.runtime.join(acceptor, 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        SmcSocket s;
        while ((s = ready.poll()) != null) {
            s.abortQuietly();
        }
    }
}
