package io.smcj.protocol;

import java.util.HexFormat;

/**
 * Hex helpers for traces, tests and the decode command. {@link #parseLenient} accepts what people
 * paste: spaces, newlines, {@code 0x} prefixes, colons, and hexdump/tcpdump/xxd offsets at line
 * starts ({@code 0000:} / {@code 00000010 } / {@code 0x0010:}) and xxd's ASCII column after two
 * spaces.
 */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    public static String of(byte[] b) {
        return HEX.formatHex(b);
    }

    public static byte[] parse(String hex) {
        return HEX.parseHex(hex);
    }

    /** Lenient parse; throws IllegalArgumentException naming the first bad token. */
    public static byte[] parseLenient(String text) {
        StringBuilder digits = new StringBuilder();
        for (String rawLine : text.split("\\R")) {
            String line = rawLine.strip();
            if (line.isEmpty()) {
                continue;
            }
            // xxd / hexdump -C put an ASCII column after two or more spaces or between '|'
            int bar = line.indexOf('|');
            if (bar >= 0) {
                line = line.substring(0, bar);
            }
            String[] tokens = line.split("[\\s,]+");
            int start = 0;
            // leading offset: ends with ':' or is a bare number of 4+ digits followed by more tokens
            // of 2/4 hex digits (hexdump style "00000010  e2 d4 ...")
            if (tokens.length > 1 && (tokens[0].endsWith(":")
                    || (tokens[0].length() >= 4 && tokens[0].length() % 2 == 0 && looksLikeOffset(tokens)))) {
                start = 1;
            }
            for (int i = start; i < tokens.length; i++) {
                String t = tokens[i];
                if (t.startsWith("0x") || t.startsWith("0X")) {
                    t = t.substring(2);
                }
                t = t.replace(":", "").replace("-", "");
                if (t.isEmpty()) {
                    continue;
                }
                if (!t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    // xxd ASCII column: everything after the hex groups; stop this line
                    if (i > start) {
                        break;
                    }
                    throw new IllegalArgumentException("not hex: '" + tokens[i] + "'");
                }
                digits.append(t);
            }
        }
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits (" + digits.length() + ")");
        }
        return HEX.parseHex(digits.toString().toLowerCase());
    }

    private static boolean looksLikeOffset(String[] tokens) {
        // "00000010" followed by byte groups: the offset token is longer than the groups after it
        String first = tokens[0];
        if (!first.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return false;
        }
        return tokens[1].length() < first.length();
    }
}
