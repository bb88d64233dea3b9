package io.smcj.transport.tcp.policy;

import io.smcj.transport.tcp.SmcRole;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which connections may offer SMC, in the spirit of the kernel tools' SMC policies: rules by
 * local port (first match, else the port default) and, for clients, rules by destination IPv4 or
 * IPv6 prefix (first match, else the destination default). The two decisions combine with AND:
 * SMC is offered only when both say on. Servers evaluate only the port rules (the peer's address
 * is not a property of the listener).
 *
 * <p>The same object drives the checks generated into the BPF program
 * ({@code SmcSockOpsProgram}) and the Java-side enforcement ({@link #decide}); both report the
 * matching rule by its 1-based index so a fallback reason can name it.
 *
 * <p>Text form (for configuration and {@code ./smcj} options), entries separated by ';' or ',':
 * <pre>  port 8080 off; port 9000-9100 on; port default on; dst 10.0.0.0/8 off; dst fd00::/8 on; dst default on</pre>
 */
public final class SmcPolicy {
    /** Local port range {@code from..to} (inclusive). */
    public record PortRule(int from, int to, boolean enable) {
        public PortRule {
            if (from < 0 || to > 0xffff || from > to) {
                throw new IllegalArgumentException("bad port range " + from + "-" + to);
            }
        }

        boolean matches(int port) {
            return port >= from && port <= to;
        }

        @Override
        public String toString() {
            return (from == to ? Integer.toString(from) : from + "-" + to) + " " + (enable ? "on" : "off");
        }
    }

    /**
     * Destination prefix. IPv4 prefixes are kept as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d/96+n}),
     * the form the BPF program records every address in, so an IPv4 rule also matches IPv4-mapped
     * destinations of an IPv6 socket.
     */
    public record PrefixRule(byte[] mapped, int mappedPrefixLength, String text, boolean enable) {
        public PrefixRule {
            if (mapped.length != 16 || mappedPrefixLength < 0 || mappedPrefixLength > 128) {
                throw new IllegalArgumentException("bad prefix " + text);
            }
            mapped = mapped.clone();
        }

        @Override
        public byte[] mapped() {
            return mapped.clone();
        }

        /** Parses {@code 10.0.0.0/8} or {@code fd00::/8}; bits beyond the prefix must be zero. */
        public static PrefixRule parse(String cidr, boolean enable) {
            int slash = cidr.indexOf('/');
            String addr = slash < 0 ? cidr : cidr.substring(0, slash);
            InetAddress a;
            if (!addr.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("not an IP address literal: " + addr);
            }
            try {
                a = InetAddress.getByName(addr);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + addr, e);
            }
            boolean v4 = a instanceof Inet4Address;
            int len = slash < 0 ? (v4 ? 32 : 128) : Integer.parseInt(cidr.substring(slash + 1));
            if (len < 0 || len > (v4 ? 32 : 128)) {
                throw new IllegalArgumentException("bad prefix length in " + cidr);
            }
            byte[] m = SmcPolicy.mapped(a);
            int mlen = v4 ? 96 + len : len;
            for (int bit = mlen; bit < 128; bit++) {
                if ((m[bit >> 3] & (0x80 >> (bit & 7))) != 0) {
                    throw new IllegalArgumentException("host bits set beyond /" + len + " in " + cidr);
                }
            }
            return new PrefixRule(m, mlen, a.getHostAddress() + "/" + len, enable);
        }

        boolean matches(byte[] mappedAddress) {
            for (int bit = 0; bit < mappedPrefixLength; bit++) {
                int mask = 0x80 >> (bit & 7);
                if ((mapped[bit >> 3] & mask) != (mappedAddress[bit >> 3] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return text + " " + (enable ? "on" : "off");
        }
    }

    private final List<PortRule> portRules;
    private final boolean portDefault;
    private final List<PrefixRule> prefixRules;
    private final boolean prefixDefault;

    public SmcPolicy(List<PortRule> portRules, boolean portDefault, List<PrefixRule> prefixRules,
            boolean prefixDefault) {
        this.portRules = List.copyOf(portRules);
        this.portDefault = portDefault;
        this.prefixRules = List.copyOf(prefixRules);
        this.prefixDefault = prefixDefault;
        if (this.portRules.size() > 0xfffe || this.prefixRules.size() > 0xfffe) {
            throw new IllegalArgumentException("too many rules");
        }
    }

    /** No rules, both defaults on: every connection offers SMC. */
    public static SmcPolicy allowAll() {
        return new SmcPolicy(List.of(), true, List.of(), true);
    }

    /** Parses the text form described in the class comment. An empty string is {@link #allowAll()}. */
    public static SmcPolicy parse(String text) {
        List<PortRule> ports = new ArrayList<>();
        List<PrefixRule> prefixes = new ArrayList<>();
        boolean portDefault = true;
        boolean prefixDefault = true;
        for (String entry : text.split("[;,]")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            String[] w = e.split("\\s+");
            if (w.length != 3) {
                throw new IllegalArgumentException("policy entry '" + e + "': expected '<port|dst> <what> <on|off>'");
            }
            boolean on = switch (w[2].toLowerCase(Locale.ROOT)) {
                case "on", "enable", "smc" -> true;
                case "off", "disable", "tcp" -> false;
                default -> throw new IllegalArgumentException("policy entry '" + e + "': '" + w[2] + "' is not on/off");
            };
            switch (w[0].toLowerCase(Locale.ROOT)) {
                case "port" -> {
                    if (w[1].equals("default")) {
                        portDefault = on;
                    } else {
                        int dash = w[1].indexOf('-');
                        try {
                            int from = Integer.parseInt(dash < 0 ? w[1] : w[1].substring(0, dash));
                            int to = dash < 0 ? from : Integer.parseInt(w[1].substring(dash + 1));
                            ports.add(new PortRule(from, to, on));
                        } catch (NumberFormatException ex) {
                            throw new IllegalArgumentException("policy entry '" + e + "': bad port", ex);
                        }
                    }
                }
                case "dst" -> {
                    if (w[1].equals("default")) {
                        prefixDefault = on;
                    } else {
                        prefixes.add(PrefixRule.parse(w[1], on));
                    }
                }
                default -> throw new IllegalArgumentException("policy entry '" + e + "': unknown selector '" + w[0] + "'");
            }
        }
        return new SmcPolicy(ports, portDefault, prefixes, prefixDefault);
    }

    public List<PortRule> portRules() {
        return portRules;
    }

    public boolean portDefault() {
        return portDefault;
    }

    public List<PrefixRule> prefixRules() {
        return prefixRules;
    }

    public boolean prefixDefault() {
        return prefixDefault;
    }

    /** True when no rule can ever say off (the BPF program then carries no policy code). */
    public boolean isAllowAll() {
        return portDefault && prefixDefault && portRules.stream().allMatch(PortRule::enable)
                && prefixRules.stream().allMatch(PrefixRule::enable);
    }

    /** Java-side decision for a connection, same semantics as the generated BPF checks. */
    public PolicyDecision decide(SmcRole role, int localPort, InetAddress remote) {
        Objects.requireNonNull(role);
        int portIdx = portRuleIndex(localPort);
        int prefixIdx = role == SmcRole.CLIENT ? prefixRuleIndex(mapped(remote)) : -1;
        return explain(portIdx, prefixIdx);
    }

    /** 1-based index of the first port rule matching {@code port}, 0 when the default applies. */
    public int portRuleIndex(int port) {
        for (int i = 0; i < portRules.size(); i++) {
            if (portRules.get(i).matches(port)) {
                return i + 1;
            }
        }
        return 0;
    }

    /** 1-based index of the first prefix rule matching the (mapped) address, 0 for the default. */
    public int prefixRuleIndex(byte[] mappedAddress) {
        for (int i = 0; i < prefixRules.size(); i++) {
            if (prefixRules.get(i).matches(mappedAddress)) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * Rebuilds a decision from rule indexes (as recorded by the BPF program); {@code prefixIdx}
     * -1 means destination rules were not evaluated (server).
     */
    public PolicyDecision explain(int portIdx, int prefixIdx) {
        if (portIdx < 0 || portIdx > portRules.size() || prefixIdx < -1 || prefixIdx > prefixRules.size()) {
            throw new IllegalArgumentException("rule index out of range: port " + portIdx + ", dst " + prefixIdx);
        }
        boolean portOn = portIdx == 0 ? portDefault : portRules.get(portIdx - 1).enable();
        String portText = portIdx == 0 ? "port default (" + onOff(portDefault) + ")"
                : "port rule #" + portIdx + " (" + portRules.get(portIdx - 1) + ")";
        boolean on = portOn;
        String text = portText;
        if (prefixIdx >= 0) {
            boolean dstOn = prefixIdx == 0 ? prefixDefault : prefixRules.get(prefixIdx - 1).enable();
            on = portOn && dstOn;
            text += " AND " + (prefixIdx == 0 ? "dst default (" + onOff(prefixDefault) + ")"
                    : "dst rule #" + prefixIdx + " (" + prefixRules.get(prefixIdx - 1) + ")");
        }
        return new PolicyDecision(on, portIdx, prefixIdx, text + " -> " + onOff(on));
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    /** 16 bytes; IPv4 as {@code ::ffff:a.b.c.d} (how the BPF program keys and matches addresses). */
    public static byte[] mapped(InetAddress a) {
        byte[] raw = a.getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(raw, 0, m, 12, 4);
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (PortRule r : portRules) {
            sb.append("port ").append(r).append("; ");
        }
        sb.append("port default ").append(onOff(portDefault)).append("; ");
        for (PrefixRule r : prefixRules) {
            sb.append("dst ").append(r).append("; ");
        }
        return sb.append("dst default ").append(onOff(prefixDefault)).toString();
    }
}
