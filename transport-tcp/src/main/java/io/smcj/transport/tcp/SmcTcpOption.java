package io.smcj.transport.tcp;

/**
 * The SMC experimental TCP option (RFC 7609 section 3.1, kernel {@code TCPOPT_SMC_MAGIC} in
 * include/net/tcp.h): kind 254, length 6, magic {@code E2 D4 C3 D9} ("SMCR" in EBCDIC).
 */
public final class SmcTcpOption {
    public static final int KIND = 254;
    public static final int LENGTH = 6;
    public static final int MAGIC = 0xE2D4C3D9;

    private SmcTcpOption() {
    }

    /** The 6 option bytes exactly as they appear in a SYN or SYN-ACK. */
    public static byte[] bytes() {
        return new byte[] {(byte) KIND, (byte) LENGTH, (byte) 0xE2, (byte) 0xD4, (byte) 0xC3, (byte) 0xD9};
    }
}
