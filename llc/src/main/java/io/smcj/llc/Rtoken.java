package io.smcj.llc;

import io.smcj.protocol.Rkey;

import java.util.Objects;

/**
 * One packed 13-byte {@code struct smc_rmb_rtoken}: link id, rkey and virtual address of an RMB
 * on that link (big-endian). In CONFIRM RKEY the first rtoken's id byte is instead the number of
 * further rtokens ({@code num_rkeys}).
 */
public record Rtoken(int linkId, Rkey rmbKey, long rmbVaddr) {
    public static final int SIZE = 13;
    public static final Rtoken ZERO = new Rtoken(0, new Rkey(0), 0);

    public Rtoken {
        Util.u8(linkId, "link_id");
        Objects.requireNonNull(rmbKey, "rmbKey");
    }
}
