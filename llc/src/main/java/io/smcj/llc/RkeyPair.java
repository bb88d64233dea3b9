package io.smcj.llc;

import io.smcj.protocol.Rkey;

import java.util.Objects;

/**
 * One {@code struct smc_llc_msg_add_link_cont_rt} (16 bytes): the rkey of an RMB on the existing
 * link, its rkey on the new link and its DMA address on the new link (all big-endian).
 */
public record RkeyPair(Rkey rmbKey, Rkey rmbKeyNew, long rmbVaddrNew) {
    public static final int SIZE = 16;
    public static final RkeyPair ZERO = new RkeyPair(new Rkey(0), new Rkey(0), 0);

    public RkeyPair {
        Objects.requireNonNull(rmbKey, "rmbKey");
        Objects.requireNonNull(rmbKeyNew, "rmbKeyNew");
    }
}
