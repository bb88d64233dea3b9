package io.smcj.protocol;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * EID syntax: the kernel's {@code smc_clc_ueid_valid} (net/smc/smc_clc.c: after trailing blanks are
 * cut, 1..32 characters, first A-Z/0-9, all A-Z 0-9 '.' '-') plus smc-tools' "no consecutive dots"
 * rule ({@code smcr ueid add}), which the brief's syntax includes.
 */
class EidTest {
    @Test
    void validExamples() {
        for (String ok : new String[] {"SMCTEST-UEID", "A", "0", "IBM-ENT.EID-01", "A.B.C", "X-", "Y.",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"}) {
            assertNull(Eid.invalidReason(ok), ok);
            assertEquals(ok, Eid.of(ok).text());
        }
    }

    @Test
    void invalidExamples() {
        String[][] cases = {
            {"", "empty"}, {"-ABC", "first character"}, {".ABC", "first character"}, {"abc", "first character"},
            {"ABc", "not A-Z"}, {"A..B", ".."}, {"A B", "not A-Z"}, {"A_B", "not A-Z"},
            {"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "longer than 32"}, {"ÄBC", "first character"}, {"AB\u00c4", "not A-Z"},
        };
        for (String[] c : cases) {
            String why = Eid.invalidReason(c[0]);
            assertNotNull(why, c[0]);
            assertEquals(true, why.contains(c[1]), c[0] + " -> " + why);
            assertThrows(IllegalArgumentException.class, () -> Eid.of(c[0]));
        }
        assertNotNull(Eid.invalidReason(null));
    }

    @Test
    void wireFormIsBlankPaddedTo32Bytes() {
        byte[] w = Eid.of("SMCTEST-UEID").wire();
        assertEquals(32, w.length);
        assertEquals("SMCTEST-UEID                    ", new String(w, StandardCharsets.US_ASCII));
        assertEquals(Eid.of("SMCTEST-UEID"), Eid.ofWire(w));
    }

    @Test
    void receivedFieldsMayBeBlankZeroOrSeidLike() {
        assertNull(Eid.ofWire(new byte[32]), "all zero = no EID");
        byte[] blanks = "                                ".getBytes(StandardCharsets.US_ASCII);
        assertNull(Eid.ofWire(blanks), "all blank = no EID");
        byte[] seid = "IBM-SYSZ-ISMSEID00000000ABCDEF01".getBytes(StandardCharsets.US_ASCII);
        assertEquals("IBM-SYSZ-ISMSEID00000000ABCDEF01", Eid.ofWire(seid).text());
        byte[] nonAscii = blanks.clone();
        nonAscii[3] = (byte) 0xC1;
        assertThrows(IllegalArgumentException.class, () -> Eid.ofWire(nonAscii));
        assertThrows(IllegalArgumentException.class, () -> Eid.ofWire(new byte[31]));
    }

    @Provide
    Arbitrary<String> validEids() {
        Arbitrary<Character> first = Arbitraries.chars().range('A', 'Z').with('0', '1', '9');
        Arbitrary<String> rest = Arbitraries.strings().withChars("ABCXYZ0189-.").ofMaxLength(31)
                .filter(s -> !s.contains(".."));
        return net.jqwik.api.Combinators.combine(first, rest).as((f, r) -> f + r).filter(s -> !s.contains(".."));
    }

    @Property
    void validEidsRoundTripThroughTheWire(@ForAll("validEids") String text) {
        Eid e = Eid.of(text);
        assertEquals(e, Eid.ofWire(e.wire()));
        assertEquals(32, e.wire().length);
    }

    /** The reference predicate written straight from the rules, compared with Eid on any short string. */
    @Property
    void invalidReasonAgreesWithTheRules(@ForAll("anyEidLike") String s) {
        boolean ok = !s.isEmpty() && s.length() <= 32 && !s.contains("..")
                && ((s.charAt(0) >= 'A' && s.charAt(0) <= 'Z') || (s.charAt(0) >= '0' && s.charAt(0) <= '9'))
                && s.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
        assertEquals(ok, Eid.invalidReason(s) == null, s);
    }

    @Provide
    Arbitrary<String> anyEidLike() {
        return Arbitraries.strings().withChars("AZaz09.-_ ").ofMaxLength(34);
    }
}
