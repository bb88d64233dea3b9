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
    /** Bytes of the message being received that were consumed so far. */
    private int consumed;

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
     *         negative return codes); its {@code position} says whether the stream is still at a
     *         message boundary (timeout before any byte, or one whole message consumed), which
     *         {@code smcj.clc_error_fallback} needs for a safe fallback
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
        consumed = have;
        byte[] msg = null;
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
            msg = new byte[len];
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
                    e.errno() == ProtocolException.EPROTO,
                    msg != null ? HandshakeException.Position.AFTER_MESSAGE : HandshakeException.Position.NO_BOUNDARY,
                    msg);
        } catch (SocketTimeoutException e) {
            throw new HandshakeException("timeout waiting for CLC " + expected, e, false,
                    consumed == 0 ? HandshakeException.Position.BEFORE_MESSAGE
                            : HandshakeException.Position.NO_BOUNDARY, null);
        } catch (EOFException e) {
            throw new HandshakeException("connection closed while waiting for CLC " + expected, e, false);
        } catch (HandshakeException e) {
            throw e; // a bad header (above): keep its EPROTO
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
            consumed += n;
        }
    }

    /**
     * Reads exactly one CLC message whose type is in {@code allowed} and returns its bytes, for the
     * late message a CLC-timeout fallback discards ({@code smcj.clc_error_fallback}). Only the
     * framing is checked (eyecatcher, version, type, length, trailer), the header before the body is
     * waited for, so bytes that are not such a message fail at once and are never taken for data.
     *
     * @throws IOException timeout, EOF, TCP error, or bytes that are not a CLC message of those types
     */
    byte[] readFramed(java.util.Set<ClcType> allowed, long deadline) throws IOException {
        consumed = 0;
        byte[] head = new byte[8];
        readFully(head, 0, 8, deadline);
        int len = ((head[5] & 0xff) << 8) | (head[6] & 0xff);
        String bad = framingError(head, len, allowed);
        if (bad != null) {
            throw new java.net.ProtocolException("not a CLC " + names(allowed) + ": " + bad + " (header "
                    + io.smcj.protocol.Hex.of(head) + ")");
        }
        byte[] msg = new byte[len];
        System.arraycopy(head, 0, msg, 0, 8);
        readFully(msg, 8, len - 8, deadline);
        bad = framingError(msg, len, allowed);
        if (bad != null) {
            throw new java.net.ProtocolException("not a CLC " + names(allowed) + ": " + bad);
        }
        return msg;
    }

    /**
     * Null when {@code m} (at least the 8-byte header; the trailer too when all {@code len} bytes
     * are there) frames a CLC message of an allowed type as {@code smc_clc_wait_msg} /
     * {@code smc_clc_msg_hdr_valid} see it, else what is wrong.
     */
    static String framingError(byte[] m, int len, java.util.Set<ClcType> allowed) {
        int eye = java.nio.ByteBuffer.wrap(m, 0, 4).getInt();
        if (eye != io.smcj.protocol.SmcConstants.EYECATCHER_SMCR && eye != io.smcj.protocol.SmcConstants.EYECATCHER_SMCD) {
            return String.format("eyecatcher 0x%08x", eye);
        }
        ClcType type = ClcType.ofWire(m[4] & 0xff);
        if (type == null || !allowed.contains(type)) {
            return String.format("type 0x%02x", m[4] & 0xff);
        }
        if ((m[7] & 0xff) >>> 4 < 1) {
            return "version 0";
        }
        if (len < 12 || len > MAX_CLC_LENGTH) {
            return "length " + len;
        }
        if (m.length >= len && java.nio.ByteBuffer.wrap(m, len - 4, 4).getInt() != eye) {
            return "trailer does not match the eyecatcher";
        }
        return null;
    }

    private static String names(java.util.Set<ClcType> types) {
        return String.join(" or ", types.stream().map(ClcChannel::shortName).sorted().toList());
    }

    /** "Accept" for {@code CLC Accept}. */
    static String shortName(ClcType t) {
        return t.messageName().substring("CLC ".length());
    }
}
