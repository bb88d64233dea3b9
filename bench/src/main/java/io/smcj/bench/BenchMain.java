package io.smcj.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.JavaFlightRecorderProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * {@code ./smcj bench [--full] [--only REGEX] [--param NAME=V1,V2] [--jvm-arg ARG] [--jfr] [--no-memory] [--out DIR]}: runs the JMH
 * benchmarks of this module in one invocation (subjects and baselines in the same run), the
 * memory probe, and prints a table, one {@code bench: <key>=<ratio> ...} line per headline ratio
 * and a final summary line; the raw results go to {@code <out>/bench-results.json}.
 */
public final class BenchMain {
    /** Flags for every benchmark JVM; the Aeron ones let Agrona reach the JDK internals it uses. */
    static final String[] JVM_ARGS = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"};

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        boolean full = false;
        boolean jfr = false;
        boolean memory = true;
        String only = null;
        Map<String, String[]> paramOverrides = new LinkedHashMap<>();
        List<String> jvmArgs = new ArrayList<>(List.of(JVM_ARGS));
        Path dir = Path.of("bench", "target");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full" -> full = true;
                case "--jfr" -> jfr = true;
                case "--no-memory" -> memory = false;
                case "--only" -> only = args[++i];
                case "--out" -> dir = Path.of(args[++i]);
                case "--jvm-arg" -> jvmArgs.add(args[++i]);
                case "--param" -> {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq < 1) {
                        err.println("bench: --param wants NAME=V1,V2 (e.g. writeSize=65536)");
                        return 2;
                    }
                    paramOverrides.put(kv.substring(0, eq), kv.substring(eq + 1).split(","));
                }
                case "-h", "--help" -> {
                    out.println("usage: ./smcj bench [--full] [--only REGEX] [--param NAME=V1,V2] [--jvm-arg ARG] [--jfr]"
                            + " [--no-memory] [--out DIR]");
                    return 0;
                }
                default -> {
                    err.println("bench: unknown argument " + args[i]);
                    return 2;
                }
            }
        }
        Path jmhDir = dir.resolve("jmh");
        Files.createDirectories(jmhDir);
        Map<String, Object> machine = machine();
        machine.put("jvmArgs", jvmArgs);
        String profile = full ? "full" : "default";
        ChainedOptionsBuilder ob = new OptionsBuilder()
                .include(only != null ? only
                        : full ? "^io\\.smcj\\.bench\\.(Bulk|Rtt|MsgRate|Setup|SimWrite|SimLatency)Benchmark\\."
                        : "^io\\.smcj\\.bench\\.(Bulk|Rtt|MsgRate|Setup)Benchmark\\.")
                .forks(1)
                .jvmArgsAppend(jvmArgs.toArray(String[]::new))
                .shouldFailOnError(false)
                .output(jmhDir.resolve("jmh.log").toString());
        Map<String, String[]> params = new LinkedHashMap<>();
        if (full) {
            ob.warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(5)
                    .measurementTime(TimeValue.seconds(2));
            params.put("writeSize", new String[] {"1024", "4096", "16384", "65536", "262144", "1048576"});
            params.put("rmb", new String[] {"65536", "262144", "1048576"});
            params.put("msgSize", new String[] {"1", "64", "1024", "4096", "16384"});
        } else {
            ob.warmupIterations(3).warmupTime(TimeValue.seconds(1)).measurementIterations(3)
                    .measurementTime(TimeValue.seconds(1));
            params.put("writeSize", new String[] {"1024", "65536", "1048576"});
            params.put("rmb", new String[] {"65536", "1048576"});
            params.put("msgSize", new String[] {"1", "16384"});
        }
        params.putAll(paramOverrides); // JMH adds up repeated param() calls, so overrides replace here
        params.forEach(ob::param);
        if (jfr) {
            Path jfrDir = dir.resolve("jfr").toAbsolutePath();
            Files.createDirectories(jfrDir);
            ob.addProfiler(JavaFlightRecorderProfiler.class, "dir=" + jfrDir);
        }
        err.println("bench: " + profile + " profile, JMH progress in " + jmhDir.resolve("jmh.log")
                + " (load average at start " + machine.get("loadAverageStart") + ")");
        long t0 = System.nanoTime();
        Collection<RunResult> rr = new Runner(ob.build()).run();
        List<Measurement> ms = convert(rr);
        Object mem = null;
        List<Map<String, Long>> samples = List.of();
        if (memory) {
            samples = MemoryProbe.runChild("1,100,1000", jmhDir.resolve("memory.log"));
            mem = samples;
        }
        machine.put("loadAverageEnd", loadAverage());
        machine.put("seconds", Math.round((System.nanoTime() - t0) / 1e9));
        out.println();
        Report.printTable(ms, out);
        if (!samples.isEmpty()) {
            out.println();
            printMemory(samples, out);
        }
        out.println();
        List<Headline> hs = Report.headlines(ms);
        Report.simWriteLines(ms).forEach(out::println);
        for (Headline h : hs) {
            out.println(h.line());
        }
        String memLine = memoryHeadline(samples);
        if (memLine != null) {
            out.println(memLine);
        }
        Path json = dir.resolve("bench-results.json");
        Files.writeString(json, Report.toJson(Report.json(machine, profile, ms, hs, mem)));
        out.println("bench: raw results in " + json.toAbsolutePath() + " (JMH log " + jmhDir.resolve("jmh.log") + ")");
        if (jfr) {
            Path jfrTxt = dir.resolve("jfr-top.txt");
            try (PrintStream ps = new PrintStream(Files.newOutputStream(jfrTxt), true, "UTF-8")) {
                JfrTop.summariseAll(dir.resolve("jfr").toAbsolutePath(), 15, ps);
            }
            out.println("bench: JFR top frames per benchmark in " + jfrTxt.toAbsolutePath());
        }
        out.println(Report.summaryLine(hs));
        long failures = countFailures(jmhDir.resolve("jmh.log"));
        if (failures > 0) {
            err.println("bench: " + failures + " benchmark failure(s): their rows and ratios are missing or partial; see "
                    + jmhDir.resolve("jmh.log"));
        }
        return ms.isEmpty() || failures > 0 ? 1 : 0;
    }

    /** JMH marks a failed iteration or setup with {@code <failure>} in its log. */
    private static long countFailures(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("<failure>")).count();
        } catch (Exception e) {
            return 0;
        }
    }

    static List<Measurement> convert(Collection<RunResult> rr) {
        List<Measurement> out = new ArrayList<>();
        for (RunResult r : rr) {
            BenchmarkParams bp = r.getParams();
            String full = bp.getBenchmark();
            int dot = full.lastIndexOf('.');
            String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
            String group = cls.endsWith("Benchmark") ? cls.substring(0, cls.length() - "Benchmark".length()) : cls;
            Map<String, String> params = new TreeMap<>();
            for (String k : bp.getParamsKeys()) {
                params.put(k, bp.getParam(k));
            }
            Result<?> pr = r.getPrimaryResult();
            Statistics st = pr.getStatistics();
            List<Double> its = new ArrayList<>();
            for (BenchmarkResult br : r.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    its.add(ir.getPrimaryResult().getScore());
                }
            }
            out.add(new Measurement(group, full.substring(dot + 1), params, bp.getMode().shortLabel(),
                    pr.getScoreUnit(), pr.getScore(), pr.getScoreError(), st.getPercentile(50), st.getPercentile(99),
                    st.getMin(), st.getMax(), st.getN(), its));
        }
        return out;
    }

    static void printMemory(List<Map<String, Long>> samples, PrintStream out) {
        out.println("memory (one client + one server engine in one JVM; a connection = both ends; NMT committed"
                + " outside the heap; 64 KiB RMB + 64 KiB send buffer per end):");
        out.printf(Locale.ROOT, "%8s %12s %12s %14s %6s %14s %14s%n", "conns", "heap", "native", "reg. buffers",
                "lgrs", "heap/conn", "native/conn");
        Map<String, Long> base = samples.getFirst();
        for (Map<String, Long> s : samples) {
            long n = s.get("conns");
            String hp = n == 0 ? "-" : Long.toString((s.get("heap") - base.get("heap")) / n);
            String np = n == 0 || s.get("native") < 0 ? "-" : Long.toString((s.get("native") - base.get("native")) / n);
            out.printf(Locale.ROOT, "%8d %12d %12d %14d %6d %14s %14s%n", n, s.get("heap"), s.get("native"),
                    s.get("buffers"), s.get("lgrs"), hp, np);
        }
    }

    static String memoryHeadline(List<Map<String, Long>> samples) {
        if (samples.size() < 2) {
            return null;
        }
        Map<String, Long> base = samples.getFirst();
        Map<String, Long> last = samples.getLast();
        long n = last.get("conns");
        if (n == 0 || last.get("native") < 0) {
            return null;
        }
        return String.format(Locale.ROOT,
                "bench: mem-per-conn native=%d B heap=%d B registered=%d B (at %d idle connections, both ends)",
                (last.get("native") - base.get("native")) / n, (last.get("heap") - base.get("heap")) / n,
                (last.get("buffers") - base.get("buffers")) / n, n);
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("cpuModel", cpuModel());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        m.put("jvmArgs", List.of(JVM_ARGS));
        m.put("loadAverageStart", loadAverage());
        return m;
    }

    private static double loadAverage() {
        return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).strip();
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
