package io.smcj.simulator.tcp;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A TCP option as carried in a SYN or SYN-ACK: kind and the option data (without kind/length).
 * The SMC option is the experimental option kind 254 with the 4-byte ExID 0xE2D4C3D9 ("SMC" in
 * EBCDIC), RFC 7609 section 3.1.
 */
public record TcpOption(int kind, byte[] data) {

    public static final int KIND_EXPERIMENTAL = 254;
    private static final byte[] SMC_MAGIC = {(byte) 0xE2, (byte) 0xD4, (byte) 0xC3, (byte) 0xD9};
    public static final TcpOption SMC = new TcpOption(KIND_EXPERIMENTAL, SMC_MAGIC);

    public TcpOption {
        if (kind < 0 || kind > 255) {
            throw new IllegalArgumentException("option kind 0..255: " + kind);
        }
        if (data.length > 38) {
            throw new IllegalArgumentException("option data too long for a TCP header: " + data.length);
        }
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    public boolean isSmc() {
        return kind == KIND_EXPERIMENTAL && Arrays.equals(data, SMC_MAGIC);
    }

    public static boolean containsSmc(List<TcpOption> options) {
        return options.stream().anyMatch(TcpOption::isSmc);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpOption t && t.kind == kind && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return kind * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return isSmc() ? "SMC" : "opt(" + kind + ":" + HexFormat.of().formatHex(data) + ")";
    }
}
