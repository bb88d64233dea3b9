package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every clock read, thread start, timed wait and random draw of the engine must go through
 * {@link EngineRuntime}, or deterministic mode silently stops being deterministic (a real-time
 * wait on a runtime thread, an unseeded number in a trace). This scans the engine's sources for
 * the direct calls; new code that needs one calls {@code runtime.xxx} instead.
 */
class EngineRuntimeUsageTest {

    private static final Pattern FORBIDDEN = Pattern.compile(
            "System\\.nanoTime\\(|System\\.currentTimeMillis\\(|Instant\\.now\\(|ThreadLocalRandom|new Random\\("
                    + "|SecureRandom|Thread\\.of(Virtual|Platform)\\(|new Thread\\(|Executors\\.|Thread\\.sleep\\("
                    + "|LockSupport\\.parkNanos\\(|\\.awaitNanos\\(|\\.await\\(\\s*\\d|\\.poll\\([^)]*TimeUnit"
                    + "|\\.join\\(\\s*\\d|\\.tryLock\\([^)]+\\)|CompletableFuture");

    @Test
    void theEngineUsesOnlyTheRuntimeForTimeThreadsWaitsAndRandomness() throws IOException {
        Path src = Path.of("src/main/java/io/smcj/engine");
        assertTrue(Files.isDirectory(src), "run from the engine module: " + src.toAbsolutePath());
        List<String> hits = new ArrayList<>();
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals("EngineRuntime.java") || name.equals("DeterministicRuntime.java")) {
                    continue; // the two implementations
                }
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    String l = lines.get(i).strip();
                    if (l.startsWith("//") || l.startsWith("*") || l.startsWith("/*")) {
                        continue;
                    }
                    if (FORBIDDEN.matcher(l).find() && !l.contains("runtime.") && !l.contains("runtime().")) {
                        hits.add(name + ":" + (i + 1) + ": " + l);
                    }
                }
            }
        }
        assertTrue(hits.isEmpty(), "route these through EngineRuntime (runtime.nanoTime(), runtime.startThread(...),"
                + " runtime.awaitNanos(lock, cond, nanos), runtime.poll(queue, nanos), runtime.parkNanos(...),"
                + " runtime.join(...), runtime.random()):\n  " + String.join("\n  ", hits));
    }
}
