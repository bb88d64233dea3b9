package io.smcj.transport.tcp.bpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Loud skips: one SKIP-WARNING line on stderr, then a JUnit assumption failure. */
final class Prerequisites {
    private Prerequisites() {
    }

    static void assumeBpf(String test) {
        String why = BpfSupport.unavailabilityCause();
        if (why != null) {
            System.err.println("SKIP-WARNING: " + test + ": BPF cannot be used here: " + why);
        }
        assumeTrue(why == null, "BPF unavailable: " + why);
    }

    static void assumeCommand(String test, String command) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                found = true;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin"}) {
            found |= Files.isExecutable(Path.of(dir, command));
        }
        if (!found) {
            System.err.println("SKIP-WARNING: " + test + ": command '" + command
                    + "' not installed (scripts/ensure-deps.sh installs it)");
        }
        assumeTrue(found, command + " missing");
    }
}
