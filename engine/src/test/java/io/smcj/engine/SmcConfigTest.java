package io.smcj.engine;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmcConfigTest {
    @Test
    void shouldUseTheKernelDefaults() {
        SmcConfig c = SmcConfig.defaults();
        assertEquals(64 * 1024, c.autocorkingSize());
        assertEquals(64 * 1024, c.rmem());
        assertEquals(64 * 1024, c.wmem());
        assertEquals(255, c.maxConnsPerLgr());
        assertEquals(2, c.maxLinksPerLgr());
        assertEquals(Duration.ofSeconds(30), c.testlinkTime());
        assertEquals(16, c.maxSendWr());
        assertEquals(48, c.maxRecvWr());
        assertEquals(64 * 1024, c.rmbeSize());
    }

    @Test
    void shouldRejectOutOfRangeValuesNamingKeyAndRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmcConfig.builder().maxConnsPerLgr(15));
        assertEquals("net.smc.smcr_max_conns_per_lgr must be in 16..255, got 15", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SmcConfig.builder().maxLinksPerLgr(3));
        assertThrows(IllegalArgumentException.class, () -> SmcConfig.builder().rmem(16383));
        assertThrows(IllegalArgumentException.class, () -> SmcConfig.builder().testlinkTime(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> SmcConfig.builder().v1Enabled(false).v2Enabled(false).build());
    }

    @Test
    void clcErrorFallbackIsOnByDefaultAndValidated() {
        assertTrue(SmcConfig.defaults().clcErrorFallback());
        assertEquals("1", SmcConfig.defaults().asMap().get(SmcConfig.CLC_ERROR_FALLBACK));
        assertEquals(false, SmcConfig.builder().set(SmcConfig.CLC_ERROR_FALLBACK, "0").build().clcErrorFallback());
        assertEquals(true, SmcConfig.builder().set(SmcConfig.CLC_ERROR_FALLBACK, "on").build().clcErrorFallback());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmcConfig.builder().set(SmcConfig.CLC_ERROR_FALLBACK, "2"));
        assertEquals("smcj.clc_error_fallback must be 0/1 or true/false, got '2'", e.getMessage());
    }

    @Test
    void shouldValidateUserEidsLikeTheKernel() {
        SmcConfig.Builder b = SmcConfig.builder();
        for (int i = 0; i < 8; i++) {
            b.addUeid("SMC-EID." + i);
        }
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> b.addUeid("NINTH"));
        assertTrue(tooMany.getMessage().contains("at most 8"), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SmcConfig.builder().addUeid("lowercase"));
        assertThrows(IllegalArgumentException.class, () -> SmcConfig.builder().addUeid("A..B"));
        assertThrows(IllegalArgumentException.class, () -> SmcConfig.builder().addUeid("-LEADING"));
        assertThrows(IllegalArgumentException.class, () -> SmcConfig.builder().addUeid("A").addUeid("A"));
    }

    @Test
    void shouldReadPropertiesAndRejectUnknownKeys() {
        Properties p = new Properties();
        p.setProperty("net.smc.autocorking_size", "0");
        p.setProperty("net.smc.smcr_testlink_time", "0");
        p.setProperty("smcj.ueids", "SMCTEST-UEID, OTHER.EID");
        p.setProperty("unrelated.key", "ignored");
        SmcConfig c = SmcConfig.fromProperties(p);
        assertEquals(0, c.autocorkingSize());
        assertEquals(Duration.ZERO, c.testlinkTime());
        assertEquals(2, c.ueids().size());
        p.setProperty("net.smc.no_such_thing", "1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SmcConfig.fromProperties(p));
        assertTrue(e.getMessage().contains("net.smc.no_such_thing"));
        Properties bad = new Properties();
        bad.setProperty("net.smc.rmem", "lots");
        assertThrows(IllegalArgumentException.class, () -> SmcConfig.fromProperties(bad));
    }

    @Property
    void rmbeSizeIsTheSmallestSmcrSizeHoldingRmem(@ForAll @IntRange(min = 16384, max = 4 << 20) int rmem) {
        int size = SmcConfig.builder().rmem(rmem).build().rmbeSize();
        assertTrue(size >= rmem, "size " + size + " for rmem " + rmem);
        assertTrue(size == 16384 || size / 2 < rmem, "not the smallest: " + size + " for " + rmem);
        assertTrue(Integer.bitCount(size) == 1, "a power of two: " + size);
    }

    @Property
    void asMapRoundTripsThroughSet(@ForAll @IntRange(min = 16, max = 255) int conns,
                                   @ForAll @IntRange(min = 0, max = 1 << 20) int cork) {
        SmcConfig c = SmcConfig.builder().maxConnsPerLgr(conns).autocorkingSize(cork).addUeid("X1").build();
        SmcConfig.Builder b = SmcConfig.builder();
        c.asMap().forEach(b::set);
        assertEquals(c.asMap(), b.build().asMap());
    }
}
