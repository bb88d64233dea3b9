package io.smcj.engine;

import io.netty.buffer.Unpooled;
import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcDecline;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcType;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.ProtocolException;
import io.smcj.transport.tcp.stream.TcpStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one CLC message a peer still sends after we fell back on a CLC timeout
 * ({@code smcj.clc_error_fallback}; Linux has no such fallback, see engine/README.md "CLC timeout
 * and malformed CLC"). A runtime thread reads exactly that message (framing checked: eyecatcher,
 * type, length, trailer) and discards it; the application's reads (and, on the client, its writes)
 * wait until it is gone, so no CLC byte reaches the application and no application byte is taken
 * for CLC.
 *
 * <ul>
 * <li>Client, timeout waiting for the Accept: the server sends exactly one Accept or Decline after
 * our Proposal. A late Decline means the server fell back: nothing to send. A late Accept means
 * the server now waits for a Confirm or Decline: we answer with a Decline ({@link #TIMEOUT_CODE})
 * and it falls back (PEERDECL). Our application's writes are held until then: before the server's
 * message is known, any byte we send could be taken for CLC (after an Accept) or must not be CLC
 * (after a Decline).</li>
 * <li>Server, timeout waiting for the Proposal: our Decline went out at once; the client sends
 * exactly one Proposal (or a Decline instead of it) before it reads our Decline, and nothing but
 * data after reading it. Only reads wait.</li>
 * </ul>
 * Anything else (EOF, reset, bytes that are not such a message, nothing within the wait) fails the
 * connection with a clear {@link IOException} and resets the TCP connection.
 */
final class LateClcMessage {
    /**
     * The Decline code for a CLC timeout: 0x02000000, {@code SMC_CLC_DECL_TIMEOUT} ("timeout") of the
     * first smc_clc.h (Linux 4.11); 6.12 keeps only its LLC subcodes TIMEOUT_CL / TIMEOUT_AL, which
     * would name the wrong wait. A Linux peer only records it as {@code peer_diagnosis}.
     */
    static final DeclineCode TIMEOUT_CODE = DeclineCode.HIST_TIMEOUT;

    /**
     * How long after the timeout the late message may take: twice {@code CLC_WAIT_TIME} (a Linux
     * server's answer can wait for its "lgr pending" lock, held through another connection's first
     * contact), at least the CLC wait itself.
     */
    static Duration lateWait(Duration clcWait) {
        Duration twice = Duration.ofMillis(2L * io.smcj.protocol.SmcConstants.CLC_WAIT_TIME_MS);
        return clcWait.compareTo(twice) > 0 ? clcWait : twice;
    }

    private final SmcEngine engine;
    private final TcpStream stream;
    private final ClcChannel ch;
    private final SmcStats.Role role;
    private final int declineVersion;
    private final Duration wait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition done = lock.newCondition();
    private boolean finished;
    private IOException failure;
    private SmcSocket socket;

    LateClcMessage(SmcEngine engine, TcpStream stream, ClcChannel ch, SmcStats.Role role, int declineVersion,
                   Duration wait) {
        this.engine = engine;
        this.stream = stream;
        this.ch = ch;
        this.role = role;
        this.declineVersion = declineVersion;
        this.wait = wait;
    }

    /** The message type we still expect from the peer (besides a Decline). */
    private ClcType expected() {
        return role == SmcStats.Role.CLIENT ? ClcType.ACCEPT : ClcType.PROPOSAL;
    }

    /** Starts the reader for {@code s}'s stream. */
    void start(SmcSocket s) {
        this.socket = s;
        engine.runtime.startThread(engine.name + "-late-clc", false, this::run);
    }

    private void run() {
        String what = "late " + ClcChannel.shortName(expected());
        try {
            byte[] msg = ch.readFramed(EnumSet.of(expected(), ClcType.DECLINE),
                    engine.runtime.nanoTime() + wait.toNanos());
            ClcMessage m = null;
            try {
                m = ClcCodec.decode(Unpooled.wrappedBuffer(msg), null);
            } catch (ProtocolException e) {
                // framing is fine, the content is not: still exactly one message
                engine.trace.line(engine.name + " malformed " + what + " (" + e.getMessage() + ")");
            }
            String note;
            int peerDiag = 0;
            if (ClcType.ofWire(msg[4] & 0xff) == ClcType.DECLINE) {
                peerDiag = m instanceof ClcDecline d ? d.peerDiagnosis() : 0;
                note = "late Decline" + (peerDiag != 0 ? String.format(" (peer_diagnosis 0x%08x)", peerDiag) : "")
                        + " discarded";
            } else if (role == SmcStats.Role.CLIENT) {
                // the server waits for our Confirm or Decline: decline, it falls back (PEERDECL)
                int version = m != null ? ClcHandshake.declineVersion(m) : declineVersion;
                ch.send(ClcDecline.linux(version, engine.peerId, TIMEOUT_CODE), wait);
                note = "late Accept discarded, Decline " + TIMEOUT_CODE.hex() + " sent";
            } else {
                note = "late Proposal discarded";
            }
            if (m != null) {
                engine.trace.clc(engine.name, false, m);
            }
            engine.trace.line(engine.name + " " + note + " (" + msg.length + " bytes)");
            socket.lateClcResolved(note, peerDiag);
            finish(null);
        } catch (SocketTimeoutException e) {
            finish(new IOException("TCP fallback after a CLC timeout: no " + what + " within " + wait.toMillis()
                    + " ms, connection reset", e));
        } catch (IOException | RuntimeException e) {
            finish(new IOException("TCP fallback after a CLC timeout: " + what + " expected, got: "
                    + (e instanceof java.io.EOFException ? "end of stream" : e.getMessage())
                    + "; connection reset, no byte delivered", e));
        }
    }

    private void finish(IOException f) {
        if (f != null && socket.isClosed()) {
            f = new IOException("socket closed before the late CLC message was discarded", f);
        } else if (f != null) {
            engine.trace.line(engine.name + " " + f.getMessage());
            socket.lateClcResolved("failed: " + f.getMessage(), 0);
            stream.abort();
        }
        lock.lock();
        try {
            failure = f;
            finished = true;
            done.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the late message is gone; {@code millis} 0 = no limit (the reader itself gives
     * up after the wait it was started with).
     *
     * @throws SocketTimeoutException {@code millis} elapsed (the read may be retried)
     * @throws IOException the late message did not come as expected: the connection is unusable
     */
    void await(long millis) throws IOException {
        long deadline = millis == 0 ? Long.MAX_VALUE : engine.runtime.nanoTime() + millis * 1_000_000L;
        lock.lock();
        try {
            while (!finished) {
                long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - engine.runtime.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("Read timed out (waiting for the late CLC message)");
                }
                engine.runtime.awaitNanos(lock, done, Math.min(left, 1_000_000_000L));
            }
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for the late CLC message");
        } finally {
            lock.unlock();
        }
    }

    /** True once the late message was discarded (or failed). */
    boolean finished() {
        lock.lock();
        try {
            return finished;
        } finally {
            lock.unlock();
        }
    }
}
