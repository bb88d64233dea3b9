package io.smcj.tools;

import io.smcj.cdc.CdcCodec;
import io.smcj.protocol.Described;
import io.smcj.protocol.ProtocolException;

/**
 * Recognizes and decodes one SMC message of any layer: CLC (starts with the "SMCR"/"SMCD"
 * eyecatcher), CDC (first byte 0xFE) or LLC (first byte 0x01..0x09, or 0x21..0x29 for SMC-Rv2),
 * the way the kernel demultiplexes: CLC by the TCP stream it arrives on, LLC and CDC by byte 0 of
 * the IB SEND ({@code smc_wr_rx_demultiplex}).
 */
public final class SmcMessages {
    private SmcMessages() {
    }

    /** The layer a message belongs to. */
    public enum Kind {
        CLC, LLC, CDC
    }

    /** Thrown when the bytes are no SMC message at all (before any codec is asked). */
    public static final class NotSmcException extends Exception {
        private static final long serialVersionUID = 1L;

        NotSmcException(String why) {
            super(why);
        }
    }

    public static Kind kind(byte[] b) throws NotSmcException {
        if (b.length == 0) {
            throw new NotSmcException("no bytes");
        }
        int b0 = b[0] & 0xff;
        if (b0 == 0xE2) {
            if (b.length >= 4 && (b[1] & 0xff) == 0xD4 && (b[2] & 0xff) == 0xC3
                    && ((b[3] & 0xff) == 0xD9 || (b[3] & 0xff) == 0xC4)) {
                return Kind.CLC;
            }
            throw new NotSmcException("bytes 0..3 are " + io.smcj.protocol.Hex.of(java.util.Arrays.copyOf(b,
                    Math.min(4, b.length))) + ", not the CLC eyecatcher e2d4c3d9 (SMCR) or e2d4c3c4 (SMCD)");
        }
        if (b0 == 0xFE) {
            return Kind.CDC;
        }
        if ((b0 >= 0x01 && b0 <= 0x09) || (b0 >= 0x21 && b0 <= 0x29)) {
            return Kind.LLC;
        }
        throw new NotSmcException(String.format("byte 0 is 0x%02x: neither the CLC eyecatcher (e2 d4 c3 d9), "
                + "CDC (0xfe) nor an LLC type (0x01..0x09, 0x21..0x29)", b0));
    }

    /**
     * Decodes {@code b} as one message of its kind.
     *
     * @throws ProtocolException when the codec rejects the bytes (reason, offset, decline code)
     */
    public static Described decode(byte[] b) throws NotSmcException {
        return switch (kind(b)) {
            case CDC -> CdcCodec.decode(b);
            case CLC -> ClcSupport.decode(b);
            case LLC -> LlcSupport.decode(b);
        };
    }
}
