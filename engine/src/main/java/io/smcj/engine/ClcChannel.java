package io.smcj.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcType;
import io.smcj.protocol.ProtocolException;
import io.smcj.transport.tcp.stream.TcpStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * CLC messages over the TCP stream, as {@code smc_clc_wait_msg} / {@code smc_clc_send_*}: reads
 * exactly one message (8-byte header, then the declared length), never a byte beyond it, so after
 * a fallback the application's bytes are all still in the stream.
 */
final class ClcChannel {
    /** Longest CLC message we read (a v2 Proposal with every area is 8 + ... well below this). */
    static final int MAX_CLC_LENGTH = 1024;

    private final TcpStream stream;
    private final EngineTrace trace;
    private final String side;
    private final EngineRuntime runtime;

    /** Decodes one whole CLC message ({@link ClcCodec#decode}; replaceable in tests). */
    interface Decoder {
        ClcMessage decode(ByteBuf message, ClcType expected);
    }

    private final Decoder decoder;

    ClcChannel(TcpStream stream, EngineTrace trace, String side) {
        this(stream, trace, side, ClcCodec::decode, EngineRuntime.REAL);
    }

    ClcChannel(TcpStream stream, EngineTrace trace, String side, Decoder decoder, EngineRuntime runtime) {
        this.stream = stream;
        this.trace = trace;
        this.side = side;
        this.decoder = decoder;
        this.runtime = runtime;
    }

    void send(ClcMessage m, Duration timeout) throws IOException {
        byte[] bytes = ClcCodec.encode(m);
        trace.clc(side, true, m);
        stream.write(bytes, 0, bytes.length, timeout);
    }

    /**
     * Waits for a message of type {@code expected} or a Decline.
     *
     * @throws HandshakeException timeout, EOF, reset, or a malformed message (the kernel's
     *         negative return codes: no fallback possible)
     * @throws ProtocolException a whole message was read and rejected with a decline code
     *         ({@link ProtocolException#sendsDecline()}): the caller sends that Decline and falls
     *         back; the stream is right after the message
     */
    ClcMessage receive(ClcType expected, Duration timeout) throws HandshakeException {
        return receive(expected, runtime.nanoTime() + timeout.toNanos(), new byte[8], 0);
    }

    /**
     * {@code smc_clc_wait_msg} whose timeout is not an error (the client's wait for a Decline
     * after CONFIRM LINK, {@code CLC_WAIT_TIME_SHORT}): null when no byte arrived within
     * {@code timeout}; once a message has started it is read whole as {@link #receive} does.
     */
    ClcMessage receiveIfAny(ClcType expected, Duration timeout) throws HandshakeException {
        long deadline = runtime.nanoTime() + timeout.toNanos();
        byte[] head = new byte[8];
        try {
            int n = stream.read(head, 0, 1, timeout);
            if (n < 0) {
                throw new HandshakeException("connection closed while waiting for CLC " + expected,
                        new EOFException(), false);
            }
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new HandshakeException("TCP error while waiting for CLC " + expected + ": " + e.getMessage(), e,
                    false);
        }
        return receive(expected, Math.max(deadline, runtime.nanoTime() + 1), head, 1);
    }

    private ClcMessage receive(ClcType expected, long deadline, byte[] head, int have) throws HandshakeException {
        try {
            readFully(head, have, 8 - have, deadline);
            ByteBuf hb = Unpooled.wrappedBuffer(head);
            int len = ClcCodec.messageLength(hb);
            if (len < 8 || len > MAX_CLC_LENGTH) {
                // let the codec give the kernel's EPROTO reason for a bad header
                try {
                    ClcCodec.decode(hb, expected);
                } catch (ProtocolException e) {
                    // only the header was read: whatever the code, no fallback is safe here
                    throw new HandshakeException("malformed CLC message: " + e.getMessage(), e, true);
                }
                throw new HandshakeException("malformed CLC message: length " + len, null, true);
            }
            byte[] msg = new byte[len];
            System.arraycopy(head, 0, msg, 0, 8);
            readFully(msg, 8, len - 8, deadline);
            ClcMessage m = decoder.decode(Unpooled.wrappedBuffer(msg), expected);
            trace.clc(side, false, m);
            return m;
        } catch (ProtocolException e) {
            if (e.sendsDecline()) {
                throw e; // a positive SMC_CLC_DECL_* code: Decline + fallback; the whole message was consumed
            }
            // the kernel's negative return code (-EPROTO ...): no Decline, no fallback
            throw new HandshakeException("malformed CLC message: " + e.getMessage(), e,
                    e.errno() == ProtocolException.EPROTO);
        } catch (SocketTimeoutException e) {
            throw new HandshakeException("timeout waiting for CLC " + expected, e, false);
        } catch (EOFException e) {
            throw new HandshakeException("connection closed while waiting for CLC " + expected, e, false);
        } catch (IOException e) {
            throw new HandshakeException("TCP error while waiting for CLC " + expected + ": " + e.getMessage(), e, false);
        }
    }

    private void readFully(byte[] b, int off, int len, long deadline) throws IOException {
        while (len > 0) {
            long left = deadline - runtime.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("CLC wait time elapsed");
            }
            int n = stream.read(b, off, len, Duration.ofNanos(left));
            if (n < 0) {
                throw new EOFException();
            }
            off += n;
            len -= n;
        }
    }
}
