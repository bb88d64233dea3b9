package io.smcj.llc;

import io.smcj.protocol.Fields;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * CONFIRM RKEY CONT (0x08), {@code struct smc_llc_msg_confirm_rkey_cont} of older kernels: a
 * {@code num_rkeys} byte and three 13-byte rtokens. Current Linux never sends it and ignores a
 * received one ("not used because max links is 3"); it has no v2 handler (0x28).
 *
 * <pre>
 * 0  hdr
 * 4  num_rkeys  1
 * 5  rtoken[3]  13 each
 * </pre>
 */
public record ConfirmRkeyCont(LlcHeader header, int numRkeys, List<Rtoken> rtokens) implements LlcMessage {
    public static final int SIZE = 44;

    public ConfirmRkeyCont {
        Objects.requireNonNull(header, "header");
        Util.u8(numRkeys, "num_rkeys");
        rtokens = Util.list(rtokens, 3, "rtoken");
        Util.checkTotal(header, SIZE + header.trailer().length(), "CONFIRM RKEY CONT");
    }

    @Override
    public LlcType type() {
        return LlcType.CONFIRM_RKEY_CONT;
    }

    @Override
    public ConfirmRkeyCont withHeader(LlcHeader h) {
        return new ConfirmRkeyCont(h, numRkeys, rtokens);
    }

    @Override
    public int encodedLength() {
        return SIZE + header.trailer().length();
    }

    @Override
    public Fields describe() {
        Fields f = Util.header(this);
        f.add("num_rkeys", numRkeys, 4);
        List<Object> l = new ArrayList<>();
        int off = 5;
        for (Rtoken t : rtokens) {
            l.add(ConfirmRkey.rtoken(t, off));
            off += Rtoken.SIZE;
        }
        f.add("rtoken", l, 5);
        Util.trailer(f, this, "trailer");
        return f;
    }
}
