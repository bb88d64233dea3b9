package io.smcj.protocol;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeclineCodeValuesTest {
    /** SMC_CLC_DECL_* of net/smc/smc_clc.h (Linux 6.x), copied value by value. */
    static final Map<String, Integer> KERNEL = Map.ofEntries(
            Map.entry("MEM", 0x01010000), Map.entry("TIMEOUT_CL", 0x02010000), Map.entry("TIMEOUT_AL", 0x02020000),
            Map.entry("CNFERR", 0x03000000), Map.entry("PEERNOSMC", 0x03010000), Map.entry("IPSEC", 0x03020000),
            Map.entry("NOSMCDEV", 0x03030000), Map.entry("NOSMCDDEV", 0x03030001), Map.entry("NOSMCRDEV", 0x03030002),
            Map.entry("NOISM2SUPP", 0x03030003), Map.entry("NOV2EXT", 0x03030004), Map.entry("NOV2DEXT", 0x03030005),
            Map.entry("NOSEID", 0x03030006), Map.entry("NOSMCD2DEV", 0x03030007), Map.entry("NOUEID", 0x03030008),
            Map.entry("RELEASEERR", 0x03030009), Map.entry("MAXCONNERR", 0x0303000a), Map.entry("MAXLINKERR", 0x0303000b),
            Map.entry("MODEUNSUPP", 0x03040000), Map.entry("RMBE_EC", 0x03050000), Map.entry("OPTUNSUPP", 0x03060000),
            Map.entry("DIFFPREFIX", 0x03070000), Map.entry("GETVLANERR", 0x03080000), Map.entry("ISMVLANERR", 0x03090000),
            Map.entry("NOACTLINK", 0x030a0000), Map.entry("NOSRVLINK", 0x030b0000), Map.entry("VERSMISMAT", 0x030c0000),
            Map.entry("MAX_DMB", 0x030d0000), Map.entry("NOROUTE", 0x030e0000), Map.entry("NOINDIRECT", 0x030f0000),
            Map.entry("SYNCERR", 0x04000000), Map.entry("PEERDECL", 0x05000000), Map.entry("INTERR", 0x09990000),
            Map.entry("ERR_RTOK", 0x09990001), Map.entry("ERR_RDYLNK", 0x09990002), Map.entry("ERR_REGBUF", 0x09990003));

    @Test
    void everyCurrentKernelCodeIsPresentWithItsValue() {
        KERNEL.forEach((name, value) -> {
            DeclineCode c = DeclineCode.valueOf(name);
            assertEquals(value, c.value(), name);
            assertFalse(c.historical(), name);
            assertEquals(c, DeclineCode.of(value).orElseThrow(), name);
        });
        long current = java.util.Arrays.stream(DeclineCode.values()).filter(c -> !c.historical()).count();
        assertEquals(KERNEL.size(), current, "no current code beyond the kernel's");
    }

    @Test
    void valuesAreUniqueAmongCurrentCodesAndHistoricalOnesDoNotShadowThem() {
        Map<Integer, DeclineCode> seen = new HashMap<>();
        for (DeclineCode c : DeclineCode.values()) {
            DeclineCode prev = seen.put(c.value(), c);
            if (prev != null) {
                assertTrue(prev.historical() || c.historical(), c + " and " + prev + " share " + c.hex());
                assertFalse(DeclineCode.of(c.value()).orElseThrow().historical(), "the current name wins");
            }
            assertFalse(c.meaning().isBlank(), c.name());
        }
    }

    @Test
    void historicalCodesAreKnown() {
        assertEquals(DeclineCode.HIST_TCL, DeclineCode.of(0x02040000).orElseThrow());
        assertTrue(DeclineCode.HIST_TCL.historical());
        assertEquals(DeclineCode.HIST_INTERR, DeclineCode.of(0x99990000).orElseThrow());
        assertEquals(DeclineCode.HIST_TIMEOUT, DeclineCode.of(0x02000000).orElseThrow());
        assertEquals(DeclineCode.HIST_REPLY, DeclineCode.of(0x06000000).orElseThrow());
        assertEquals(DeclineCode.HIST_SEND, DeclineCode.of(0x07000000).orElseThrow());
    }

    @Test
    void describeSpellsOutKnownAndUnknownValues() {
        assertEquals("0x03030008 NOUEID (" + DeclineCode.NOUEID.meaning() + ")", DeclineCode.describe(0x03030008));
        assertTrue(DeclineCode.NOUEID.meaning().contains("UEID"));
        assertEquals("0x99990000 HIST_INTERR (internal error (historical code))", DeclineCode.describe(0x99990000));
        assertEquals("0x03031234 UNKNOWN (not a code of Linux net/smc)", DeclineCode.describe(0x03031234));
        assertEquals("0xffffffff", DeclineCode.hex(-1));
        assertTrue(DeclineCode.of(0x12345678).isEmpty());
        assertNull(DeclineCode.of(0).orElse(null));
    }

    @Test
    void protocolExceptionCarriesCodeOffsetAndReason() {
        ProtocolException e = new ProtocolException(DeclineCode.SYNCERR, 7, "bad length");
        assertEquals(DeclineCode.SYNCERR, e.declineCode());
        assertEquals(7, e.offset());
        assertEquals("bad length", e.reason());
        assertEquals("bad length at offset 7 (decline 0x04000000 SYNCERR)", e.getMessage());
        ProtocolException shifted = e.atBase(40);
        assertEquals(47, shifted.offset());
        assertEquals(DeclineCode.SYNCERR, shifted.declineCode());
        ProtocolException noOffset = new ProtocolException(DeclineCode.MEM, "x");
        assertEquals(ProtocolException.NO_OFFSET, noOffset.offset());
        assertEquals(noOffset, noOffset.atBase(10), "no offset: nothing to shift");
        assertEquals("x (decline 0x01010000 MEM)", noOffset.getMessage());
    }
}
