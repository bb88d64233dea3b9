package io.smcj.llc;

import io.smcj.protocol.Fields;
import io.smcj.protocol.Rkey;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * CONFIRM RKEY (0x06 / v2 0x26), {@code struct smc_llc_msg_confirm_rkey}: three packed 13-byte
 * rtokens; the first is for the link the message travels on and its id byte is {@code num_rkeys},
 * the number of further rtokens ({@code smc_llc_send_confirm_rkey()}).
 *
 * <pre>
 * 0  hdr (flags 0x80 RESP, 0x20 RKEY_NEG, 0x10 RKEY_RETRY)
 * 4  num_rkeys  1
 * 5  rmb_key    4   (rtoken[0])
 * 9  rmb_vaddr  8
 * 17 rtoken[1]  13  {link_id, rmb_key, rmb_vaddr}
 * 30 rtoken[2]  13
 * 43 reserved   1
 * </pre>
 *
 * @param others rtoken[1] and rtoken[2], always both (zero when unused)
 */
public record ConfirmRkey(LlcHeader header, int numRkeys, Rkey rmbKey, long rmbVaddr, List<Rtoken> others,
                          int reserved) implements LlcMessage {
    public static final int SIZE = 44;

    public ConfirmRkey {
        Objects.requireNonNull(header, "header");
        Util.u8(numRkeys, "num_rkeys");
        Objects.requireNonNull(rmbKey, "rmbKey");
        others = Util.list(others, 2, "rtoken[1..2]");
        Util.u8(reserved, "reserved");
        Util.checkTotal(header, SIZE + header.trailer().length(), "CONFIRM RKEY");
    }

    /** A request for one RMB on the sending link only (single-link group). */
    public static ConfirmRkey of(LlcFraming framing, Rkey rkey, long vaddr) {
        return new ConfirmRkey(LlcHeader.of(framing, 0), 0, rkey, vaddr, List.of(Rtoken.ZERO, Rtoken.ZERO), 0);
    }

    /**
     * The response Linux sends ({@code smc_llc_rmt_conf_rkey()}): the request echoed with RESP; when
     * it could not store the rtoken (more than 3 rtokens announced, or no free rtoken slot) also
     * RKEY_NEG and RKEY_RETRY (0xb0). The echo is always the 44-byte message
     * ({@code smc_llc_init_msg_hdr(.., sizeof(*llc))}), so a request's trailer is not echoed.
     */
    public ConfirmRkey response(boolean negative) {
        int flags = header.flags() | LlcFlags.RESP | (negative ? LlcFlags.RKEY_NEG | LlcFlags.RKEY_RETRY : 0);
        return withHeader(new LlcHeader(header.framing(), flags, header.v1Byte2(), Octets.EMPTY));
    }

    @Override
    public LlcType type() {
        return LlcType.CONFIRM_RKEY;
    }

    public boolean negative() {
        return (header.flags() & LlcFlags.RKEY_NEG) != 0;
    }

    public boolean retry() {
        return (header.flags() & LlcFlags.RKEY_RETRY) != 0;
    }

    @Override
    public ConfirmRkey withHeader(LlcHeader h) {
        return new ConfirmRkey(h, numRkeys, rmbKey, rmbVaddr, others, reserved);
    }

    @Override
    public int encodedLength() {
        return SIZE + header.trailer().length();
    }

    @Override
    public Fields describe() {
        Fields f = Util.header(this);
        f.add("num_rkeys", numRkeys, 4, "rtokens for other links");
        f.add("rmb_key", rmbKey.unsigned(), 5, rmbKey.toString());
        f.add("rmb_vaddr", Util.u64(rmbVaddr), 9, Util.hex64(rmbVaddr));
        List<Object> l = new ArrayList<>();
        int off = 17;
        for (Rtoken t : others) {
            l.add(rtoken(t, off));
            off += Rtoken.SIZE;
        }
        f.add("rtoken", l, 17);
        f.add("reserved", reserved, 43);
        Util.trailer(f, this, "trailer");
        return f;
    }

    static Fields rtoken(Rtoken t, int off) {
        return new Fields().add("link_id", t.linkId(), off)
                .add("rmb_key", t.rmbKey().unsigned(), off + 1, t.rmbKey().toString())
                .add("rmb_vaddr", Util.u64(t.rmbVaddr()), off + 5, Util.hex64(t.rmbVaddr()));
    }
}
