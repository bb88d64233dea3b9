package io.smcj.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeterministicCommandTest {

    private static String[] run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new DeterministicCommand().run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void sameSeedPrintsTheSameRunAndAnotherSeedAnotherOne() throws Exception {
        String[] a = run("--seed", "42", "--kib", "200", "--fabric");
        String[] b = run("--seed", "42", "--kib", "200", "--fabric");
        String[] c = run("--seed", "43", "--kib", "200", "--fabric");
        assertEquals("0", a[0], a[1] + a[2]);
        String last = lastLine(a[1]);
        assertTrue(last.startsWith("deterministic: OK seed 42, 819200 bytes moved, checksums matched"), last);
        assertTrue(a[1].contains("CLC PROPOSAL") && a[1].contains("ADD LINK") && a[1].contains("CONFIRM RKEY"), a[1]);
        assertTrue(a[1].contains(" sim "), "fabric events are printed: " + a[1]);
        assertEquals(a[1], b[1], "same seed, same output, byte for byte");
        assertEquals("0", c[0], c[1] + c[2]);
        assertNotEquals(lastLine(a[1]).replaceAll(".*trace sha256 ", ""), lastLine(c[1]).replaceAll(".*trace sha256 ", ""));
    }

    @Test
    void portDownDuringTheTransferFailsOverWithMatchingChecksums() throws Exception {
        String[] r = run("--seed", "7", "--kib", "1024", "--port-down", "0");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("connections move"), r[1]);
        assertTrue(r[1].contains("failover validation ok"), "the moved connection was validated: " + r[1]);
        assertTrue(lastLine(r[1]).startsWith("deterministic: OK seed 7"), lastLine(r[1]));
    }

    @Test
    void portDownWithOneLinkAbortsTheConnectionAndSaysSo() throws Exception {
        String[] r = run("--seed", "7", "--kib", "512", "--one-link", "--port-down", "0.1");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("connection 2 ABORTED") && r[1].contains("LinkDownException"), r[1]);
        assertTrue(lastLine(r[1]).startsWith("deterministic: OK (connection aborted as expected"), lastLine(r[1]));
    }

    @Test
    void badArgumentsAreRejected() throws Exception {
        assertEquals("2", run("--kib", "0")[0]);
        assertEquals("2", run("--bogus")[0]);
    }
}
