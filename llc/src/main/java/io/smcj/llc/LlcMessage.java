package io.smcj.llc;

import io.smcj.protocol.Described;

/**
 * One LLC message (Link Layer Control, sent as an IB SEND on a link's RC QP). Immutable values;
 * {@link LlcCodec} turns them into bytes and back, byte-exactly, including reserved bytes.
 */
public sealed interface LlcMessage extends Described
        permits ConfirmLink, AddLink, AddLinkCont, DeleteLink, ReqAddLink, ConfirmRkey, ConfirmRkeyCont,
        DeleteRkey, TestLink {

    LlcHeader header();

    LlcType type();

    /** The same message with another framing/flags/trailer (e.g. to emit v2 big-endian). */
    LlcMessage withHeader(LlcHeader header);

    default LlcFraming framing() {
        return header().framing();
    }

    /** {@code SMC_LLC_FLAG_RESP}. */
    default boolean isResponse() {
        return header().isResponse();
    }

    default int flags() {
        return header().flags();
    }

    /** Byte 0 on the wire. */
    default int typeByte() {
        return type().typeByte(framing());
    }

    /** Bytes this message occupies on the wire (44 for v1; {@code length_v2} for v2). */
    int encodedLength();

    @Override
    default String messageName() {
        return "LLC " + type().text();
    }
}
