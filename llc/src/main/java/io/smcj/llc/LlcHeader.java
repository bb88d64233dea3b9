package io.smcj.llc;

import java.util.Objects;

/**
 * The parts of an LLC message that every type shares ({@code struct smc_llc_hdr}) plus the bytes
 * after the type's body.
 *
 * @param framing v1 (44 bytes) or v2 with the byte order of {@code length_v2}
 * @param flags   header byte 3 as on the wire ({@link LlcFlags})
 * @param v1Byte2 v1 only: header byte 2, bits 3-0 {@code add_link_rej_rsn}, bits 7-4 reserved;
 *                must be 0 for v2, where byte 2 is half of {@code length_v2}
 * @param trailer bytes after the type's body up to the message length: for v2 the bytes between
 *                the body and {@code length_v2} (Linux ignores them); for the variable-length types
 *                the unused rest of the 44-byte form (see each type). Empty for the fixed v1 forms.
 */
public record LlcHeader(LlcFraming framing, int flags, int v1Byte2, Octets trailer) {
    public LlcHeader {
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(trailer, "trailer");
        if (flags < 0 || flags > 0xff) {
            throw new IllegalArgumentException("flags must be a byte, got " + flags);
        }
        if (v1Byte2 < 0 || v1Byte2 > 0xff) {
            throw new IllegalArgumentException("header byte 2 must be a byte, got " + v1Byte2);
        }
        if (framing.isV2() && v1Byte2 != 0) {
            throw new IllegalArgumentException("v2 framing has no separate header byte 2 (it is part of length_v2)");
        }
    }

    /** A header with the given flags, byte 2 zero and no trailer. */
    public static LlcHeader of(LlcFraming framing, int flags) {
        return new LlcHeader(framing, flags, 0, Octets.EMPTY);
    }

    public boolean isResponse() {
        return (flags & LlcFlags.RESP) != 0;
    }

    /** v1 {@code add_link_rej_rsn} (low nibble of byte 2); always 0 for v2. */
    public int addLinkRejectReason() {
        return v1Byte2 & 0x0f;
    }

    public LlcHeader withFlags(int newFlags) {
        return new LlcHeader(framing, newFlags, v1Byte2, trailer);
    }

    public LlcHeader withFraming(LlcFraming newFraming) {
        return new LlcHeader(newFraming, flags, newFraming.isV2() ? 0 : v1Byte2, trailer);
    }
}
