package io.smcj.bench;

/**
 * One headline ratio of the run.
 *
 * @param key    as printed: {@code sim-bulk/memcpy}, {@code rtt/tcp} ...
 * @param value  the ratio of the medians (smcj relative to the baseline, larger = better, except
 *               for {@code rtt}, where it is smcj's round trip over the baseline's)
 * @param low    worst-case ratio over the measured ranges (NaN when not available)
 * @param high   best-case ratio over the measured ranges (NaN when not available)
 * @param detail the medians it came from
 * @param target the goal of issue 8, e.g. {@code >= 0.30}, or empty
 * @param met    whether the median meets the target (null without a target)
 */
public record Headline(String key, double value, double low, double high, String detail, String target,
                       Boolean met) {

    public String line() {
        StringBuilder b = new StringBuilder("bench: ").append(key).append('=').append(Report.fmt(value));
        if (!Double.isNaN(low) && !Double.isNaN(high)) {
            b.append(" (range ").append(Report.fmt(low)).append("..").append(Report.fmt(high)).append(')');
        }
        b.append(' ').append(detail);
        if (!target.isEmpty()) {
            b.append("; target ").append(target).append(met ? " MET" : " NOT MET");
        }
        return b.toString();
    }
}
