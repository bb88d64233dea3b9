package io.smcj.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Turns the measurements of one run into the table, the headline ratios (always subject and
 * baseline from the same run) and the JSON document. Pure: no I/O except the given stream.
 */
public final class Report {
    /** Write size and RMB of the bulk headline. */
    static final String BULK_WRITE = "65536";
    static final String BULK_RMB = "1048576";

    private Report() {
    }

    // ------------------------------------------------------------------ headlines

    public static List<Headline> headlines(List<Measurement> ms) {
        List<Headline> out = new ArrayList<>();
        Optional<Measurement> smcBulk = find(ms, "Bulk", "smc", m -> BULK_WRITE.equals(m.param("writeSize"))
                && BULK_RMB.equals(m.param("rmb")));
        Optional<Measurement> copy = find(ms, "Bulk", "memcpy", m -> BULK_WRITE.equals(m.param("writeSize")));
        Optional<Measurement> tcpBulk = find(ms, "Bulk", "tcp", m -> BULK_WRITE.equals(m.param("writeSize")));
        String bulkCfg = "write " + BULK_WRITE + " B, RMB " + BULK_RMB + " B";
        smcBulk.ifPresent(s -> {
            copy.ifPresent(c -> out.add(rate("sim-bulk/memcpy", s, c, ">= 0.30", 0.30, bulkCfg, 1.0 * 65536)));
            tcpBulk.ifPresent(t -> out.add(rate("sim-bulk/tcp", s, t, ">= 2", 2.0, bulkCfg, 1.0 * 65536)));
        });
        Optional<Measurement> tcpRtt = find(ms, "Rtt", "tcp", m -> "1".equals(m.param("msgSize")));
        // rtt/tcp: blocking reads, the socket API's normal mode; rtt-busy/tcp: application busy polling
        for (String wait : List.of("blocking", "busy")) {
            Optional<Measurement> smcRtt = find(ms, "Rtt", "smc", m -> "1".equals(m.param("msgSize"))
                    && wait.equals(m.param("wait")));
            if (smcRtt.isPresent() && tcpRtt.isPresent()) {
                out.add(time(wait.equals("busy") ? "rtt-busy/tcp" : "rtt/tcp", smcRtt.get(), tcpRtt.get(),
                        "<= 0.25", 0.25, "1 B ping-pong, smcj " + wait + ", tcp blocking"));
            }
        }
        Optional<Measurement> tcpSetup = find(ms, "Setup", "tcp", m -> true);
        find(ms, "Setup", "smcReuse", m -> true).ifPresent(s -> tcpSetup.ifPresent(
                t -> out.add(timeAsRate("setup-reuse/tcp", s, t, ">= 0.5", 0.5, "connect+close, link group reused"))));
        find(ms, "Setup", "smcFirstContact", m -> true).ifPresent(s -> tcpSetup.ifPresent(
                t -> out.add(timeAsRate("setup-first/tcp", s, t, "", Double.NaN, "connect+close, new link group"))));
        Optional<Measurement> aeron = find(ms, "MsgRate", "aeron", m -> true);
        Optional<Measurement> tcpMsg = find(ms, "MsgRate", "tcp", m -> true);
        find(ms, "MsgRate", "smc", m -> true).ifPresent(s -> {
            aeron.ifPresent(a -> out.add(rate("msg64/aeron", s, a, ">= 0.5", 0.5, "64 B messages, 1 connection", 1)));
            tcpMsg.ifPresent(t -> out.add(rate("msg64/tcp", s, t, "", Double.NaN, "64 B messages, 1 connection", 1)));
        });
        find(ms, "MsgRate", "smc16", m -> true).ifPresent(s -> aeron.ifPresent(
                a -> out.add(rate("msg64x16/aeron", s, a, "", Double.NaN, "64 B messages, 16 connections, 1 link group",
                        1))));
        return out;
    }

    /** Throughput ratio subject/base (ops/s medians; ranges from the iteration extremes). */
    static Headline rate(String key, Measurement s, Measurement b, String target, double goal, String cfg,
                         double scale) {
        double v = s.median() / b.median();
        String unit = scale == 1 ? "msg/s" : "MiB/s";
        double f = scale == 1 ? 1 : scale / (1 << 20);
        String detail = String.format(Locale.ROOT, "(%s: smcj %s %s, %s %s %s)", cfg, num(s.median() * f), unit,
                b.name(), num(b.median() * f), unit);
        return new Headline(key, v, s.min() / b.max(), s.max() / b.min(), detail, target,
                Double.isNaN(goal) ? null : v >= goal);
    }

    /** Time ratio subject/base from sample medians (smaller = better); range from p99s is not a range, so none. */
    static Headline time(String key, Measurement s, Measurement b, String target, double goal, String cfg) {
        double sn = s.toNanos(s.median());
        double bn = b.toNanos(b.median());
        double v = sn / bn;
        String detail = String.format(Locale.ROOT, "(%s: median %s us p99 %s us, tcp median %s us p99 %s us)", cfg,
                num(sn / 1e3), num(s.toNanos(s.p99()) / 1e3), num(bn / 1e3), num(b.toNanos(b.p99()) / 1e3));
        return new Headline(key, v, Double.NaN, Double.NaN, detail, target, Double.isNaN(goal) ? null : v <= goal);
    }

    /** Rate ratio subject/base computed from sample medians: base time / subject time. */
    static Headline timeAsRate(String key, Measurement s, Measurement b, String target, double goal, String cfg) {
        double sn = s.toNanos(s.median());
        double bn = b.toNanos(b.median());
        double v = bn / sn;
        String detail = String.format(Locale.ROOT, "(%s: smcj %s/s (median %s us), tcp %s/s (median %s us))", cfg,
                num(1e9 / sn), num(sn / 1e3), num(1e9 / bn), num(bn / 1e3));
        return new Headline(key, v, Double.NaN, Double.NaN, detail, target, Double.isNaN(goal) ? null : v >= goal);
    }

    static Optional<Measurement> find(List<Measurement> ms, String group, String name, Predicate<Measurement> p) {
        return ms.stream().filter(m -> m.group().equals(group) && m.name().equals(name) && p.test(m)).findFirst();
    }

    /**
     * The simulator-only write benchmark (full profile): {@code bench: sim-write-<size>/memcpy=<ratio>}
     * per size, memcpy time / simulated RDMA WRITE time from the medians (1.0 = as fast as a bare copy).
     */
    public static List<String> simWriteLines(List<Measurement> ms) {
        List<String> out = new ArrayList<>();
        for (Measurement sim : ms) {
            if (!sim.group().equals("SimWrite") || !sim.name().equals("simWrite")) {
                continue;
            }
            String size = sim.param("size");
            find(ms, "SimWrite", "memcpy", m -> size.equals(m.param("size"))).ifPresent(c -> out.add(String.format(
                    Locale.ROOT, "bench: sim-write-%s/memcpy=%s (median ns/write: sim %s, memcpy %s)", size,
                    fmt(c.toNanos(c.median()) / sim.toNanos(sim.median())), num(sim.toNanos(sim.median())),
                    num(c.toNanos(c.median())))));
        }
        return out;
    }

    /** The final summary line: {@code bench: sim-bulk/memcpy=0.31 sim-bulk/tcp=2.4 ...}. */
    public static String summaryLine(List<Headline> hs) {
        StringBuilder b = new StringBuilder("bench:");
        for (Headline h : hs) {
            b.append(' ').append(h.key()).append('=').append(fmt(h.value()));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ table

    public static void printTable(List<Measurement> ms, PrintStream out) {
        int w = "benchmark".length();
        for (Measurement m : ms) {
            w = Math.max(w, m.group().length() + 1 + m.name().length());
        }
        String fmt = "%-" + w + "s %-32s %14s %-7s %-25s %s%n";
        out.printf(Locale.ROOT, fmt, "benchmark", "params", "median", "unit", "spread", "derived");
        for (Measurement m : ms) {
            StringBuilder p = new StringBuilder();
            m.params().forEach((k, v) -> p.append(p.isEmpty() ? "" : " ").append(k).append('=').append(v));
            String spread = m.isThroughput()
                    ? "min " + num(m.min()) + " max " + num(m.max())
                    : "p99 " + num(m.p99()) + " n=" + m.n();
            out.printf(Locale.ROOT, fmt, m.group() + "." + m.name(), p,
                    num(m.median()), m.unit(), spread, derived(m));
        }
    }

    static String derived(Measurement m) {
        if (m.group().equals("Bulk") && m.param("writeSize") != null) {
            double bps = m.median() * Long.parseLong(m.param("writeSize"));
            return num(bps / (1 << 20)) + " MiB/s";
        }
        if (m.group().equals("MsgRate")) {
            return num(m.median() / 1e6) + " M msg/s";
        }
        if (m.group().equals("Setup")) {
            return num(1e9 / m.toNanos(m.median())) + " conn/s";
        }
        if (m.group().equals("Rtt")) {
            return num(m.toNanos(m.median()) / 1e3) + " us RTT";
        }
        return "";
    }

    // ------------------------------------------------------------------ JSON

    public static Map<String, Object> json(Map<String, Object> machine, String profile, List<Measurement> ms,
                                           List<Headline> hs, Object memory) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("machine", machine);
        root.put("profile", profile);
        List<Object> rs = new ArrayList<>();
        for (Measurement m : ms) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("benchmark", m.group() + "." + m.name());
            r.put("params", m.params());
            r.put("mode", m.mode());
            r.put("unit", m.unit());
            r.put("median", m.median());
            r.put("mean", m.mean());
            r.put("error99_9", m.error());
            r.put("p99", m.p99());
            r.put("min", m.min());
            r.put("max", m.max());
            r.put("n", m.n());
            r.put("iterations", m.iterations());
            rs.add(r);
        }
        root.put("results", rs);
        List<Object> hl = new ArrayList<>();
        for (Headline h : hs) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("key", h.key());
            r.put("value", h.value());
            r.put("low", h.low());
            r.put("high", h.high());
            r.put("detail", h.detail());
            r.put("target", h.target());
            r.put("met", h.met());
            hl.add(r);
        }
        root.put("headlines", hl);
        root.put("memory", memory);
        return root;
    }

    /** Minimal JSON writer for maps, lists, strings, numbers, booleans and null (NaN -> null). */
    public static String toJson(Object o) {
        StringBuilder b = new StringBuilder();
        write(b, o, "");
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object o, String ind) {
        switch (o) {
            case null -> b.append("null");
            case String s -> quote(b, s);
            case Boolean v -> b.append(v);
            case Double d -> b.append(d.isNaN() || d.isInfinite() ? "null" : stripZero(d));
            case Float f -> write(b, f.doubleValue(), ind);
            case Number n -> b.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    b.append("{}");
                    return;
                }
                b.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(ind).append("  ");
                    quote(b, String.valueOf(e.getKey()));
                    b.append(": ");
                    write(b, e.getValue(), ind + "  ");
                    b.append(++i < m.size() ? ",\n" : "\n");
                }
                b.append(ind).append('}');
            }
            case List<?> l -> {
                boolean flat = l.stream().allMatch(x -> x instanceof Number || x instanceof String);
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (!flat) {
                        b.append('\n').append(ind).append("  ");
                    }
                    write(b, l.get(i), ind + "  ");
                    if (i + 1 < l.size()) {
                        b.append(flat ? ", " : ",");
                    }
                }
                if (!flat && !l.isEmpty()) {
                    b.append('\n').append(ind);
                }
                b.append(']');
            }
            default -> quote(b, o.toString());
        }
    }

    private static String stripZero(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    // ------------------------------------------------------------------ numbers

    /** Ratios: 2 significant digits below 10, else whole numbers. */
    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Figures for tables: 3 significant digits. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
