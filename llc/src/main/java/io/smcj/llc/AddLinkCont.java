package io.smcj.llc;

import io.smcj.protocol.Fields;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * ADD LINK CONT (0x03), packed {@code struct smc_llc_msg_add_link_cont}: the SMC-Rv1 rkey exchange
 * for a new link, two pairs per message, alternating server and client (the client's carry RESP).
 * Linux has no v2 handler (0x23): v2 carries the rkeys in the ADD LINK extension.
 *
 * <pre>
 * 0  hdr
 * 4  link_num    1
 * 5  num_rkeys   1 (rkeys still to send, including this message's)
 * 6  reserved2   2
 * 8  rt[2]       16 each
 * 40 reserved    4
 * </pre>
 *
 * Both {@code rt} slots are always on the wire; {@link #rt()} holds both (unused ones are zero).
 */
public record AddLinkCont(LlcHeader header, int linkNum, int numRkeys, Octets reserved2, List<RkeyPair> rt,
                          Octets reserved) implements LlcMessage {
    public static final int SIZE = 44;
    public static final int RKEYS_PER_MSG = 2;

    public AddLinkCont {
        Objects.requireNonNull(header, "header");
        Util.u8(linkNum, "link_num");
        Util.u8(numRkeys, "num_rkeys");
        Octets.require(reserved2, 2, "reserved2");
        rt = Util.list(rt, RKEYS_PER_MSG, "rt");
        Octets.require(reserved, 4, "reserved");
        Util.checkTotal(header, SIZE + header.trailer().length(), "ADD LINK CONT");
    }

    @Override
    public LlcType type() {
        return LlcType.ADD_LINK_CONT;
    }

    /** The pairs a receiver uses: the first min(num_rkeys, 2) ({@code smc_llc_*_rkey_exchange()}). */
    public List<RkeyPair> usedPairs() {
        return rt.subList(0, Math.min(numRkeys, RKEYS_PER_MSG));
    }

    @Override
    public AddLinkCont withHeader(LlcHeader h) {
        return new AddLinkCont(h, linkNum, numRkeys, reserved2, rt, reserved);
    }

    @Override
    public int encodedLength() {
        return SIZE + header.trailer().length();
    }

    @Override
    public Fields describe() {
        Fields f = Util.header(this);
        f.add("link_num", linkNum, 4);
        f.add("num_rkeys", numRkeys, 5, "rkeys still to send, including this message's");
        f.add("reserved2", reserved2.hex(), 6);
        List<Object> l = new ArrayList<>();
        int off = 8;
        for (RkeyPair p : rt) {
            l.add(new Fields().add("rmb_key", p.rmbKey().unsigned(), off, p.rmbKey().toString())
                    .add("rmb_key_new", p.rmbKeyNew().unsigned(), off + 4, p.rmbKeyNew().toString())
                    .add("rmb_vaddr_new", Util.u64(p.rmbVaddrNew()), off + 8, Util.hex64(p.rmbVaddrNew())));
            off += RkeyPair.SIZE;
        }
        f.add("rt", l, 8);
        f.add("reserved", reserved.hex(), 40);
        Util.trailer(f, this, "trailer");
        return f;
    }
}
