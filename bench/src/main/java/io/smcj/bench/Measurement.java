package io.smcj.bench;

import java.util.List;
import java.util.Map;

/**
 * One JMH result, reduced to what the report needs. {@code median}, {@code p99}, {@code min},
 * {@code max} are over the iteration scores in throughput mode (ops/s) and over all samples in
 * sample mode (time per op).
 *
 * @param group     benchmark class without "Benchmark" (Bulk, Rtt, MsgRate, Setup, SimWrite ...)
 * @param name      benchmark method (smc, tcp, memcpy, aeron ...)
 * @param params    JMH parameters
 * @param mode      JMH mode short label (thrpt, sample)
 * @param unit      score unit (ops/s, ns/op, us/op)
 * @param iterations per-iteration scores (throughput: ops/s; sample: mean of the iteration)
 */
public record Measurement(String group, String name, Map<String, String> params, String mode, String unit,
                          double mean, double error, double median, double p99, double min, double max, long n,
                          List<Double> iterations) {

    public boolean isThroughput() {
        return mode.equals("thrpt");
    }

    public String param(String key) {
        return params.get(key);
    }

    public String id() {
        StringBuilder b = new StringBuilder(group).append('.').append(name);
        params.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }

    /** Nanoseconds per operation of a sample-mode time value in this measurement's unit. */
    public double toNanos(double v) {
        return switch (unit) {
            case "ns/op" -> v;
            case "us/op" -> v * 1e3;
            case "ms/op" -> v * 1e6;
            case "s/op" -> v * 1e9;
            default -> throw new IllegalStateException("not a time unit: " + unit);
        };
    }
}
