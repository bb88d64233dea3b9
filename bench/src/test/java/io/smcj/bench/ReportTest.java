package io.smcj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Ratio and JSON code of the report, on synthetic measurements (no timing is measured here). */
class ReportTest {

    private static Measurement thr(String group, String name, double median, double min, double max, String... kv) {
        return new Measurement(group, name, params(kv), "thrpt", "ops/s", median, 0, median, max, min, max, 3,
                List.of(min, median, max));
    }

    private static Measurement sample(String group, String name, String unit, double median, double p99,
                                      String... kv) {
        return new Measurement(group, name, params(kv), "sample", unit, median, 0, median, p99, median / 2, p99 * 2,
                1000, List.of(median));
    }

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static List<Measurement> run() {
        List<Measurement> ms = new ArrayList<>();
        ms.add(thr("Bulk", "memcpy", 100_000, 90_000, 110_000, "writeSize", "65536"));
        ms.add(thr("Bulk", "memcpy", 1, 1, 1, "writeSize", "1024"));
        ms.add(thr("Bulk", "tcp", 10_000, 8_000, 12_000, "writeSize", "65536"));
        ms.add(thr("Bulk", "smc", 5_000, 4_000, 6_000, "rmb", "65536", "writeSize", "65536"));
        ms.add(thr("Bulk", "smc", 31_000, 30_000, 33_000, "rmb", "1048576", "writeSize", "65536"));
        ms.add(sample("Rtt", "tcp", "ns/op", 40_000, 80_000, "msgSize", "1"));
        ms.add(sample("Rtt", "tcp", "ns/op", 1, 1, "msgSize", "16384"));
        ms.add(sample("Rtt", "smc", "ns/op", 8_000, 20_000, "msgSize", "1", "wait", "busy"));
        ms.add(sample("Rtt", "smc", "ns/op", 20_000, 50_000, "msgSize", "1", "wait", "blocking"));
        ms.add(sample("Setup", "tcp", "us/op", 50, 100));
        ms.add(sample("Setup", "smcReuse", "us/op", 200, 400));
        ms.add(sample("Setup", "smcFirstContact", "us/op", 1000, 2000));
        ms.add(thr("MsgRate", "aeron", 20_000_000, 19e6, 21e6));
        ms.add(thr("MsgRate", "tcp", 2_000_000, 1e6, 3e6));
        ms.add(thr("MsgRate", "smc", 1_000_000, 0.9e6, 1.1e6));
        ms.add(thr("MsgRate", "smc16", 500_000, 0.4e6, 0.6e6));
        return ms;
    }

    private static Headline get(List<Headline> hs, String key) {
        return hs.stream().filter(h -> h.key().equals(key)).findFirst().orElseThrow(() -> new AssertionError(key));
    }

    @Test
    void headlineRatiosComeFromTheMatchingMedians() {
        List<Headline> hs = Report.headlines(run());
        Headline copy = get(hs, "sim-bulk/memcpy");
        assertEquals(0.31, copy.value(), 1e-12); // RMB 1 MiB row, not the 64 KiB one
        assertEquals(30_000.0 / 110_000, copy.low(), 1e-12);
        assertEquals(33_000.0 / 90_000, copy.high(), 1e-12);
        assertTrue(copy.met());
        Headline tcp = get(hs, "sim-bulk/tcp");
        assertEquals(3.1, tcp.value(), 1e-12);
        assertTrue(tcp.met());
        Headline busy = get(hs, "rtt-busy/tcp");
        assertEquals(0.2, busy.value(), 1e-12); // 8 us / 40 us
        assertTrue(busy.met());
        Headline rtt = get(hs, "rtt/tcp");
        assertEquals(0.5, rtt.value(), 1e-12); // blocking: 20 us / 40 us
        assertFalse(rtt.met());
        Headline reuse = get(hs, "setup-reuse/tcp");
        assertEquals(0.25, reuse.value(), 1e-12); // rates: 5000/s vs 20000/s
        assertFalse(reuse.met());
        assertEquals(0.05, get(hs, "setup-first/tcp").value(), 1e-12);
        assertNull(get(hs, "setup-first/tcp").met());
        assertEquals(0.05, get(hs, "msg64/aeron").value(), 1e-12);
        assertEquals(0.5, get(hs, "msg64/tcp").value(), 1e-12);
        assertEquals(0.025, get(hs, "msg64x16/aeron").value(), 1e-12);
        assertEquals("bench: sim-bulk/memcpy=0.31 sim-bulk/tcp=3.1 rtt/tcp=0.50 rtt-busy/tcp=0.20 "
                + "setup-reuse/tcp=0.25 setup-first/tcp=0.050 msg64/aeron=0.050 msg64/tcp=0.50 msg64x16/aeron=0.025",
                Report.summaryLine(hs));
        assertTrue(copy.line().startsWith("bench: sim-bulk/memcpy=0.31 (range 0.27..0.37) "), copy.line());
        assertTrue(copy.line().endsWith("target >= 0.30 MET"), copy.line());
    }

    @Test
    void missingBaselinesGiveNoHeadline() {
        List<Measurement> ms = new ArrayList<>(run());
        ms.removeIf(m -> m.name().equals("aeron") || m.name().equals("memcpy"));
        List<Headline> hs = Report.headlines(ms);
        assertTrue(hs.stream().noneMatch(h -> h.key().contains("aeron") || h.key().contains("memcpy")));
        assertTrue(hs.stream().anyMatch(h -> h.key().equals("sim-bulk/tcp")));
    }

    @Test
    void jsonEscapesAndMapsNanToNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\u0001");
        m.put("nan", Double.NaN);
        m.put("whole", 3.0);
        m.put("frac", 0.25);
        m.put("list", List.of(1, 2));
        m.put("nested", List.of(Map.of("k", true)));
        m.put("none", null);
        String json = Report.toJson(m);
        assertEquals("""
                {
                  "s": "a\\"b\\\\c\\n\\u0001",
                  "nan": null,
                  "whole": 3,
                  "frac": 0.25,
                  "list": [1, 2],
                  "nested": [
                    {
                      "k": true
                    }
                  ],
                  "none": null
                }
                """, json);
    }

    @Test
    void fullReportSerialises() {
        List<Measurement> ms = run();
        String json = Report.toJson(Report.json(Map.of("cpus", 2), "default", ms, Report.headlines(ms), null));
        assertTrue(json.contains("\"benchmark\": \"Bulk.smc\""), json);
        assertTrue(json.contains("\"key\": \"rtt/tcp\""), json);
        assertEquals(json.chars().filter(c -> c == '{').count(), json.chars().filter(c -> c == '}').count());
    }

    @Test
    void simWriteRatioPerSize() {
        List<Measurement> ms = List.of(sample("SimWrite", "simWrite", "ns/op", 200, 400, "size", "4096"),
                sample("SimWrite", "memcpy", "ns/op", 50, 90, "size", "4096"),
                sample("SimWrite", "simWrite", "ns/op", 100, 200, "size", "64"));
        assertEquals(List.of("bench: sim-write-4096/memcpy=0.25 (median ns/write: sim 200, memcpy 50.0)"),
                Report.simWriteLines(ms));
    }

    @Test
    void formatsRatios() {
        assertEquals("0.31", Report.fmt(0.3149));
        assertEquals("2.4", Report.fmt(2.44));
        assertEquals("12", Report.fmt(12.4));
        assertEquals("0.050", Report.fmt(0.05));
        assertEquals("n/a", Report.fmt(Double.NaN));
    }
}
