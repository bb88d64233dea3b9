package io.smcj.tools;

import io.smcj.protocol.Fields;
import io.smcj.protocol.Hex;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compares what tshark decoded for one SMC message with our {@link Fields} tree. Every tshark leaf
 * field (except {@code smc.reserved}, whose bytes our fields carry under their own names) must have
 * a field of ours at the same message offset with the same value. {@link #NAMES} maps Wireshark's
 * field names to ours: "name" or "a|b" (any of them), "&amp;0x80" takes bits of one of our numeric
 * fields (tshark shows flag bits, we show the flags byte), "@-12" moves the offset (tshark's IPv4
 * view of the last 4 bytes of a GID). For a list of values (EIDs, GIDs, rkeys, diagnoses) the k-th
 * occurrence of the tshark field is compared with the k-th element. Unmapped tshark fields match any
 * of our fields at that offset with an equal value and are listed in {@link Result#loose()}.
 * {@link #TSHARK_LAYOUT_BUGS} are fields Wireshark 4.0 places at the wrong offset: for them we check
 * only that tshark shows the bytes that are in the message at its offset.
 */
final class FieldComparison {
    private FieldComparison() {
    }

    /** One of our leaves with its dotted path; {@code index} >= 0 for an element of a list of values. */
    record Leaf(String path, String name, int offset, Object value, int index) {
    }

    record Result(int compared, List<String> mismatches, Set<String> loose, Set<String> tsharkBugs) {
        boolean ok() {
            return mismatches.isEmpty();
        }
    }

    static final Map<String, String> NAMES = new HashMap<>();

    /**
     * packet-smc.c (Wireshark 4.0) reads ADD LINK CONT without the two reserved bytes after
     * num_rkeys (the kernel's {@code struct smc_llc_msg_add_link_cont} has {@code reserved2[2]}), so its
     * rkey pairs start at offset 6 instead of 8 (and it labels the second pair's address "RTok1").
     */
    static final Set<String> TSHARK_LAYOUT_BUGS = Set.of(
            "smc.add.link.cont.rmb.RTok1.Rkey1", "smc.add.link.cont.rmb.RTok1.Rkey2", "smc.add.link.cont.rmb.RTok1.virt",
            "smc.add.link.cont.rmb.RTok2.Rkey1", "smc.add.link.cont.rmb.RTok2.Rkey2");

    private static void map(String ours, String... tshark) {
        for (String t : tshark) {
            NAMES.put(t, ours);
        }
    }

    static {
        // common
        map("type", "smc.clc_msg", "smc.llc_msg");
        map("length|len|length_v2", "smc.length");
        // CLC header (tshark labels the Accept/Confirm version bits with the Proposal's field names)
        map("version", "smc.proposal.smc.version", "smc.decline.smc.version");
        map("typev2", "smc.proposal.smcv2.type");
        map("typev1", "smc.proposal.smc.type", "smc.accept.smc.type", "smc.confirm.smc.type");
        map("first_contact", "smc.proposal.first.contact", "smc.accept.first.contact", "smc.confirm.first.contact");
        map("out_of_sync", "smc.decline.osync");
        map("id_for_peer", "smc.proposal.sender.client.peer.id", "smc.accept.sender.server.peer.id",
                "smc.confirm.sender.client.peer.id", "smc.sender.peer.id");
        map("gid", "smc.proposal.client.preferred.gid", "smc.accept.server.preferred.gid", "smc.client.gid",
                "smc.confirm.gid.list.entry");
        map("mac", "smc.proposal.client.preferred.mac", "smc.accept.server.preferred.mac", "smc.confirm.client.mac");
        // Proposal
        map("iparea_offset", "smc.proposal.smcv1_subnet_ext_offset");
        // SMC-D area (ism_gid, ism_chid) and SMC-Dv2 extension entries (gid, chid) share tshark's names
        map("ism_gid|gid", "smc.proposal.ism.gid");
        map("ism_chid|chid", "smc.proposal.smc.chid");
        map("system_eid", "smc.proposal.system.eid");
        map("v2_ext_offset", "smc.proposal.smcv2_ext_offset");
        map("smcd_v2_ext_offset", "smc.proposal.smcdv2_ext_offset");
        map("outgoing_subnet", "smc.outgoing.interface.subnet.mask");
        map("prefix_len", "smc.outgoing.interface.subnet.mask.number.of.significant.bits",
                "smc.proposal.ipv6.prefix.length");
        map("ipv6_prefixes_cnt", "smc.proposal.ipv6.prefix.count");
        map("prefix", "smc.proposal.ipv6.prefix.value");
        map("eid_cnt", "smc.proposal.eid.count");
        map("ism_gid_cnt", "smc.proposal.ismv2_gid_count");
        map("release", "smc.proposal.smc.version.relnum", "smc.accept.smc.version.relnum",
                "smc.confirm.smc.version.relnum");
        map("seid", "smc.proposal.smc.seid");
        map("roce", "smc.proposal.rocev2.gid.ipv6");
        map("roce@-12", "smc.proposal.rocev2.gid.ipv4");
        map("user_eids", "smc.proposal.eid");
        // Accept / Confirm
        map("qpn", "smc.accept.server.qp.number", "smc.confirm.client.qp.number");
        map("rmb_rkey", "smc.accept.server.rmb.rkey", "smc.confirm.client.rmb.rkey");
        map("rmbe_idx", "smc.accept.server.tcp.conn.index", "smc.confirm.client.tcp.conn.index");
        map("rmbe_alert_token", "smc.accept.server.rmb.element.alert.token", "smc.client.rmb.element.alert.token");
        map("rmbe_size", "smc.accept.rmb.buffer.size", "smc.confirm.rmb.buffer.size");
        map("qp_mtu", "smc.accept.qp.mtu.value", "smc.confirm.qp.mtu.value", "smc.add.link.qp.mtu.value");
        map("rmb_dma_addr", "smc.accept.server.rmb.virtual.address", "smc.client.rmb.virtual.address");
        map("psn", "smc.accept.initial.psn", "smc.initial.psn");
        map("eid", "smc.accept.eid", "smc.confirm.eid");
        map("v2_direct", "smc.accept.v2_lg.type");
        map("os_type", "smc.accept.os.type", "smc.confirm.os.type", "smc.decline.os.type");
        map("hostname", "smc.accept.peer.host.name", "smc.confirm.peer.host.name");
        map("gid_cnt", "smc.confirm.gid.list.entry_count");
        // Decline
        map("peer_diagnosis|peer_diagnosis_v2", "smc.peer.diag.info");
        // LLC: tshark shows flag bits, we show the flags byte
        map("flags&0x80", "smc.confirm.link.response", "smc.add.link.response", "smc.add.link.cont.response",
                "smc.delete.link.response", "smc.confirm.rkey.response", "smc.delete.rkey.response",
                "smc.test.link.response", "smc.request.add.link.response");
        map("flags&0x40", "smc.add.link.response.rejected", "smc.delete.link.all", "smc.request.add.link.response.rejected");
        map("flags&0x20", "smc.delete.link.orderly", "smc.confirm.rkey.negative.response",
                "smc.delete.rkey.negative.response");
        map("flags&0x10", "smc.confirm.rkey.retry.rkey.set");
        map("add_link_rej_rsn", "smc.add.link.response.reject_reason");
        map("sender_mac", "smc.confirm.link.sender.mac", "smc.add.link.sender.mac");
        map("sender_gid", "smc.sender.gid", "smc.add.link.sender.gid");
        map("sender_qp_num", "smc.confirm.link.sender.qp.number", "smc.add.link.sender.qp.number");
        map("link_num", "smc.confirm.link.number", "smc.add.link.link.number", "smc.add.link.cont.link.number",
                "smc.delete.link.number");
        map("link_uid", "smc.confirm.link.sender.link.userid");
        map("max_links", "smc.confirm.link.max.links");
        map("initial_psn", "smc.add.link.initial.psn");
        map("num_rkeys", "smc.add.link.cont.rkey.number", "smc.confirm.rkey.number.qp", "smc.delete.rkey.count");
        map("reason", "smc.delete.link.reason.code");
        map("rmb_key", "smc.confirm.rkey.new.rkey");
        map("rmb_vaddr", "smc.confirm.rkey.new.virt");
        map("link_id", "smc.confirm.rkey.link.number");
        map("err_mask", "smc.delete.rkey.error.mask");
        map("rkey", "smc.delete.rkey.deleted");
        // CDC (struct smc_cdc_msg); tshark names the consumer cursor with the producer's field names
        map("seqno", "smc.rmbe.ctrl.seqno");
        map("token", "smc.rmbe.ctrl.alert.token");
        map("wrap", "smc.rmbe.ctrl.prod.wrap.seq");
        map("count", "smc.rmbe.ctrl.peer.prod.curs");
        map("write_blocked", "smc.rmbe.ctrl.write.blocked");
        map("urg_data_pending", "smc.rmbe.ctrl.urgent.pending");
        map("urg_data_present", "smc.rmbe.ctrl.urgent.present");
        map("cons_curs_upd_req", "smc.rmbe.ctrl.cons.update.requested");
        map("failover_validation", "smc.rmbe.ctrl.failover.validation");
        map("peer_done_writing", "smc.rmbe.ctrl.peer.sending.done");
        map("peer_conn_closed", "smc.rmbe.ctrl.peer.closed.conn");
        map("peer_conn_abort", "smc.rmbe.ctrl.peer.abnormal.close");
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
                        out.add(new Leaf(path + "[" + i + "]", x.name(), x.offset(), o, i));
                    }
                    i++;
                }
            } else {
                out.add(new Leaf(path, x.name(), x.offset(), x.value(), -1));
            }
        }
    }

    /** Compares tshark's view of {@code message} with our {@code ours}. */
    static Result compare(Tshark.Pdu pdu, Fields ours, byte[] message) {
        List<Leaf> leaves = leaves(ours);
        List<String> mismatches = new ArrayList<>();
        Set<String> loose = new LinkedHashSet<>();
        Set<String> bugs = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        int compared = 0;
        for (Tshark.Field t : pdu.fields()) {
            if (t.name().equals("smc.reserved")) {
                continue;
            }
            compared++;
            int occurrence = seen.merge(t.name(), 1, Integer::sum) - 1;
            if (TSHARK_LAYOUT_BUGS.contains(t.name())) {
                bugs.add(t.name());
                String raw = t.offset() + t.size() <= message.length
                        ? Hex.of(Arrays.copyOfRange(message, t.offset(), t.offset() + t.size())) : "(beyond the message)";
                if (!raw.equalsIgnoreCase(t.value())) {
                    mismatches.add(String.format("%s at offset %d: tshark shows bytes %s, the message has %s",
                            t.name(), t.offset(), t.value(), raw));
                }
                continue;
            }
            String mapped = NAMES.get(t.name());
            Set<String> names = new LinkedHashSet<>();
            String mask = null;
            int delta = 0;
            if (mapped != null) {
                String m = mapped;
                int at = m.indexOf('@');
                if (at >= 0) {
                    delta = Integer.parseInt(m.substring(at + 1));
                    m = m.substring(0, at);
                }
                int amp = m.indexOf('&');
                if (amp >= 0) {
                    mask = m.substring(amp + 1);
                    m = m.substring(0, amp);
                }
                names.addAll(List.of(m.split("\\|")));
            } else {
                loose.add(t.name());
            }
            int off = t.offset() + delta;
            List<Leaf> cands = new ArrayList<>();
            for (Leaf l : leaves) {
                boolean nameOk = names.isEmpty() || names.contains(l.name()) || names.contains(l.path());
                if (!nameOk) {
                    continue;
                }
                if (l.index() < 0) {
                    if (l.offset() == off) {
                        cands.add(l);
                    }
                } else if (l.offset() <= off && l.index() == occurrenceFrom(pdu, t, l.offset(), occurrence)) {
                    cands.add(l); // k-th element of a list of values: the k-th tshark field from the list's offset on
                }
            }
            if (cands.isEmpty()) {
                mismatches.add(String.format("%s at offset %d = '%s': we have no %sfield there", t.name(), t.offset(),
                        t.show(), names.isEmpty() ? "" : names + " "));
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
        return new Result(compared, mismatches, loose, bugs);
    }

    /** How many fields named like {@code t} tshark shows between {@code listOffset} and {@code t}. */
    private static int occurrenceFrom(Tshark.Pdu pdu, Tshark.Field t, int listOffset, int occurrence) {
        int k = 0;
        int n = 0;
        for (Tshark.Field f : pdu.fields()) {
            if (!f.name().equals(t.name())) {
                continue;
            }
            if (n++ == occurrence) {
                return k;
            }
            if (f.offset() >= listOffset) {
                k++;
            }
        }
        return k;
    }

    static boolean equal(Tshark.Field t, Object ours, String mask) {
        String show = t.show().strip();
        if (ours == null) {
            return false;
        }
        if (mask != null) {
            if (!(ours instanceof Number n)) {
                return false;
            }
            long m = Long.decode(mask);
            long v = (n.longValue() & m) >>> Long.numberOfTrailingZeros(m);
            Long tv = numeric(show);
            return tv != null && tv == v;
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
            // ours printed as text, e.g. a peer id "5d3b:52:54:00:99:00:01" or an rkey "0x0000039b"
            String hex = s.replaceAll("(?i)^0x", "").replaceAll("[^0-9a-fA-F]", "");
            if (!hex.isEmpty() && hex.length() <= 16) {
                try {
                    return Long.parseUnsignedLong(hex, 16) == tv;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            return false;
        }
        if ((show.contains(":") || show.contains(".")) && (s.contains(":") || s.contains("."))
                && show.matches("[0-9a-fA-F:.]+") && s.matches("[0-9a-fA-F:.]+")) {
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
