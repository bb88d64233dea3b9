package io.smcj.interop.vm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire checks of the VM smoke test, run on committed kernel captures (no VM needed): the
 * checks must see SMC-R where there is SMC-R and a Decline where there is one.
 */
class SmcWireSummaryTest {
    static Path fixture(String name) {
        Path p = Path.of("").toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            Path f = p.resolve("fixtures").resolve(name);
            if (Files.exists(f)) {
                return f;
            }
        }
        throw new AssertionError("fixture not found: " + name);
    }

    @Test
    void firstContactCapture() throws IOException {
        SmcWireSummary w = SmcWireSummary.of(fixture("kernel-6.12/smcr612-a-first-4k.pcap"));
        assertEquals(List.of(1, 2, 3), w.clcTypes(), w::toString);
        assertEquals(List.of(true), w.acceptFirstContact());
        assertEquals(2, w.llcCount(SmcWireSummary.LLC_CONFIRM_LINK_V2), w::toString);
        assertTrue(w.rdmaWritePackets() > 0);
        assertTrue(w.cdcCount() > 0);
        assertEquals(2, w.smcSynOptions(), w::toString);
        assertTrue(w.declineCodes().isEmpty());
    }

    @Test
    void reuseCapture() throws IOException {
        SmcWireSummary w = SmcWireSummary.of(fixture("kernel-6.12/smcr612-a-reuse-4k.pcap"));
        assertEquals(List.of(1, 2, 3), w.clcTypes(), w::toString);
        assertEquals(List.of(false), w.acceptFirstContact());
        assertEquals(0, w.llcCount(SmcWireSummary.LLC_CONFIRM_LINK_V2), w::toString);
        assertTrue(w.cdcCount() > 0);
    }

    @Test
    void declineCapture() throws IOException {
        SmcWireSummary w = SmcWireSummary.of(fixture("kernel-6.1/b2_decline_server_no_ueid.pcap"));
        assertEquals(List.of(1, 4), w.clcTypes(), w::toString);
        assertEquals(List.of(0x03030000L), w.declineCodes());
        assertEquals(0, w.rdmaWritePackets());
        assertEquals(0, w.cdcCount());
    }
}
