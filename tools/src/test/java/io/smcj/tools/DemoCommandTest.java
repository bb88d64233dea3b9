package io.smcj.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCommandTest {

    private static String[] run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new DemoCommand().run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(rc), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void demoOverLoopbackEndsWithOk() throws Exception {
        String[] r = run("--mib", "2");
        assertEquals("0", r[0], r[1] + r[2]);
        String last = lastLine(r[1]);
        assertTrue(last.startsWith("demo: OK 4194304 bytes moved"), last);
        assertTrue(last.contains("SMC-R v2.1"), last);
        assertTrue(last.contains("checksums matched"), last);
        assertTrue(r[1].contains("CLC PROPOSAL"), r[1]);
        assertTrue(r[1].contains("CLC ACCEPT"), r[1]);
        assertTrue(r[1].contains("CLC CONFIRM"), r[1]);
        assertTrue(r[1].contains("LLC CONFIRM LINK request"), r[1]);
        assertTrue(r[1].contains("LLC CONFIRM LINK response"), r[1]);
    }

    @Test
    void demoOverSimulatedTcpWithV1() throws Exception {
        String[] r = run("--tcp", "sim", "--v1", "--mib", "1");
        assertEquals("0", r[0], r[1] + r[2]);
        String last = lastLine(r[1]);
        assertTrue(last.startsWith("demo: OK 2097152 bytes moved"), last);
        assertTrue(last.contains("SMC-R v1 "), last);
    }

    @Test
    void badArgumentsFail() throws Exception {
        assertEquals("2", run("--mib", "0")[0]);
        assertEquals("2", run("--bogus")[0]);
    }
}
