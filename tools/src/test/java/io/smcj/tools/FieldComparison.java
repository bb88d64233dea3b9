package io.smcj.tools;

import io.smcj.protocol.Fields;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compares what tshark decoded for one SMC message with our {@link Fields} tree. Every tshark
 * leaf field (except {@code smc.reserved}) must have a field of ours at the same message offset
 * with the same value. {@link #NAMES} maps tshark names to our field names where a byte holds
 * several fields (flag bits, nibbles); unmapped tshark fields match any of our fields at that
 * offset with an equal value, and are listed in {@link Result#loose()}.
 */
final class FieldComparison {
    private FieldComparison() {
    }

    /** One of our leaves with its dotted path. */
    record Leaf(String path, String name, int offset, Object value) {
    }

    record Result(int compared, List<String> mismatches, Set<String> loose) {
        boolean ok() {
            return mismatches.isEmpty();
        }
    }

    /**
     * tshark field -> our field names (any of them, at the tshark offset), optionally "&mask" to
     * take bits of one of our bytes. Filled from Wireshark 4.0's packet-smc.c names.
     */
    static final Map<String, String> NAMES = new HashMap<>();

    static {
        // CDC (struct smc_cdc_msg); tshark names the consumer cursor with the producer's field names
        NAMES.put("smc.rmbe.ctrl.seqno", "seqno");
        NAMES.put("smc.rmbe.ctrl.alert.token", "token");
        NAMES.put("smc.rmbe.ctrl.prod.wrap.seq", "wrap");
        NAMES.put("smc.rmbe.ctrl.peer.prod.curs", "count");
        NAMES.put("smc.rmbe.ctrl.write.blocked", "write_blocked");
        NAMES.put("smc.rmbe.ctrl.urgent.pending", "urg_data_pending");
        NAMES.put("smc.rmbe.ctrl.urgent.present", "urg_data_present");
        NAMES.put("smc.rmbe.ctrl.cons.update.requested", "cons_curs_upd_req");
        NAMES.put("smc.rmbe.ctrl.failover.validation", "failover_validation");
        NAMES.put("smc.rmbe.ctrl.peer.sending.done", "peer_done_writing");
        NAMES.put("smc.rmbe.ctrl.peer.closed.conn", "peer_conn_closed");
        NAMES.put("smc.rmbe.ctrl.peer.abnormal.close", "peer_conn_abort");
        NAMES.put("smc.llc_msg", "type");
    }

    static List<Leaf> leaves(Fields f) {
        List<Leaf> out = new ArrayList<>();
        flatten(f, "", out);
        return out;
    }

    private static void flatten(Fields f, String prefix, List<Leaf> out) {
        for (Fields.Field x : f.list()) {
            String path = prefix + x.name();
            if (x.value() instanceof Fields nested) {
                flatten(nested, path + ".", out);
            } else if (x.value() instanceof List<?> l) {
                int i = 0;
                for (Object o : l) {
                    if (o instanceof Fields nf) {
                        flatten(nf, path + "[" + i + "].", out);
                    } else {
                        out.add(new Leaf(path + "[" + i + "]", x.name(), x.offset(), o));
                    }
                    i++;
                }
            } else {
                out.add(new Leaf(path, x.name(), x.offset(), x.value()));
            }
        }
    }

    static Result compare(Tshark.Pdu pdu, Fields ours) {
        List<Leaf> leaves = leaves(ours);
        List<String> mismatches = new ArrayList<>();
        Set<String> loose = new LinkedHashSet<>();
        int compared = 0;
        Map<String, Integer> listUse = new HashMap<>();
        for (Tshark.Field t : pdu.fields()) {
            if (t.name().equals("smc.reserved")) {
                continue;
            }
            compared++;
            String mapped = NAMES.get(t.name());
            List<Leaf> cands = new ArrayList<>();
            List<Leaf> listCands = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>();
            String mask = null;
            if (mapped != null) {
                String m = mapped;
                int amp = m.indexOf('&');
                if (amp >= 0) {
                    mask = m.substring(amp + 1);
                    m = m.substring(0, amp);
                }
                names.addAll(List.of(m.split("\\|")));
            } else {
                loose.add(t.name());
            }
            for (Leaf l : leaves) {
                boolean nameOk = names.isEmpty() || names.contains(l.name()) || names.contains(l.path());
                if (!nameOk) {
                    continue;
                }
                if (l.offset() == t.offset()) {
                    cands.add(l);
                } else if (l.path().endsWith("]") && !names.isEmpty()) {
                    listCands.add(l); // element of a list of values: offsets per element unknown
                }
            }
            if (cands.isEmpty() && !listCands.isEmpty()) {
                // k-th occurrence of the tshark field = k-th element of our list
                int k = listUse.merge(t.name(), 1, Integer::sum) - 1;
                if (k < listCands.size()) {
                    cands.add(listCands.get(k));
                }
            }
            if (cands.isEmpty()) {
                mismatches.add(String.format("%s at offset %d = '%s': we have no %sfield at that offset", t.name(),
                        t.offset(), t.show(), names.isEmpty() ? "" : names + " "));
                continue;
            }
            boolean ok = false;
            for (Leaf l : cands) {
                if (equal(t, l.value(), mask)) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                StringBuilder sb = new StringBuilder();
                for (Leaf l : cands) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(l.path()).append('=').append(l.value());
                }
                mismatches.add(String.format("%s at offset %d: tshark '%s', ours %s", t.name(), t.offset(),
                        t.show(), sb));
            }
        }
        return new Result(compared, mismatches, loose);
    }

    static boolean equal(Tshark.Field t, Object ours, String mask) {
        String show = t.show().strip();
        if (ours == null) {
            return false;
        }
        if (mask != null && ours instanceof Number n) {
            long m = Long.decode(mask);
            long v = (n.longValue() & m) >>> Long.numberOfTrailingZeros(m);
            return numeric(show) != null && numeric(show) == v;
        }
        if (ours instanceof Boolean b) {
            return show.equals(b ? "1" : "0") || show.equalsIgnoreCase(b.toString());
        }
        if (ours instanceof Number n) {
            Long v = numeric(show);
            return v != null && v == n.longValue();
        }
        String s = ours.toString().strip();
        if (s.equalsIgnoreCase(show)) {
            return true;
        }
        if (show.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) { // MAC
            return s.equalsIgnoreCase(show);
        }
        Long tv = numeric(show);
        if (tv != null) {
            String hex = s.replaceAll("(?i)^0x|[^0-9a-fA-F]", "");
            if (!hex.isEmpty() && hex.length() <= 16) {
                try {
                    return Long.parseUnsignedLong(hex, 16) == tv;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            return false;
        }
        if ((show.contains(":") || show.contains(".")) && (s.contains(":") || s.contains("."))) {
            try {
                return InetAddress.getByName(show).equals(InetAddress.getByName(s));
            } catch (Exception e) {
                return false;
            }
        }
        return false;
    }

    /** tshark's displayed integer: "0x..." hex or decimal; null if not a number. */
    static Long numeric(String show) {
        try {
            String s = show.strip().toLowerCase(Locale.ROOT);
            if (s.startsWith("0x")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
