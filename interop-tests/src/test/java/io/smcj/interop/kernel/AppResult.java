package io.smcj.interop.kernel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One JSON line printed by guest/smc_app.py (flat object of strings, numbers, booleans, null). */
record AppResult(Map<String, String> fields) {
    private static final Pattern FIELD = Pattern.compile("\"([a-z0-9_]+)\":\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}]+)");

    static AppResult parse(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = FIELD.matcher(line);
        while (x.find()) {
            m.put(x.group(1), x.group(3) != null ? x.group(3) : x.group(2).trim());
        }
        return new AppResult(m);
    }

    /** Every JSON line of an output, in order. */
    static List<AppResult> all(String output) {
        List<AppResult> out = new ArrayList<>();
        for (String l : output.split("\n")) {
            if (l.startsWith("{")) {
                out.add(parse(l));
            }
        }
        return out;
    }

    String get(String key) {
        return fields.get(key);
    }

    long bytes() {
        return Long.parseLong(fields.getOrDefault("bytes", "-1"));
    }
}
