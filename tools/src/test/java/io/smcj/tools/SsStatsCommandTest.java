package io.smcj.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SsStatsCommandTest {

    private static String[] run(Command c, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = c.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void liveListingShowsSmcAndFallbackConnections() throws Exception {
        String[] r = run(new SsCommand(), "--live");
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        assertTrue(out.startsWith("Role"), out);
        assertEquals(6, out.strip().split("\n").length - 1, out);
        assertTrue(out.contains("SMC-R v2.1"), out);
        assertTrue(out.contains("TCP fallback: NOSMCDEV 0x03030000"), out);
        assertTrue(out.contains("TCP fallback: PEERDECL 0x05000000 peer_diagnosis 0x03030000"), out);
    }

    @Test
    void liveStatsCountFallbacksByReason() throws Exception {
        String[] r = run(new StatsCommand(), "--live");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("client v1 0  v2 2"), r[1]);
        assertTrue(r[1].contains("0x05000000"), r[1]);
    }

    @Test
    void stateFileSectionsAreListed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("state.txt");
        Files.writeString(f, "# x\n[connections]\nHEADER\nLINE1\n[stats]\nS1\nS2\n");
        String[] ss = run(new SsCommand(), f.toString());
        assertEquals("HEADER\nLINE1\n", ss[1]);
        String[] st = run(new StatsCommand(), f.toString());
        assertEquals("S1\nS2\n", st[1]);
        String[] missing = run(new SsCommand(), dir.resolve("none").toString());
        assertEquals("1", missing[0]);
    }
}
