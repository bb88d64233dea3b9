package io.smcj.bench;

import io.smcj.engine.SmcSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Memory per idle SMC-R connection. Runs in its own JVM with Native Memory Tracking
 * ({@code -XX:NativeMemoryTracking=summary}): one client and one server engine over the simulator
 * (default {@code rmem}/{@code wmem} 64 KiB), then 1, 100, 1,000 ... idle connections, measuring
 * after each step the Java heap in use after GC, the native memory NMT reports outside the heap,
 * and the registered buffer bytes the engines account for ({@code bufferMemoryInUse}). A
 * connection here is both ends (client and server socket), as both live in this JVM.
 */
public final class MemoryProbe {
    private MemoryProbe() {
    }

    /** Child entry point: prints {@code mem conns=N heap=B native=B nmtOther=B buffers=B lgrs=K} per step. */
    public static void main(String[] args) throws Exception {
        List<Integer> steps = new ArrayList<>();
        for (String s : args[0].split(",")) {
            steps.add(Integer.parseInt(s));
        }
        try (SmcPair smc = new SmcPair(SmcPair.config(64 * 1024))) {
            // one connection opened and closed first, so that classes, JIT and the pools are warm
            SmcSocket[] warm = smc.connect();
            warm[0].close();
            warm[1].close();
            Thread.sleep(300);
            System.out.println(sample(smc, 0));
            List<SmcSocket[]> open = new ArrayList<>();
            for (int n : steps) {
                while (open.size() < n) {
                    open.add(smc.connect());
                }
                Thread.sleep(300); // let CDC/LLC traffic of the last handshakes settle
                System.out.println(sample(smc, n));
            }
            for (SmcSocket[] p : open) {
                p[0].close();
                p[1].close();
            }
        }
        System.out.flush();
        System.exit(0);
    }

    private static String sample(SmcPair smc, int conns) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Map<String, Long> nmt = nmtCommitted();
        long total = nmt.getOrDefault("Total", -1L);
        long javaHeap = nmt.getOrDefault("Java Heap", 0L);
        long buffers = smc.client.bufferMemoryInUse() + smc.server.bufferMemoryInUse();
        int lgrs = smc.client.linkGroups().size();
        return "mem conns=" + conns + " heap=" + heap + " native=" + (total < 0 ? -1 : total - javaHeap)
                + " nmtOther=" + nmt.getOrDefault("Other", -1L) + " buffers=" + buffers + " lgrs=" + lgrs;
    }

    private static final Pattern CATEGORY = Pattern.compile(
            "^-?\\s*([A-Za-z][A-Za-z ]*?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
    private static final Pattern TOTAL = Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB");

    /** NMT summary, committed bytes per category and "Total"; empty when NMT is off. */
    static Map<String, Long> nmtCommitted() {
        Map<String, Long> out = new LinkedHashMap<>();
        String text;
        try {
            text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary", "scale=KB"}}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            return out;
        }
        for (String line : text.split("\n")) {
            String l = line.strip();
            Matcher t = TOTAL.matcher(l);
            if (t.find()) {
                out.put("Total", Long.parseLong(t.group(2)) * 1024);
                continue;
            }
            Matcher c = CATEGORY.matcher(l);
            if (c.find()) {
                out.put(c.group(1).strip(), Long.parseLong(c.group(3)) * 1024);
            }
        }
        return out;
    }

    /** Runs the probe in a child JVM and returns its samples as maps (key -> number); empty on failure. */
    public static List<Map<String, Long>> runChild(String steps, Path log) {
        List<Map<String, Long>> out = new ArrayList<>();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-XX:NativeMemoryTracking=summary", "--enable-native-access=ALL-UNNAMED",
                "-Xmx4g", "-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(), steps);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                System.err.println("bench: memory probe timed out (see " + log + ")");
                return out;
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(
                    Files.newInputStream(log), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("mem ")) {
                        Map<String, Long> m = new LinkedHashMap<>();
                        for (String kv : line.substring(4).split(" ")) {
                            int eq = kv.indexOf('=');
                            m.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                        }
                        out.add(m);
                    }
                }
            }
            if (p.exitValue() != 0) {
                System.err.println("bench: memory probe exited with " + p.exitValue() + " (see " + log + ")");
            }
        } catch (Exception e) {
            System.err.println("bench: memory probe failed: " + e);
        }
        return out;
    }
}
