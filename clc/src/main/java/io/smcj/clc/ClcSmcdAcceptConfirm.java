package io.smcj.clc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smcj.protocol.Fields;
import io.smcj.protocol.SmcType;

import java.util.Objects;

import static io.smcj.clc.ClcConstants.SMCD_ACCEPT_CONFIRM_LEN;
import static io.smcj.clc.ClcConstants.SMCD_ACCEPT_CONFIRM_LEN_V2;
import static io.smcj.clc.ClcConstants.TRAILER_LENGTH;
import static io.smcj.clc.ClcErrors.eproto;

/**
 * An SMC-D Accept or Confirm (typev1 = 1, {@code d0}/{@code d1} of {@code struct
 * smc_clc_msg_accept_confirm}). smcj speaks SMC-R only; this value exists so that an SMC-D message
 * from a peer decodes (length checked as {@code smc_clc_msg_acc_conf_valid} does: v1 exactly 48, v2
 * at least 78), is described, and re-encodes byte for byte. The body is kept raw.
 *
 * <pre>
 *  8 gid (u64)  16 token (u64)  24 dmbe_idx  25 dmbe_size:4|reserved3:4  26 reserved4 (u16)  28 linkid (u32)
 *  v2: 32 chid (u16)  34 eid (32)  66 gid_ext (u64)  74 first-contact extension (36 or 52) when first contact
 * </pre>
 *
 * @param body bytes 8 .. length-4
 */
public record ClcSmcdAcceptConfirm(ClcHeader header, RawBytes body, RawBytes trailer) implements ClcMessage {
    public ClcSmcdAcceptConfirm {
        Objects.requireNonNull(header, "header");
        if (header.type() != ClcType.ACCEPT && header.type() != ClcType.CONFIRM) {
            throw new IllegalArgumentException("header type must be ACCEPT or CONFIRM");
        }
        if (header.typev1() != SmcType.D.wire()) {
            throw new IllegalArgumentException("SMC-D Accept/Confirm has typev1 = 1");
        }
        if (trailer.length() != TRAILER_LENGTH || header.length() != 8 + body.length() + TRAILER_LENGTH) {
            throw new IllegalArgumentException("length must be 8 + body + 4");
        }
        if (header.isV2() ? header.length() < SMCD_ACCEPT_CONFIRM_LEN_V2 : header.length() != SMCD_ACCEPT_CONFIRM_LEN) {
            throw new IllegalArgumentException("SMC-D Accept/Confirm length: v1 48, v2 at least 78");
        }
    }

    static ClcSmcdAcceptConfirm decode(ByteBuf m, ClcHeader h) {
        int limit = h.length();
        if (!h.isV2()) {
            if (limit != SMCD_ACCEPT_CONFIRM_LEN) {
                throw eproto(5, "v1 SMC-D " + h.type().messageName() + " length " + limit + " != 48");
            }
        } else if (limit < SMCD_ACCEPT_CONFIRM_LEN_V2) {
            throw eproto(5, "v2 SMC-D " + h.type().messageName() + " length " + limit + " < 78");
        }
        RawBytes trl = RawBytes.read(m, limit - TRAILER_LENGTH, TRAILER_LENGTH);
        if (ClcAcceptConfirm.trailerChecked(h) && Eyecatcher.of(m.getInt(limit - TRAILER_LENGTH)) == null) {
            throw eproto(limit - TRAILER_LENGTH, "trailer " + trl.hex() + " is neither SMCR nor SMCD eyecatcher");
        }
        return new ClcSmcdAcceptConfirm(h, RawBytes.read(m, 8, limit - 8 - TRAILER_LENGTH), trl);
    }

    void encode(ByteBuf out) {
        header.write(out);
        body.write(out);
        trailer.write(out);
    }

    @Override
    public Fields describe() {
        ByteBuf b = Unpooled.wrappedBuffer(body.bytes());
        Fields f = header.describe();
        f.add("first_contact", header.firstContact(), 7);
        f.add("gid", String.format("0x%016x", b.getLong(0)), 8);
        f.add("token", String.format("0x%016x", b.getLong(8)), 16);
        f.add("dmbe_idx", b.getUnsignedByte(16), 24);
        int size = b.getUnsignedByte(17) >>> 4;
        f.add("dmbe_size", size, 25, (16384L << size) + " bytes");
        f.addHex("linkid", b.getUnsignedInt(20), 28, null);
        if (header.isV2()) {
            f.addHex("chid", b.getUnsignedShort(24), 32, null);
            RawBytes eid = RawBytes.of(java.util.Arrays.copyOfRange(body.bytes(), 26, 58));
            f.add("eid", eid.asciiText() != null ? eid.asciiText() : eid.hex(), 34);
            f.add("gid_ext", String.format("0x%016x", b.getLong(58)), 66);
            if (body.length() > 66) {
                f.add("first_contact_ext", RawBytes.of(java.util.Arrays.copyOfRange(body.bytes(), 66, body.length())).hex(), 74);
            }
        } else {
            f.add("reserved", RawBytes.of(java.util.Arrays.copyOfRange(body.bytes(), 24, 36)).hex(), 32);
        }
        f.add("trailer", trailer.hex(), header.length() - TRAILER_LENGTH);
        return f;
    }
}
