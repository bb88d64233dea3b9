package io.smcj.clc;

import io.smcj.protocol.Described;

/**
 * One decoded CLC message: an immutable value that re-encodes to exactly the bytes it was decoded
 * from ({@link ClcCodec#encode}).
 */
public sealed interface ClcMessage extends Described
        permits ClcProposal, ClcAcceptConfirm, ClcSmcdAcceptConfirm, ClcDecline {
    ClcHeader header();

    /** Total wire length, equal to {@code header().length()}. */
    default int length() {
        return header().length();
    }

    default ClcType type() {
        return header().type();
    }

    @Override
    default String messageName() {
        return header().type().messageName();
    }
}
