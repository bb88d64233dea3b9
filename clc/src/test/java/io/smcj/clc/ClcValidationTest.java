package io.smcj.clc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smcj.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.smcj.clc.GoldenVectorTest.FCE;
import static io.smcj.clc.GoldenVectorTest.PEER_HEX;
import static io.smcj.clc.GoldenVectorTest.R0;
import static io.smcj.clc.GoldenVectorTest.SMCR;
import static io.smcj.clc.GoldenVectorTest.V2_TAIL;
import static io.smcj.clc.GoldenVectorTest.hex;
import static io.smcj.clc.GoldenVectorTest.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Linux rejects (smc_clc_wait_msg, smc_clc_msg_hdr_valid and the per-type checks) is rejected here, at the offending offset. */
class ClcValidationTest {
    static final byte[] DECLINE_V1 = hex(SMCR, "04", "001c", "10", PEER_HEX, "03030000", "00", "000000", SMCR);
    static final byte[] ACCEPT_V1 = hex(SMCR, "02", "0044", "18", R0, SMCR);
    static final byte[] ACCEPT_V2_FC = hex(SMCR, "02", "00a0", "28", R0, V2_TAIL, FCE, SMCR);
    static final byte[] PROPOSAL_V2 = KernelBytes.PROPOSAL_61;

    static ProtocolException rejected(byte[] wire, int offset, String reasonPart) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ClcCodec.decode(wire));
        assertTrue(ClcCodec.isEproto(e), "Linux answers with -EPROTO, no Decline: " + e.getMessage());
        assertTrue(!e.sendsDecline() && e.errno() == ProtocolException.EPROTO, e.getMessage());
        assertEquals(ClcCodec.MALFORMED_CODE, e.declineCode());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.reason().contains(reasonPart), e.getMessage());
        return e;
    }

    static byte[] with(byte[] wire, int off, int... values) {
        byte[] b = wire.clone();
        for (int i = 0; i < values.length; i++) {
            b[off + i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void shouldRejectHeaderViolations() {
        rejected(with(DECLINE_V1, 0, 0xe2, 0xd4, 0xc3, 0xc5), 0, "eyecatcher");
        rejected(with(DECLINE_V1, 7, 0x00), 7, "version 0");
        rejected(with(DECLINE_V1, 4, 0x05), 4, "unknown CLC type");
        rejected(with(ACCEPT_V1, 7, 0x12), 7, "typev1 2");
        ProtocolException e = assertThrows(ProtocolException.class, () -> ClcCodec.decode(Unpooled.wrappedBuffer(
                ACCEPT_V1), ClcType.PROPOSAL));
        assertTrue(e.reason().contains("expected CLC Proposal"));
        // a Decline is accepted whatever was expected
        assertInstanceOf(ClcDecline.class, ClcCodec.decode(Unpooled.wrappedBuffer(DECLINE_V1), ClcType.CONFIRM));
    }

    @Test
    void shouldAcceptSmcdEyecatchersInHeaderAndTrailer() {
        byte[] b = with(DECLINE_V1, 0, 0xe2, 0xd4, 0xc3, 0xc4);
        assertEquals(Eyecatcher.SMCD, ClcCodec.decode(b).header().eyecatcher());
        byte[] p = PROPOSAL_V2.clone();
        p[p.length - 1] = (byte) 0xc4;
        assertEquals(Eyecatcher.SMCD, ((ClcProposal) ClcCodec.decode(p)).trailer());
    }

    @Test
    void shouldRejectWrongLengths() {
        rejected(with(DECLINE_V1, 7, 0x20), 5, "Decline version 2 length 28 != 44");
        rejected(with(ACCEPT_V1, 5, 0x00, 0x45), 68, "truncated");  // length 69 but only 68 bytes
        rejected(hex(SMCR, "02", "0045", "18", R0, "00", SMCR), 5, "length 69 != 68");
        rejected(with(ACCEPT_V1, 7, 0x28), 5, "length 68 < 108");
        rejected(hex(SMCR, "02", "002f", "19", zeros(35), SMCR), 5, "length 47 != 48");
        rejected(with(DECLINE_V1, 5, 0x00, 0x07), 5, "shorter than the header");
        rejected(with(PROPOSAL_V2, 5, 0x00, 0x9b), 5, "");         // declared 155 of 156: length != sum
    }

    @Test
    void shouldRejectABadTrailerExceptOnDeclinesAndOverlongAccepts() {
        rejected(with(ACCEPT_V1, 64, 0, 0, 0, 0), 64, "trailer");
        rejected(with(PROPOSAL_V2, 152, 1, 2, 3, 4), 152, "trailer");
        // smc_clc_msg_hdr_valid does not check a Decline's trailer
        ClcDecline d = (ClcDecline) ClcCodec.decode(with(DECLINE_V1, 24, 0, 0, 0, 0));
        assertEquals(RawBytes.zeros(4), d.trailer());
        // an Accept longer than the client's 160-byte buffer is drained, its trailer unchecked
        byte[] longAccept = hex(SMCR, "02", "00a4", "28", R0, V2_TAIL, FCE, "01020304", "00000000");
        ClcAcceptConfirm a = (ClcAcceptConfirm) ClcCodec.decode(longAccept);
        assertEquals(RawBytes.hex("01020304"), a.extra());
        assertEquals(RawBytes.zeros(4), a.trailer());
        assertEquals(List.of(), List.of()); // keeps the imports honest
        org.junit.jupiter.api.Assertions.assertArrayEquals(longAccept, ClcCodec.encode(a));
    }

    @Test
    void shouldRejectBadProposalOffsetsAndCounts() {
        rejected(with(PROPOSAL_V2, 38, 0x00, 0x29), 38, "iparea_offset 41 > 40");
        rejected(with(PROPOSAL_V2, 47, 0x09), 47, "ipv6_prefixes_cnt 9 > 8");
        rejected(with(PROPOSAL_V2, 50, 0x00, 0x00), 50, "v2_ext_offset 0");
        rejected(with(PROPOSAL_V2, 50, 0x00, 0xad), 50, "v2_ext_offset 173");
        rejected(with(PROPOSAL_V2, 80, 0x09), 80, "eid_cnt 9 > 8");
        rejected(with(PROPOSAL_V2, 80, 0x02), 5, "length 156 != 188");
        // v1 Proposal offering nothing
        byte[] v1 = hex(SMCR, "01", "0034", "12", zeros(30), "0000", "0a000000", "18", "0000", "00", SMCR);
        rejected(v1, 7, "offers no SMC type");
        assertInstanceOf(ClcProposal.class, ClcCodec.decode(with(v1, 7, 0x10)));
        // v1 Proposal whose IPv6 count overruns the length
        rejected(with(with(v1, 7, 0x10), 47, 0x02), 5, "length 52 != 86");
        // v2 with the v2 extension not behind the SMC-D area: the kernel would read overlapping bytes
        // (v2_ext_offset 60 puts it at 112 where byte 112 = eid_cnt 1 keeps the length sum right: Linux accepts)
        rejected(with(with(PROPOSAL_V2, 50, 0x00, 0x3c), 112, 0x01), 50, "tile");
    }

    @Test
    void shouldFollowTheKernelOnTheSmcdV2ExtensionOffset() {
        ClcProposal.V2Extension v2 = ClcProposal.V2Extension.smcr(1, GoldenVectorTest.ROCE, 255, 2, 1, List.of("E1"));
        ClcProposal p = ClcProposal.linux(2, 3, io.smcj.protocol.PeerId.ZERO, io.smcj.protocol.Gid.ZERO,
                io.smcj.protocol.MacAddress.ZERO, ClcProposal.SmcdArea.empty(0), null, v2,
                new ClcProposal.SmcdV2Extension(RawBytes.zeros(32), RawBytes.zeros(16),
                        List.of(new ClcProposal.GidChid(1, 2))));
        byte[] wire = ClcCodec.encode(p);
        assertEquals(64, p.v2Extension().smcdV2ExtOffset());
        assertTrue(p.kernelFindsSmcdV2Extension());
        rejected(with(wire, 86, 0x00, 0x41), 86, "smcd_v2_ext_offset 65");
        // 0 (or > 288): Linux finds no SMC-Dv2 extension and drops SMC-D v2 with NOV2DEXT; SMC-R v2 stays
        ClcProposal none = (ClcProposal) ClcCodec.decode(with(wire, 86, 0x00, 0x00));
        assertFalse(none.kernelFindsSmcdV2Extension());
        ClcNegotiation.ServerVersions v = ClcNegotiation.serverV2Check(none, true);
        assertEquals(0, v.smcdVersion() & ClcNegotiation.SMC_V2);
        assertEquals(ClcNegotiation.SMC_V2, v.smcrVersion());
        assertEquals(io.smcj.protocol.DeclineCode.NOV2DEXT, v.declineCode());
        org.junit.jupiter.api.Assertions.assertArrayEquals(with(wire, 86, 0x00, 0x00), ClcCodec.encode(none));
    }

    @Test
    void shouldRejectAFirstContactExtensionOrGidListThatDoesNotFit() {
        rejected(hex(SMCR, "02", "0070", "28", R0, V2_TAIL, "00000000", SMCR), 5, "first-contact extension");
        rejected(hex(SMCR, "03", "00a4", "28", R0, V2_TAIL, FCE, "02000000", SMCR), 156, "gid_cnt 2 overruns");
        // a short, 36-byte (SMC-D v2.0 style) extension decodes without the v2.1 part
        ClcAcceptConfirm a = (ClcAcceptConfirm) ClcCodec.decode(
                hex(SMCR, "02", "0090", "28", R0, V2_TAIL, FCE.substring(0, 72), SMCR));
        assertEquals(null, a.fce().v2x());
    }

    @Test
    void shouldReadOneMessageFromAStreamAndTellHowManyBytesAreMissing() {
        ByteBuf stream = Unpooled.buffer();
        stream.writeBytes(DECLINE_V1, 0, 5);
        assertEquals(-1, ClcCodec.messageLength(stream));
        assertEquals(3, ClcCodec.bytesNeeded(stream));
        stream.writeBytes(DECLINE_V1, 5, 10);
        assertEquals(28, ClcCodec.messageLength(stream));
        assertEquals(13, ClcCodec.bytesNeeded(stream));
        ProtocolException e = assertThrows(ProtocolException.class, () -> ClcCodec.decode(stream));
        assertTrue(e.reason().contains("truncated"));
        assertEquals(0, stream.readerIndex(), "nothing consumed on error");
        stream.writeBytes(DECLINE_V1, 15, 13);
        stream.writeBytes(ACCEPT_V1);
        stream.writeBytes("payload".getBytes());
        assertEquals(0, ClcCodec.bytesNeeded(stream));
        assertInstanceOf(ClcDecline.class, ClcCodec.decode(stream));
        assertEquals(28, stream.readerIndex());
        assertInstanceOf(ClcAcceptConfirm.class, ClcCodec.decode(stream));
        assertEquals(96, stream.readerIndex(), "the bytes after the message are not consumed");
        assertEquals(7, stream.readableBytes());
    }

    @Test
    void shouldRejectAnUnexpectedTypeOnThePeekedHeaderBeforeTheBodyArrives() {
        ByteBuf stream = Unpooled.wrappedBuffer(java.util.Arrays.copyOf(ACCEPT_V1, 8));
        assertEquals(60, ClcCodec.bytesNeeded(stream, ClcType.ACCEPT));
        ProtocolException e = assertThrows(ProtocolException.class, () -> ClcCodec.bytesNeeded(stream, ClcType.CONFIRM));
        assertEquals(4, e.offset());
        assertTrue(ClcCodec.isEproto(e));
        assertEquals(20, ClcCodec.bytesNeeded(Unpooled.wrappedBuffer(java.util.Arrays.copyOf(DECLINE_V1, 8)),
                ClcType.CONFIRM), "a Decline is always welcome");
        assertThrows(ProtocolException.class, () -> ClcCodec.bytesNeeded(
                Unpooled.wrappedBuffer(with(java.util.Arrays.copyOf(DECLINE_V1, 8), 7, 0x00)), null));
    }

    @Test
    void shouldRejectTrailingBytesWhenDecodingAnArray() {
        byte[] b = java.util.Arrays.copyOf(DECLINE_V1, 30);
        rejected(b, 28, "after the message");
    }
}
