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

    /**
     * Lenient parse; throws IllegalArgumentException naming the first bad token. A line may start
     * with an offset: a token ending in ':' (xxd, tcpdump -X, "0x0010:") or, in hexdump -C and
     * Wireshark style, a bare hex number longer than the byte groups after it whose value equals
     * the number of bytes read so far. After a ':' offset the first run of two or more spaces ends
     * the hex part (xxd and tcpdump put the ASCII column there); text between '|' is hexdump -C's
     * ASCII column.
     */
    public static byte[] parseLenient(String text) {
        StringBuilder digits = new StringBuilder();
        boolean sawOffset = false;
        for (String rawLine : text.split("\\R")) {
            String line = rawLine.strip();
            if (line.isEmpty()) {
                continue;
            }
            int bar = line.indexOf('|');
            if (bar >= 0) {
                line = line.substring(0, bar).strip();
            }
            String[] tokens = line.split("[\\s,]+");
            int start = 0;
            if (sawOffset && tokens.length == 1 && isBareOffset(new String[] {tokens[0], ""}, digits.length() / 2)) {
                continue; // hexdump -C ends with a line holding only the total length
            }
            if (tokens.length > 1 && tokens[0].endsWith(":") && tokens[0].length() > 1) {
                start = 1;
                // xxd / tcpdump -X: the ASCII column follows two or more spaces after the hex groups
                String rest = line.substring(line.indexOf(':') + 1).strip();
                int gap = rest.indexOf("  ");
                if (gap >= 0) {
                    rest = rest.substring(0, gap);
                }
                tokens = ("x " + rest).split("[\\s,]+");
            } else if (tokens.length > 1 && isBareOffset(tokens, digits.length() / 2)) {
                if (tokens[0].length() == 7 && tokens[1].length() == 4) {
                    // plain hexdump / od -x: 7-digit offsets and 16-bit words in host (little-endian) order
                    throw new IllegalArgumentException("looks like 'hexdump' or 'od -x' output (16-bit words in "
                            + "host byte order); use 'hexdump -C' or 'xxd'");
                }
                start = 1;
            }
            sawOffset |= start == 1;
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
                    // an ASCII column after the hex groups of a dump line: stop this line
                    if (start == 1 && i > start) {
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

    /** "00000010  e2 d4 ...": 4..8 hex digits, longer than the next group, equal to the bytes so far. */
    private static boolean isBareOffset(String[] tokens, int bytesSoFar) {
        String first = tokens[0];
        if (first.length() < 4 || first.length() > 8 || tokens[1].length() >= first.length()
                || !first.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return false;
        }
        return Long.parseLong(first, 16) == bytesSoFar;
    }
}
