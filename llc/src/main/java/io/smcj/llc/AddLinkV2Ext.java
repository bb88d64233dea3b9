package io.smcj.llc;

import io.smcj.protocol.Fields;
import io.smcj.protocol.Gid;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The SMC-Rv2 extension after the 44-byte ADD LINK ({@code struct smc_llc_msg_add_link_v2_ext},
 * filled by {@code smc_llc_fill_ext_v2()}), 28 bytes plus 16 per rkey pair:
 *
 * <pre>
 * +0  bit 7 v2_direct, bits 6-0 reserved
 * +1  reserved2
 * +2  client_target_gid  16
 * +18 reserved3          8
 * +26 num_rkeys          u16 in the sender's HOST byte order (same order as length_v2)
 * +28 rt[]               16 each
 * </pre>
 *
 * {@code num_rkeys} is kept separately from {@link #rkeys()}: Linux sets it to the connection count
 * but stops adding pairs when it runs out of RMBs, so fewer pairs than {@code num_rkeys} may follow.
 *
 * @param reservedBits bits 6-0 of the first byte
 */
public record AddLinkV2Ext(boolean v2Direct, int reservedBits, int reserved2, Gid clientTargetGid,
                           Octets reserved3, int numRkeys, List<RkeyPair> rkeys) {
    public static final int SIZE = 28;

    public AddLinkV2Ext {
        if (reservedBits < 0 || reservedBits > 0x7f) {
            throw new IllegalArgumentException("reserved bits must be 0..0x7f, got " + reservedBits);
        }
        Util.u8(reserved2, "reserved2");
        Objects.requireNonNull(clientTargetGid, "clientTargetGid");
        Octets.require(reserved3, 8, "reserved3");
        Util.u16(numRkeys, "num_rkeys");
        rkeys = Util.list(rkeys, -1, "rt");
        if (rkeys.size() > numRkeys) {
            throw new IllegalArgumentException("more rkey pairs (" + rkeys.size() + ") than num_rkeys " + numRkeys);
        }
    }

    /** An extension as Linux sends it: num_rkeys equal to the number of pairs. */
    public static AddLinkV2Ext of(boolean v2Direct, Gid clientTargetGid, List<RkeyPair> rkeys) {
        return new AddLinkV2Ext(v2Direct, 0, 0, clientTargetGid, Octets.zeros(8), rkeys.size(), rkeys);
    }

    /**
     * How many rkey pairs a Linux receiver stores ({@code smc_llc_save_add_link_rkeys()}):
     * {@code min_t(u8, num_rkeys, SMC_LLC_RKEYS_PER_MSG_V2)} casts the u16 to u8 first, so this is
     * {@code num_rkeys & 0xff} (256 reads as 0). Linux reads them from its 8 KiB v2 receive buffer
     * without comparing with {@code length_v2}; pairs beyond the message are stale buffer bytes there.
     */
    public int pairsLinuxReads() {
        return numRkeys & 0xff;
    }

    public int encodedLength() {
        return SIZE + RkeyPair.SIZE * rkeys.size();
    }

    Fields describe(int base) {
        Fields f = new Fields();
        f.add("v2_direct", v2Direct, base);
        f.add("reserved", reservedBits, base);
        f.add("reserved2", reserved2, base + 1);
        f.add("client_target_gid", clientTargetGid.toString(), base + 2);
        f.add("reserved3", reserved3.hex(), base + 18);
        f.add("num_rkeys", numRkeys, base + 26, rkeys.size() == numRkeys ? null
                : rkeys.size() + " pairs present in the message");
        List<Object> rt = new ArrayList<>();
        int off = base + SIZE;
        for (RkeyPair p : rkeys) {
            rt.add(new Fields().add("rmb_key", p.rmbKey().unsigned(), off, p.rmbKey().toString())
                    .add("rmb_key_new", p.rmbKeyNew().unsigned(), off + 4, p.rmbKeyNew().toString())
                    .add("rmb_vaddr_new", Util.u64(p.rmbVaddrNew()), off + 8, Util.hex64(p.rmbVaddrNew())));
            off += RkeyPair.SIZE;
        }
        f.add("rt", rt, base + SIZE);
        return f;
    }
}
