package io.smcj.llc;

/**
 * How an LLC message is framed: the 44-byte v1 form (byte 0 = type 0x01..0x09, byte 1 = length
 * 44, byte 2 = ADD LINK reject reason nibble) or the SMC-Rv2 form (byte 0 = 0x2t, bytes 1-2 =
 * {@code length_v2} in the sender's host byte order), mirroring {@code smc_llc_init_msg_hdr()}.
 */
public enum LlcFraming {
    /** {@code llc_version} 0: 44 bytes, 8-bit length. */
    V1(0, null),
    /** {@code llc_version} 2, length little-endian (x86/arm64 senders; smcj's default). */
    V2(2, LengthOrder.LITTLE_ENDIAN),
    /** {@code llc_version} 2, length big-endian (an s390x sender). */
    V2_BIG_ENDIAN(2, LengthOrder.BIG_ENDIAN);

    private final int versionNibble;
    private final LengthOrder lengthOrder;

    LlcFraming(int versionNibble, LengthOrder lengthOrder) {
        this.versionNibble = versionNibble;
        this.lengthOrder = lengthOrder;
    }

    /** The high nibble of byte 0 ({@code smc_wr_rx_hdr.llc_version}): 0 or 2. */
    public int versionNibble() {
        return versionNibble;
    }

    public boolean isV2() {
        return versionNibble == 2;
    }

    /** Byte order of {@code length_v2}; null for v1. */
    public LengthOrder lengthOrder() {
        return lengthOrder;
    }

    public static LlcFraming v2(LengthOrder order) {
        return order == LengthOrder.BIG_ENDIAN ? V2_BIG_ENDIAN : V2;
    }
}
