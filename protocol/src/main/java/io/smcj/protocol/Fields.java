package io.smcj.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An ordered tree of named fields describing a decoded message. Values are {@link Number}s (printed
 * and emitted to JSON as numbers), {@link Boolean}s, {@link String}s (GIDs, MACs, EIDs, hex), nested
 * {@link Fields}, or lists of those. A field may carry a note, e.g. the meaning of a decline code or
 * the names of set flag bits, which text output shows after the value and JSON as "<name>_text".
 */
public final class Fields {
    /** One named value with its byte offset in the message (-1 when derived) and an optional note. */
    public record Field(String name, Object value, int offset, String note) {
    }

    private final List<Field> fields = new ArrayList<>();

    public Fields add(String name, Object value) {
        return add(name, value, -1, null);
    }

    public Fields add(String name, Object value, int offset) {
        return add(name, value, offset, null);
    }

    public Fields add(String name, Object value, int offset, String note) {
        if (!(value == null || value instanceof Number || value instanceof Boolean || value instanceof String
                || value instanceof Fields || value instanceof List<?>)) {
            value = String.valueOf(value); // value types (Gid, MacAddress, Eid ...) print as text
        }
        fields.add(new Field(name, value, offset, note));
        return this;
    }

    /** A hex-formatted unsigned number, e.g. flags bytes and codes: number in JSON, 0x.. in text. */
    public Fields addHex(String name, long value, int offset, String note) {
        String text = note == null ? String.format("0x%x", value) : String.format("0x%x %s", value, note);
        // unsigned: a u64 above Long.MAX_VALUE (e.g. an RMB address 0xff18...) must not print negative
        Object v = value < 0 ? new java.math.BigInteger(Long.toUnsignedString(value)) : (Object) value;
        return add(name, v, offset, text);
    }

    /**
     * A u64 (RMB virtual address, ISM GID ...): held as a non-negative {@link java.math.BigInteger} so
     * that text and JSON show the unsigned value, never Java's negative {@code long}.
     */
    public Fields addU64(String name, long value, int offset) {
        return add(name, new java.math.BigInteger(Long.toUnsignedString(value)), offset, String.format("0x%016x", value));
    }

    public List<Field> list() {
        return Collections.unmodifiableList(fields);
    }

    /** The field of that name at this level, or null. */
    public Field get(String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** Indented text, one field per line: {@code name: value  (note)}. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        appendText(sb, 0);
        return sb.toString();
    }

    private void appendText(StringBuilder sb, int depth) {
        String ind = "  ".repeat(depth);
        for (Field f : fields) {
            sb.append(ind).append(f.name()).append(':');
            if (f.value() instanceof Fields nested) {
                sb.append('\n');
                nested.appendText(sb, depth + 1);
                continue;
            }
            if (f.value() instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Fields) {
                sb.append('\n');
                int i = 0;
                for (Object o : l) {
                    sb.append(ind).append("  [").append(i++).append("]\n");
                    ((Fields) o).appendText(sb, depth + 2);
                }
                continue;
            }
            sb.append(' ').append(f.value());
            if (f.note() != null && !f.note().equals(String.valueOf(f.value()))) {
                sb.append("  (").append(f.note()).append(')');
            }
            sb.append('\n');
        }
    }

    /**
     * One JSON object; numbers as numbers, notes as extra "<name>_text" strings. Keys are unique: a
     * name that repeats at one level (e.g. two reserved fields) is emitted as "name_2", "name_3" ...
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder();
        appendJson(sb);
        return sb.toString();
    }

    private void appendJson(StringBuilder sb) {
        sb.append('{');
        boolean first = true;
        java.util.Set<String> used = new java.util.HashSet<>();
        for (Field f : fields) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            // JSON keys must be unique: a repeated name (two "reserved" fields) gets _2, _3 ...
            String key = f.name();
            for (int n = 2; used.contains(key) || used.contains(key + "_text"); n++) {
                key = f.name() + "_" + n;
            }
            used.add(key);
            quote(sb, key);
            sb.append(':');
            value(sb, f.value());
            if (f.note() != null) {
                used.add(key + "_text");
                sb.append(',');
                quote(sb, key + "_text");
                sb.append(':');
                quote(sb, f.note());
            }
        }
        sb.append('}');
    }

    private static void value(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Fields nested) {
            nested.appendJson(sb);
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                value(sb, l.get(i));
            }
            sb.append(']');
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else {
            quote(sb, v.toString());
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
