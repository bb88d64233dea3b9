package io.smcj.transport.tcp.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A JVM killed with SIGKILL leaves no program attached; its empty cgroup is swept by the next open. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JvmDeathTest {
    @Test
    void killedJvmLeavesNothingAttached() throws Exception {
        Prerequisites.assumeBpf("JvmDeathTest");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ProbeHolderMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            assertNotNull(line, "child JVM printed nothing");
            assertTrue(line.startsWith("READY "), line);
            Path cg = Path.of(line.substring(6));
            String procs = Files.readString(cg.resolve("cgroup.procs"));
            assertTrue(procs.lines().anyMatch(l -> l.equals(Long.toString(child.pid()))), "child JVM moved in: " + procs);
            assertEquals(1, attached(cg), "program attached while the child lives");

            child.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (attached(cg) != 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, attached(cg), "link released with the dead process's fds");
            assertTrue(Files.exists(cg), "only the empty directory remains");
            Cgroup2.create().close(); // the next user sweeps dead smcj-PID-N directories
            assertFalse(Files.exists(cg), "stale cgroup swept: " + cg);
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    private static int attached(Path cgroup) {
        int fd = Native.open(cgroup.toString(), Native.O_RDONLY | Native.O_DIRECTORY);
        try {
            return Bpf.progQueryCount(fd, Bpf.ATTACH_CGROUP_SOCK_OPS);
        } finally {
            Native.close(fd);
        }
    }
}
