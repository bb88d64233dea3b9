package io.smcj.protocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A 16-byte RoCE GID. RoCEv2 GIDs used by SMC-Rv2 are IPv4-mapped IPv6 addresses
 * ({@code ::ffff:a.b.c.d}); see {@link #ofIpv4(Inet4Address)} and {@link #ipv4()}.
 */
public final class Gid {
    public static final int LENGTH = 16;
    public static final Gid ZERO = new Gid(new byte[LENGTH]);

    private final byte[] bytes;

    private Gid(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Gid of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("GID must be 16 bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        return new Gid(bytes.clone());
    }

    /** Parses IPv6 text ("fe80::1", "::ffff:10.0.0.1") or 32 hex digits. */
    public static Gid parse(String text) {
        String t = text.strip();
        if (t.length() == 32 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return of(Hex.parse(t.toLowerCase()));
        }
        // only IPv6 literal characters: anything else would make InetAddress try a DNS lookup
        if (!t.contains(":") || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            throw new IllegalArgumentException("not a GID: '" + text + "'");
        }
        try {
            InetAddress a = InetAddress.getByName(t);
            if (a instanceof Inet6Address) {
                return of(a.getAddress());
            }
            return ofIpv4((Inet4Address) a); // Java folds ::ffff:a.b.c.d into Inet4Address
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a GID: '" + text + "'", e);
        }
    }

    /** The RoCEv2 GID derived from an IPv4 address: {@code ::ffff:a.b.c.d}. */
    public static Gid ofIpv4(Inet4Address addr) {
        byte[] b = new byte[LENGTH];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(addr.getAddress(), 0, b, 12, 4);
        return new Gid(b);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public byte byteAt(int i) {
        return bytes[i];
    }

    /** True for {@code ::ffff:a.b.c.d}, the form SMC-Rv2 requires. */
    public boolean isIpv4Mapped() {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    /** The IPv4 address of an IPv4-mapped GID. */
    public Inet4Address ipv4() {
        if (!isIpv4Mapped()) {
            throw new IllegalStateException("GID " + this + " is not IPv4-mapped");
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public boolean isZero() {
        return Arrays.equals(bytes, ZERO.bytes);
    }

    /** IPv6 text form; IPv4-mapped GIDs print as {@code ::ffff:a.b.c.d} like tshark does. */
    @Override
    public String toString() {
        if (isIpv4Mapped()) {
            return "::ffff:" + (bytes[12] & 0xff) + "." + (bytes[13] & 0xff) + "." + (bytes[14] & 0xff)
                    + "." + (bytes[15] & 0xff);
        }
        try {
            String s = InetAddress.getByAddress(bytes).getHostAddress();
            return compress(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** RFC 5952 zero compression of Java's full IPv6 text. */
    private static String compress(String full) {
        String[] g = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < g.length; ) {
            if (g[i].equals("0")) {
                int j = i;
                while (j < g.length && g[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gid other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
