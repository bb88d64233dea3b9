package io.smcj.llc;

import io.smcj.protocol.Fields;
import io.smcj.protocol.Rkey;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * DELETE RKEY (0x09 / v2 0x29), {@code struct smc_llc_msg_delete_rkey} and, for v2 messages longer
 * than 44 bytes, {@code struct smc_llc_msg_delete_rkey_v2}:
 *
 * <pre>
 * 0  hdr (flags 0x80 RESP, 0x20 RKEY_NEG)
 * 4  num_rkeys  1
 * 5  err_mask   1 (v1 response: bit 7-i = rkey i unknown; v2 response: num_inval_rkeys, a count)
 * 6  reserved   2
 * 8  rkey[]     4 each, big-endian
 * </pre>
 *
 * The 44-byte form (every v1 message and every v2 message Linux sends) has 8 rkey slots and 4
 * reserved bytes ({@code reserved2}, kept as the header's trailer). A longer v2 message has
 * (length - 8) / 4 slots and a trailer of (length - 8) % 4 bytes. Linux reads min(num_rkeys, 8) keys
 * from a v1 message and min(num_rkeys, 255) from a v2 one; its v2 response zeroes the key slots.
 *
 * @param rkeys every 4-byte slot from offset 8 (used or not)
 */
public record DeleteRkey(LlcHeader header, int numRkeys, int errMask, Octets reserved, List<Rkey> rkeys)
        implements LlcMessage {
    public static final int SLOTS_V1 = 8;
    public static final int FIXED = 8;

    public DeleteRkey {
        Objects.requireNonNull(header, "header");
        Util.u8(numRkeys, "num_rkeys");
        Util.u8(errMask, "err_mask");
        Octets.require(reserved, 2, "reserved");
        rkeys = Util.list(rkeys, -1, "rkey");
        int tr = header.trailer().length();
        int total = FIXED + 4 * rkeys.size() + tr;
        if (total == LlcCodec.V1_LENGTH) {
            if (rkeys.size() != SLOTS_V1) {
                throw new IllegalArgumentException("the 44-byte form has 8 rkey slots and 4 reserved bytes");
            }
        } else if (tr >= 4) {
            throw new IllegalArgumentException("a trailer of 4+ bytes would decode as another rkey slot");
        }
        Util.checkTotal(header, total, "DELETE RKEY");
    }

    /** A 44-byte request as Linux sends it ({@code smc_llc_send_delete_rkey()}: one key). */
    public static DeleteRkey of(LlcFraming framing, List<Rkey> keys) {
        if (keys.size() > SLOTS_V1) {
            throw new IllegalArgumentException("the 44-byte form holds at most 8 rkeys; use ofV2Large");
        }
        List<Rkey> slots = new ArrayList<>(keys);
        while (slots.size() < SLOTS_V1) {
            slots.add(new Rkey(0));
        }
        return new DeleteRkey(new LlcHeader(framing, 0, 0, Octets.zeros(4)), keys.size(), 0, Octets.zeros(2), slots);
    }

    /** A v2 message longer than 44 bytes with exactly these keys (9..255 keys). */
    public static DeleteRkey ofV2Large(LlcFraming framing, List<Rkey> keys) {
        return new DeleteRkey(LlcHeader.of(framing, 0), keys.size(), 0, Octets.zeros(2), keys);
    }

    /**
     * The response Linux sends ({@code smc_llc_rmt_delete_rkey()}), always 44 bytes:
     * <ul>
     *   <li>v1: the request echoed with RESP; when {@code result} (the err_mask, bit 7-i set = rkey i
     *       unknown) is not 0 also RKEY_NEG and {@code err_mask = result}.</li>
     *   <li>v2: the request's first 44 bytes with RESP, {@code length_v2} 44 and all 8 rkey slots and
     *       {@code reserved2} zeroed; when {@code result} (the number of unknown rkeys,
     *       {@code num_inval_rkeys}) is not 0 also RKEY_NEG and byte 5 = result.</li>
     * </ul>
     * With {@code result} 0 byte 5 keeps the request's value, as in Linux.
     */
    public DeleteRkey response(int result) {
        Util.u8(result, "result");
        int flags = header.flags() | LlcFlags.RESP | (result != 0 ? LlcFlags.RKEY_NEG : 0);
        int err = result != 0 ? result : errMask;
        if (!framing().isV2()) {
            return new DeleteRkey(new LlcHeader(framing(), flags, header.v1Byte2(), header.trailer()), numRkeys, err,
                    reserved, rkeys);
        }
        return new DeleteRkey(new LlcHeader(framing(), flags, 0, Octets.zeros(4)), numRkeys, err, reserved,
                Collections.nCopies(SLOTS_V1, new Rkey(0)));
    }

    @Override
    public LlcType type() {
        return LlcType.DELETE_RKEY;
    }

    public boolean negative() {
        return (header.flags() & LlcFlags.RKEY_NEG) != 0;
    }

    /** The keys a Linux receiver processes: the first min(num_rkeys, 8 for v1 / 255 for v2, slots). */
    public List<Rkey> usedKeys() {
        int max = framing().isV2() ? 255 : SLOTS_V1;
        return rkeys.subList(0, Math.min(Math.min(numRkeys, max), rkeys.size()));
    }

    @Override
    public DeleteRkey withHeader(LlcHeader h) {
        return new DeleteRkey(h, numRkeys, errMask, reserved, rkeys);
    }

    @Override
    public int encodedLength() {
        return FIXED + 4 * rkeys.size() + header.trailer().length();
    }

    @Override
    public Fields describe() {
        Fields f = Util.header(this);
        f.add("num_rkeys", numRkeys, 4);
        if (framing().isV2()) {
            f.add("num_inval_rkeys", errMask, 5, "v2: count of unknown rkeys in a response (struct "
                    + "smc_llc_msg_delete_rkey_v2; err_mask in v1)");
        } else {
            f.addHex("err_mask", errMask, 5, errMask == 0 ? null : "bit 7-i set: rkey i unknown");
        }
        f.add("reserved", reserved.hex(), 6);
        List<Object> l = new ArrayList<>();
        for (Rkey k : rkeys) {
            l.add(k.unsigned());
        }
        f.add("rkey", l, FIXED, usedKeys().size() + " of " + rkeys.size() + " slots used");
        Util.trailer(f, this, encodedLength() == LlcCodec.V1_LENGTH ? "reserved2" : "trailer");
        return f;
    }
}
