package io.smcj.tools;

import io.smcj.protocol.Fields;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison itself: it must catch a wrong value, a missing field and a field at the wrong offset. */
class FieldComparisonTest {
    static Tshark.Field t(String name, int off, int size, String show) {
        return new Tshark.Field(name, off, size, show, "", false);
    }

    static Fields cdcLike(int seqno, boolean closed) {
        return new Fields().add("type", 0xfe, 0).add("len", 44, 1).add("seqno", seqno, 2)
                .add("token", 1L, 4)
                .add("prod", new Fields().add("wrap", 0, 10).add("count", 4096L, 12), 8)
                .add("cons", new Fields().add("wrap", 0, 18).add("count", 4104L, 20), 16)
                .addHex("conn_state_flags", closed ? 0x40 : 0, 25, null)
                .add("peer_conn_closed", closed, 25);
    }

    static final Tshark.Pdu CDC = new Tshark.Pdu(1, 44, List.of(
            t("smc.llc_msg", 0, 1, "0xfe"), t("smc.length", 1, 1, "44"), t("smc.rmbe.ctrl.seqno", 2, 2, "0x0003"),
            t("smc.rmbe.ctrl.alert.token", 4, 4, "0x00000001"), t("smc.reserved", 8, 2, "00:00"),
            t("smc.rmbe.ctrl.prod.wrap.seq", 10, 2, "0x0000"), t("smc.rmbe.ctrl.peer.prod.curs", 12, 4, "0x00001000"),
            t("smc.rmbe.ctrl.prod.wrap.seq", 18, 2, "0x0000"), t("smc.rmbe.ctrl.peer.prod.curs", 20, 4, "0x00001008"),
            t("smc.rmbe.ctrl.peer.closed.conn", 25, 1, "1")));

    @Test
    void equalFieldsPass() {
        FieldComparison.Result r = FieldComparison.compare(CDC, cdcLike(3, true), new byte[44]);
        assertTrue(r.ok(), r.mismatches().toString());
        assertEquals(9, r.compared(), "smc.reserved is not compared");
        assertTrue(r.loose().isEmpty());
    }

    @Test
    void aWrongValueIsCaught() {
        FieldComparison.Result r = FieldComparison.compare(CDC, cdcLike(4, true), new byte[44]);
        assertFalse(r.ok());
        assertEquals(1, r.mismatches().size(), r.mismatches().toString());
        assertTrue(r.mismatches().get(0).startsWith("smc.rmbe.ctrl.seqno at offset 2: tshark '0x0003', ours seqno=4"),
                r.mismatches().get(0));
    }

    @Test
    void aWrongFlagIsCaught() {
        FieldComparison.Result r = FieldComparison.compare(CDC, cdcLike(3, false), new byte[44]);
        assertEquals(1, r.mismatches().size(), r.mismatches().toString());
        assertTrue(r.mismatches().get(0).contains("peer.closed.conn"), r.mismatches().get(0));
    }

    @Test
    void aFieldAtAnotherOffsetIsCaught() {
        Fields shifted = new Fields().add("type", 0xfe, 0).add("len", 44, 1).add("seqno", 3, 3);
        FieldComparison.Result r = FieldComparison.compare(new Tshark.Pdu(1, 44,
                List.of(t("smc.rmbe.ctrl.seqno", 2, 2, "0x0003"))), shifted, new byte[44]);
        assertEquals(1, r.mismatches().size());
        assertTrue(r.mismatches().get(0).contains("we have no [seqno] field there"), r.mismatches().get(0));
    }

    @Test
    void flagBitsAreTakenFromOurFlagsByte() {
        Fields llc = new Fields().addHex("flags", 0xc0, 3, null);
        Tshark.Pdu p = new Tshark.Pdu(1, 44, List.of(t("smc.add.link.response", 3, 1, "1"),
                t("smc.add.link.response.rejected", 3, 1, "1")));
        assertTrue(FieldComparison.compare(p, llc, new byte[44]).ok());
        Fields notRejected = new Fields().addHex("flags", 0x80, 3, null);
        assertEquals(1, FieldComparison.compare(p, notRejected, new byte[44]).mismatches().size());
    }

    @Test
    void listElementsAreMatchedByOccurrence() {
        Fields decline = new Fields().add("peer_diagnosis", 0x03030008L, 16)
                .add("peer_diagnosis_v2", List.of(1L, 2L, 3L, 4L), 24);
        Tshark.Pdu p = new Tshark.Pdu(1, 44, List.of(t("smc.peer.diag.info", 16, 4, "0x03030008"),
                t("smc.peer.diag.info", 24, 4, "0x00000001"), t("smc.peer.diag.info", 28, 4, "0x00000002"),
                t("smc.peer.diag.info", 32, 4, "0x00000003"), t("smc.peer.diag.info", 36, 4, "0x00000004")));
        assertTrue(FieldComparison.compare(p, decline, new byte[44]).ok());
        Fields swapped = new Fields().add("peer_diagnosis", 0x03030008L, 16)
                .add("peer_diagnosis_v2", List.of(2L, 1L, 3L, 4L), 24);
        assertEquals(2, FieldComparison.compare(p, swapped, new byte[44]).mismatches().size());
    }

    @Test
    void valuesCompareAcrossRepresentations() {
        assertTrue(FieldComparison.equal(t("x", 0, 16, "::ffff:10.99.0.1"), "::ffff:10.99.0.1", null));
        assertTrue(FieldComparison.equal(t("x", 0, 4, "10.99.0.1"), "::ffff:10.99.0.1", null));
        assertFalse(FieldComparison.equal(t("x", 0, 4, "10.99.0.2"), "::ffff:10.99.0.1", null));
        assertTrue(FieldComparison.equal(t("x", 0, 8, "0x5d3b525400990001"), "5d3b:52:54:00:99:00:01", null));
        assertTrue(FieldComparison.equal(t("x", 0, 8, "0xff181dbdc9b40000"), new java.math.BigInteger("ff181dbdc9b40000", 16), null));
        assertTrue(FieldComparison.equal(t("x", 0, 8, "0xff181dbdc9b40000"), "0xff181dbdc9b40000", null));
        assertTrue(FieldComparison.equal(t("x", 0, 6, "52:54:00:99:00:01"), "52:54:00:99:00:01", null));
        assertTrue(FieldComparison.equal(t("x", 0, 32, "SMCTEST-UEID                    "), "SMCTEST-UEID", null));
        assertFalse(FieldComparison.equal(t("x", 0, 32, "SMCTEST-UEID"), "SMCTEST-UEIE", null));
        assertTrue(FieldComparison.equal(t("x", 0, 1, "2"), 0x23L, "0xf0"));
        assertTrue(FieldComparison.equal(t("x", 0, 1, "3"), 0x23L, "0x0f"));
        assertFalse(FieldComparison.equal(t("x", 0, 1, "1"), false, null));
    }

    @Test
    void tsharkLayoutBugsAreCheckedAgainstTheRawBytes() {
        byte[] msg = new byte[44];
        msg[6] = 0x11;
        Tshark.Pdu p = new Tshark.Pdu(1, 44, List.of(
                new Tshark.Field("smc.add.link.cont.rmb.RTok1.Rkey1", 6, 4, "0x11000000", "11000000", false)));
        FieldComparison.Result r = FieldComparison.compare(p, new Fields(), msg);
        assertTrue(r.ok(), r.mismatches().toString());
        assertEquals(1, r.tsharkBugs().size());
        msg[6] = 0x12;
        assertFalse(FieldComparison.compare(p, new Fields(), msg).ok());
    }
}
