package io.smcj.clc;

import io.netty.buffer.ByteBuf;
import io.smcj.protocol.Fields;
import io.smcj.protocol.SmcType;

import java.util.Objects;

/**
 * The 8-byte CLC header ({@code struct smc_clc_msg_hdr}):
 *
 * <pre>
 *  0               4       5               7       8
 * +---------------+-------+---------------+-------+
 * | eyecatcher    | type  | length (BE)   |ver|t2|t1|
 * +---------------+-------+---------------+-------+
 * byte 7: bits 7-4 version, bits 3-2 typev2, bits 1-0 typev1
 * </pre>
 *
 * <p>{@code typev2 & 0b10} ({@code SMC_FIRST_CONTACT_MASK}) is the first-contact bit of
 * Accept/Confirm and the out-of-sync bit of Decline. All 8 bits of byte 7 are kept, so any header
 * round-trips.
 *
 * @param version 1..15 (the kernel treats everything above 1 as v2)
 * @param typev2  2 bits
 * @param typev1  2 bits
 */
public record ClcHeader(Eyecatcher eyecatcher, ClcType type, int length, int version, int typev2, int typev1) {
    public static final int LENGTH = 8;
    /** {@code SMC_FIRST_CONTACT_MASK} within typev2; byte-7 mask 0x08. */
    public static final int FIRST_CONTACT_MASK = 0b10;

    public ClcHeader {
        Objects.requireNonNull(eyecatcher, "eyecatcher");
        Objects.requireNonNull(type, "type");
        if (length < LENGTH || length > 0xFFFF) {
            throw new IllegalArgumentException("CLC length must be 8..65535, got " + length);
        }
        if (version < 1 || version > 15) {
            throw new IllegalArgumentException("CLC version must be 1..15, got " + version);
        }
        if ((typev2 & ~3) != 0 || (typev1 & ~3) != 0) {
            throw new IllegalArgumentException("typev1/typev2 are 2 bits");
        }
    }

    /** Byte 7 as on the wire. */
    public int versionByte() {
        return version << 4 | typev2 << 2 | typev1;
    }

    /** Accept/Confirm: a new link group is created. Decline: out of sync. */
    public boolean firstContact() {
        return (typev2 & FIRST_CONTACT_MASK) != 0;
    }

    /** Decline: the same bit as {@link #firstContact()}, meaning "out of sync" (SYNCERR). */
    public boolean outOfSync() {
        return firstContact();
    }

    /** v2 semantics apply: the kernel tests {@code version > SMC_V1} or {@code == SMC_V1}. */
    public boolean isV2() {
        return version > 1;
    }

    public ClcHeader withLength(int newLength) {
        return new ClcHeader(eyecatcher, type, newLength, version, typev2, typev1);
    }

    void write(ByteBuf out) {
        out.writeInt(eyecatcher.value());
        out.writeByte(type.wire());
        out.writeShort(length);
        out.writeByte(versionByte());
    }

    Fields describe() {
        Fields f = new Fields();
        f.add("eyecatcher", eyecatcher.name(), 0);
        f.add("type", type.wire(), 4, type.messageName());
        f.add("length", length, 5);
        f.add("version", version, 7, version == 1 ? "SMC v1" : "SMC v2");
        f.add("typev2", typev2, 7, typev2Note());
        f.add("typev1", typev1, 7, typev1Note());
        return f;
    }

    private String typev1Note() {
        if (type == ClcType.PROPOSAL) {
            return "offered for v1: " + typeName(typev1);
        }
        if (type == ClcType.ACCEPT || type == ClcType.CONFIRM) {
            return "chosen: " + typeName(typev1);
        }
        return "reserved";
    }

    private String typev2Note() {
        if (type == ClcType.PROPOSAL) {
            return "offered for v2: " + typeName(typev2);
        }
        if (type == ClcType.DECLINE) {
            return firstContact() ? "out of sync" : "in sync";
        }
        return firstContact() ? "first contact" : "no first contact";
    }

    /** The peer id as one hex number, the way Wireshark shows it ({@code 0x5d3b525400990001}). */
    static String peerIdHex(io.smcj.protocol.PeerId id) {
        return "0x" + io.smcj.protocol.Hex.of(id.bytes());
    }

    static String typeName(int twoBits) {
        return switch (SmcType.ofWire(twoBits)) {
            case R -> "SMC-R";
            case D -> "SMC-D";
            case N -> "none";
            case B -> "SMC-R and SMC-D";
        };
    }
}
