package io.smcj.protocol;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every {@code SMC_CLC_DECL_*} of Linux 6.12.117 net/smc/smc_clc.h, name and value, as written there. */
class DeclineCodeTest {
    static final Map<String, Integer> LINUX_6_12 = new LinkedHashMap<>();

    static {
        LINUX_6_12.put("MEM", 0x01010000);
        LINUX_6_12.put("TIMEOUT_CL", 0x02010000);
        LINUX_6_12.put("TIMEOUT_AL", 0x02020000);
        LINUX_6_12.put("CNFERR", 0x03000000);
        LINUX_6_12.put("PEERNOSMC", 0x03010000);
        LINUX_6_12.put("IPSEC", 0x03020000);
        LINUX_6_12.put("NOSMCDEV", 0x03030000);
        LINUX_6_12.put("NOSMCDDEV", 0x03030001);
        LINUX_6_12.put("NOSMCRDEV", 0x03030002);
        LINUX_6_12.put("NOISM2SUPP", 0x03030003);
        LINUX_6_12.put("NOV2EXT", 0x03030004);
        LINUX_6_12.put("NOV2DEXT", 0x03030005);
        LINUX_6_12.put("NOSEID", 0x03030006);
        LINUX_6_12.put("NOSMCD2DEV", 0x03030007);
        LINUX_6_12.put("NOUEID", 0x03030008);
        LINUX_6_12.put("RELEASEERR", 0x03030009);
        LINUX_6_12.put("MAXCONNERR", 0x0303000a);
        LINUX_6_12.put("MAXLINKERR", 0x0303000b);
        LINUX_6_12.put("MODEUNSUPP", 0x03040000);
        LINUX_6_12.put("RMBE_EC", 0x03050000);
        LINUX_6_12.put("OPTUNSUPP", 0x03060000);
        LINUX_6_12.put("DIFFPREFIX", 0x03070000);
        LINUX_6_12.put("GETVLANERR", 0x03080000);
        LINUX_6_12.put("ISMVLANERR", 0x03090000);
        LINUX_6_12.put("NOACTLINK", 0x030a0000);
        LINUX_6_12.put("NOSRVLINK", 0x030b0000);
        LINUX_6_12.put("VERSMISMAT", 0x030c0000);
        LINUX_6_12.put("MAX_DMB", 0x030d0000);
        LINUX_6_12.put("NOROUTE", 0x030e0000);
        LINUX_6_12.put("NOINDIRECT", 0x030f0000);
        LINUX_6_12.put("SYNCERR", 0x04000000);
        LINUX_6_12.put("PEERDECL", 0x05000000);
        LINUX_6_12.put("INTERR", 0x09990000);
        LINUX_6_12.put("ERR_RTOK", 0x09990001);
        LINUX_6_12.put("ERR_RDYLNK", 0x09990002);
        LINUX_6_12.put("ERR_REGBUF", 0x09990003);
    }

    @Test
    void everyLinux612CodeHasItsKernelNameAndValue() {
        assertEquals(36, LINUX_6_12.size());
        LINUX_6_12.forEach((name, value) -> {
            DeclineCode c = DeclineCode.valueOf(name);
            assertEquals(value.intValue(), c.value(), name);
            assertFalse(c.historical(), name);
            assertEquals(c, DeclineCode.of(value).orElseThrow(), "lookup by value " + DeclineCode.hex(value));
        });
    }

    @Test
    void everyOtherConstantIsMarkedHistorical() {
        Set<String> current = LINUX_6_12.keySet();
        Set<String> others = Stream.of(DeclineCode.values()).map(Enum::name).filter(n -> !current.contains(n))
                .collect(Collectors.toSet());
        for (String n : others) {
            assertTrue(DeclineCode.valueOf(n).historical(), n + " is not in 6.12's smc_clc.h, so it must be historical");
        }
    }

    @Test
    void peerNoSmcIsNotDescribedAsNeverSent() {
        // smc_listen_v2_check() returns it for a v2 Proposal offering nothing; smc_listen_decline() sends it
        assertFalse(DeclineCode.PEERNOSMC.meaning().contains("never sent"));
        assertEquals("0x03010000 PEERNOSMC (peer did not indicate SMC (no TCP option, or a Proposal offering no "
                + "SMC type))", DeclineCode.describe(0x03010000));
    }
}
