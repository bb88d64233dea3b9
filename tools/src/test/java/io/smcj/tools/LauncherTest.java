package io.smcj.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ./smcj launcher's JDK discovery, run as a person would run it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {
    private static final Path ROOT = Path.of(System.getProperty("smcj.root.dir", "..")).toAbsolutePath().normalize();

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String javaHome, String jvmDir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", ROOT.resolve("smcj").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SMCJ_JVM_DIR", jvmDir);
        if (javaHome == null) {
            pb.environment().remove("JAVA_HOME");
        } else {
            pb.environment().put("JAVA_HOME", javaHome);
        }
        File out = File.createTempFile("smcj-out", ".txt");
        File err = File.createTempFile("smcj-err", ".txt");
        pb.redirectOutput(out).redirectError(err);
        Process p = pb.start();
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), "launcher did not finish");
        Result r = new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
        out.delete();
        err.delete();
        return r;
    }

    @Test
    void shouldSayInOneLineWhatToInstallWhenNoJdkQualifies() throws Exception {
        Path empty = Files.createTempDirectory("no-jvms");
        Result r = run(null, empty.toString(), "help");
        assertEquals(2, r.exit(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "exactly one line: " + r.err());
        assertTrue(lines.get(0).contains("no JDK >= 22"), lines.get(0));
        assertTrue(lines.get(0).contains("install"), lines.get(0));
    }

    @Test
    void shouldIgnoreAJavaHomeThatIsTooOld() throws Exception {
        Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(jdk17.resolve("bin/javac")),
                "needs a JDK 17 at " + jdk17);
        Path empty = Files.createTempDirectory("no-jvms");
        Result r = run(jdk17.toString(), empty.toString(), "help");
        assertEquals(2, r.exit(), "JDK 17 must not qualify: " + r.err());
    }

    @Test
    void shouldFindAQualifyingJdkUnderTheJvmDirectory() throws Exception {
        String home = System.getProperty("java.home"); // the JDK running this test is >= 22
        Path dir = Files.createTempDirectory("jvms");
        Files.createSymbolicLink(dir.resolve("some-jdk"), Path.of(home));
        Result r = run(null, dir.toString(), "help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("demo") || r.out().contains("usage"), r.out());
    }
}
