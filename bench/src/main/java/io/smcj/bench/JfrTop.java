package io.smcj.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time goes: summarises the JFR recordings that {@code ./smcj bench --jfr} makes (JMH's
 * JFR profiler, one recording per benchmark) by the top frames of the {@code jdk.ExecutionSample}
 * events: "self" = the method on top of the stack, "total" = smcj methods anywhere on the stack
 * (once per sample), and the threads the samples came from. Few samples mean the threads were
 * mostly waiting (parked), not computing.
 */
public final class JfrTop {
    private JfrTop() {
    }

    public static void main(String[] args) throws IOException {
        summariseAll(Path.of(args.length > 0 ? args[0] : "bench/target/jfr"), args.length > 1
                ? Integer.parseInt(args[1]) : 12, System.out);
    }

    static void summariseAll(Path dir, int top, PrintStream out) throws IOException {
        if (!Files.isDirectory(dir)) {
            out.println("bench: no JFR recordings under " + dir);
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jfr")).sorted().toList();
        }
        for (Path f : files) {
            out.println("== " + dir.relativize(f));
            summarise(f, top, out);
        }
    }

    static void summarise(Path file, int top, PrintStream out) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int samples = 0;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = st.getFrames();
                self.merge(name(frames.getFirst()), 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame fr : frames) {
                    String n = name(fr);
                    if (n.startsWith("io.smcj.") && !n.startsWith("io.smcj.bench.jmh_generated") && seen.add(n)) {
                        total.merge(n, 1, Integer::sum);
                    }
                }
                String t = e.getThread("sampledThread") != null ? e.getThread("sampledThread").getJavaName() : "?";
                threads.merge(t == null ? "?" : t.replaceAll("-\\d+$", "-N"), 1, Integer::sum);
            }
        }
        out.printf(Locale.ROOT, "  %d execution samples%n", samples);
        print("self", self, samples, top, out);
        print("total (smcj methods on the stack)", total, samples, top, out);
        print("threads", threads, samples, 6, out);
    }

    private static void print(String title, Map<String, Integer> m, int samples, int top, PrintStream out) {
        out.println("  " + title + ":");
        List<Map.Entry<String, Integer>> es = new ArrayList<>(m.entrySet());
        es.sort((a, b) -> b.getValue() - a.getValue());
        for (int i = 0; i < Math.min(top, es.size()); i++) {
            out.printf(Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * es.get(i).getValue() / samples, es.get(i).getKey());
        }
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
