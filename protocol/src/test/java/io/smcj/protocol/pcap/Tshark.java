package io.smcj.protocol.pcap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs tshark for tests; {@link #skip} prints the loud skip line the project requires. Shared with
 * other modules' tests through the protocol test-jar.
 */
public final class Tshark {
    private Tshark() {
    }

    /** True when a {@code tshark} executable is on the PATH. */
    public static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "tshark"))) {
                return true;
            }
        }
        return false;
    }

    /** Prints the loud skip line and returns {@code why} for the JUnit assumption. */
    public static String skip(String why) {
        System.err.println("SKIP-WARNING: " + why);
        return why;
    }

    static List<String> run(Path pcap, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tshark did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException("tshark exit " + p.exitValue() + " for " + cmd);
        }
        String s = new String(out, StandardCharsets.UTF_8);
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }
}
