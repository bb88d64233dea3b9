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
 *
 * <p>{@code limit_smc_hs}: SMC handshakes in flight are counted as the kernel's
 * {@code queued_smc_hs} (from the accept of a connection whose SYN carried the option until its
 * handshake ended, {@code smc_listen_out}); while they reach {@code smcj.max_concurrent_handshakes}
 * (our stand-in for the kernel's test {@code workqueue_congested(smc_hs_wq)} in
 * {@code smc_hs_congested}) the listener answers new SYNs without the SMC option
 * ({@link TcpStreamListener#setSmcHsCongested}): those connections are plain TCP on both sides
 * (fallback PEERNOSMC, counted by both).
 *
 * <p>Backlog ({@code smc_tcp_syn_recv_sock}, always, with or without limit_smc_hs): the kernel
 * drops the handshake's final ACK while {@code sk_ack_backlog + queued_smc_hs >
 * sk_max_ack_backlog}, so the connection waits in SYN_RECV until there is room. Our acceptor takes
 * TCP connections at once (its TCP accept queue stays empty), so the equivalent is: while
 * {@code queued_smc_hs} exceeds the backlog, or the connections ready for {@link #accept()} do
 * ({@code sk_acceptq_is_full} of the SMC socket), it takes no more; new connections wait in the
 * TCP listener's queue (established on the client's side, as there) until a handshake ends or the
 * application accepts. As in the kernel's test, {@code backlog + 1} handshakes can be in flight.
 */
public final class SmcServerSocket implements Closeable {
    private final SmcEngine engine;
    private final TcpStreamListener listener;
    private final LinkedBlockingQueue<SmcSocket> ready = new LinkedBlockingQueue<>();
    /** Backlog of {@link SmcEngine#listen(InetSocketAddress)} (the NIO listener's TCP backlog too). */
    static final int DEFAULT_BACKLOG = 128;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final int backlog;
    private final boolean limitSmcHs;
    private final int maxHandshakes;
    /** Guards {@link #queuedSmcHs} and {@link #congested}; {@link #room} wakes the acceptor. */
    private final java.util.concurrent.locks.ReentrantLock hsLock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition room = hsLock.newCondition();
    /** {@code queued_smc_hs}; guarded by {@link #hsLock} with {@link #congested}. */
    private int queuedSmcHs;
    private boolean congested;
    private boolean hookMissingNoted;
    private final Thread acceptor;
    private volatile boolean closed;
    private volatile int soTimeout;

    SmcServerSocket(SmcEngine engine, TcpStreamListener listener, int backlog) {
        this.engine = engine;
        this.listener = listener;
        this.backlog = backlog;
        this.limitSmcHs = engine.config.limitSmcHs();
        this.maxHandshakes = engine.config.maxConcurrentHandshakes();
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

    /** Whether the listener is offering SMC in its SYN-ACKs no more for now ({@code limit_smc_hs}). */
    public boolean smcHsCongested() {
        hsLock.lock();
        try {
            return congested;
        } finally {
            hsLock.unlock();
        }
    }

    private void smcHandshakeQueued(int delta) {
        hsLock.lock();
        try {
            queuedSmcHs += delta;
            if (delta < 0) {
                room.signalAll(); // room for the acceptor again
            }
            boolean c = limitSmcHs && queuedSmcHs >= maxHandshakes;
            if (c == congested) {
                return;
            }
            congested = c;
            if (!listener.setSmcHsCongested(c) && !hookMissingNoted) {
                hookMissingNoted = true;
                engine.trace.line(engine.name + " limit_smc_hs not enforced: this TCP listener cannot keep the SMC"
                        + " option off its SYN-ACKs");
            }
        } finally {
            hsLock.unlock();
        }
    }

    /** Waits while the backlog is exceeded (see the class comment); false when closed. */
    private boolean awaitBacklogRoom() {
        hsLock.lock();
        try {
            while (!closed && (queuedSmcHs > backlog || ready.size() > backlog)) {
                try {
                    engine.runtime.awaitNanos(hsLock, room, TimeUnit.MILLISECONDS.toNanos(100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !closed;
        } finally {
            hsLock.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            if (!awaitBacklogRoom()) {
                return;
            }
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
            // the kernel checks when the connection completes: a handshake that ended or an
            // accept() while we waited in accept(100 ms) may have changed the room since
            if (!awaitBacklogRoom()) {
                s.abort();
                return;
            }
            inFlight.incrementAndGet();
            boolean smcHs = s.smcVerdict().smcPossible(); // smc_tcp_listen_work: syn_smc -> queued_smc_hs++
            if (smcHs) {
                smcHandshakeQueued(1);
            }
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
                    if (smcHs) {
                        smcHandshakeQueued(-1); // smc_listen_out
                    }
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
                hsLock.lock();
                try {
                    room.signalAll(); // room in the accept queue for the acceptor
                } finally {
                    hsLock.unlock();
                }
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
