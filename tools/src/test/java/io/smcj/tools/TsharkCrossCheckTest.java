package io.smcj.tools;

import io.smcj.cdc.CdcCodec;
import io.smcj.cdc.CdcCursor;
import io.smcj.cdc.CdcMessage;
import io.smcj.cdc.ConnStateFlags;
import io.smcj.cdc.ProducerFlags;
import io.smcj.protocol.AlertToken;
import io.smcj.protocol.Described;
import io.smcj.protocol.pcap.PcapWriter;
import io.smcj.protocol.pcap.SmcCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An independent decoder agrees with us: messages we encode are written into a pcap (CLC in a TCP
 * stream, LLC and CDC in RoCEv2 SENDs) and dissected by Wireshark's tshark; every field tshark prints
 * for the SMC message must equal the field of ours at the same offset. The kernel captures in
 * fixtures/ are checked the same way (kernel bytes: our decoder vs tshark).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TsharkCrossCheckTest {
    static final PcapWriter.Host CLIENT = PcapWriter.Host.of("52:54:00:00:00:02", "10.0.0.2");
    static final PcapWriter.Host SERVER = PcapWriter.Host.of("52:54:00:00:00:01", "10.0.0.1");

    @BeforeAll
    static void needTshark() {
        assumeTrue(Tshark.available(), () -> Tshark.skip("tshark not installed (apt package tshark, listed in "
                + "scripts/test-packages.txt): the cross-check of our codecs against Wireshark is skipped"));
    }

    static Path root() {
        return Path.of(System.getProperty("smcj.root.dir", ".."));
    }

    /** Per message: what tshark made of it. */
    record Checked(int frame, String ourName, Tshark.Pdu pdu, FieldComparison.Result result,
                   io.smcj.protocol.Fields fields) {
    }

    /** Writes {@code sends} as RoCEv2 SENDs and {@code clc} into one TCP connection, then compares. */
    static List<Checked> crossCheck(Path dir, List<byte[]> clcClientServer, List<byte[]> sends) throws Exception {
        PcapWriter w = new PcapWriter();
        Map<Integer, byte[]> byFrame = new LinkedHashMap<>();
        if (!clcClientServer.isEmpty()) {
            PcapWriter.TcpConnection c = w.tcpConnect(CLIENT, 40001, SERVER, 12345, true);
            boolean fromClient = true;
            for (byte[] m : clcClientServer) {
                byFrame.put(fromClient ? c.clientSends(m) : c.serverSends(m), m);
                fromClient = !fromClient;
            }
        }
        int psn = 100;
        for (byte[] m : sends) {
            byFrame.put(w.roceSend(SERVER, CLIENT, 0x11, psn++, m), m);
        }
        Path file = dir.resolve("ours.pcap");
        w.write(file);
        return check(file, byFrame);
    }

    static List<Checked> check(Path pcap, Map<Integer, byte[]> byFrame) throws Exception {
        Map<Integer, List<Tshark.Pdu>> pdus = new TreeMap<>();
        for (Tshark.Pdu p : Tshark.smcPdus(pcap)) {
            pdus.computeIfAbsent(p.frame(), k -> new ArrayList<>()).add(p);
        }
        List<Checked> out = new ArrayList<>();
        for (Map.Entry<Integer, byte[]> e : byFrame.entrySet()) {
            Described d = SmcMessages.decode(e.getValue());
            List<Tshark.Pdu> ps = pdus.getOrDefault(e.getKey(), List.of());
            if (ps.isEmpty()) {
                out.add(new Checked(e.getKey(), d.messageName(), null, null, d.describe()));
                continue;
            }
            Tshark.Pdu p = ps.remove(0);
            out.add(new Checked(e.getKey(), d.messageName(), p, FieldComparison.compare(p, d.describe(), e.getValue()),
                    d.describe()));
        }
        return out;
    }

    static void assertAllDecodedAndEqual(List<Checked> checked) {
        StringBuilder problems = new StringBuilder();
        for (Checked c : checked) {
            if (c.pdu() == null) {
                problems.append("frame ").append(c.frame()).append(" (").append(c.ourName())
                        .append("): tshark did not decode it as SMC\n");
            } else if (!c.result().ok()) {
                problems.append("frame ").append(c.frame()).append(" (").append(c.ourName()).append("):\n");
                c.result().mismatches().forEach(m -> problems.append("  ").append(m).append('\n'));
            } else {
                assertTrue(c.result().compared() > 0, "no tshark fields in frame " + c.frame());
            }
        }
        if (problems.length() > 0) {
            fail("tshark disagrees:\n" + problems);
        }
    }

    // ------------------------------------------------------------------------------------ CDC

    static List<byte[]> cdcSamples() {
        List<byte[]> out = new ArrayList<>();
        AlertToken tok = new AlertToken(0x01020304);
        byte[] res = new byte[CdcMessage.RESERVED_LENGTH];
        out.add(CdcCodec.encode(new CdcMessage(1, new AlertToken(1), new CdcCursor(0, 0, 4096), new CdcCursor(0, 0, 0),
                ProducerFlags.NONE, ConnStateFlags.NONE, res)));
        out.add(CdcCodec.encode(new CdcMessage(0xFFFF, tok, new CdcCursor(0, 0xFFFF, 0xFFFFFFFFL),
                new CdcCursor(0, 0x1234, 65535), ProducerFlags.NONE, ConnStateFlags.NONE, res)));
        for (int bit : new int[] {0x80, 0x40, 0x20, 0x10, 0x08}) {
            out.add(CdcCodec.encode(new CdcMessage(7, tok, new CdcCursor(0, 3, 100), new CdcCursor(0, 2, 200),
                    new ProducerFlags(bit), ConnStateFlags.NONE, res)));
        }
        for (int bit : new int[] {0x80, 0x40, 0x20, 0xc0, 0xe0}) {
            out.add(CdcCodec.encode(new CdcMessage(8, tok, new CdcCursor(0, 1, 1), new CdcCursor(0, 1, 2),
                    new ProducerFlags(0xf8), new ConnStateFlags(bit), res)));
        }
        return out;
    }

    @Test
    void cdcMessagesWeEncodeShouldBeDecodedIdenticallyByTshark(@TempDir Path dir) throws Exception {
        List<Checked> c = crossCheck(dir, List.of(), cdcSamples());
        assertEquals(cdcSamples().size(), c.size());
        assertAllDecodedAndEqual(c);
        // the flags really were compared (not only matched loosely)
        Tshark.Pdu p = c.get(2).pdu();
        assertEquals("1", p.first("smc.rmbe.ctrl.write.blocked").show());
    }

    // ------------------------------------------------------------------------------------ CLC

    @Test
    void clcMessagesWeEncodeShouldBeDecodedIdenticallyByTshark(@TempDir Path dir) throws Exception {
        List<byte[]> clc = Samples.clc().stream().map(Samples::bytes).toList();
        List<Checked> c = crossCheck(dir, clc, List.of());
        assertEquals(clc.size(), c.size());
        assertAllDecodedAndEqual(c);
        assertNoLooseMatches(c);
    }

    /** Every tshark field was compared with a field of ours chosen by name (not only by offset and value). */
    static void assertNoLooseMatches(List<Checked> checked) {
        java.util.Set<String> loose = new java.util.TreeSet<>();
        checked.forEach(c -> loose.addAll(c.result().loose()));
        assertTrue(loose.isEmpty(), "tshark fields without a name mapping: " + loose);
    }

    /** Our leaf fields (not reserved, not header bookkeeping) at offsets where tshark shows no named field. */
    static java.util.Set<String> notShownByTshark(Checked c) {
        java.util.Set<Integer> shown = new java.util.HashSet<>();
        for (Tshark.Field f : c.pdu().fields()) {
            if (!f.name().equals("smc.reserved")) {
                for (int i = 0; i < Math.max(1, f.size()); i++) {
                    shown.add(f.offset() + i);
                }
            }
        }
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (FieldComparison.Leaf l : FieldComparison.leaves(ourFields(c))) {
            if (l.offset() >= 0 && !l.name().startsWith("reserved") && !shown.contains(l.offset())) {
                out.add(c.ourName() + ": " + l.path().replaceAll("\\[\\d+\\]", "[]"));
            }
        }
        return out;
    }

    private static io.smcj.protocol.Fields ourFields(Checked c) {
        return c.fields();
    }

    /**
     * What tools/README.md says Wireshark 4.0 does not show, checked per message: the v2.1 fields
     * (Proposal v2 extension and first-contact extension max_conns / max_links / feature_mask, FCE
     * vendor options, CONFIRM LINK max_conns) and the TEST LINK user data sit at offsets where tshark
     * shows nothing or only "Reserved". (The full list, including fields tshark omits only in some
     * variants, is printed.)
     */
    @Test
    void fieldsTshark40DoesNotShowAreTheDocumentedOnes(@TempDir Path dir) throws Exception {
        assumeTrue(Tshark.version().startsWith("4.0."), () -> Tshark.skip("tshark " + Tshark.version()
                + " is not 4.0: the documented gaps are those of 4.0"));
        List<byte[]> clc = Samples.clc().stream().map(Samples::bytes).toList();
        List<byte[]> sends = new ArrayList<>(Samples.llcV1().stream().map(Samples::bytes).toList());
        sends.addAll(cdcSamples());
        java.util.Set<String> all = new java.util.TreeSet<>();
        int checkedFce = 0;
        int checkedV2Ext = 0;
        int checkedOther = 0;
        for (Checked c : crossCheck(dir, clc, sends)) {
            java.util.Set<String> gaps = notShownByTshark(c);
            all.addAll(gaps);
            java.util.Set<String> paths = new java.util.HashSet<>();
            FieldComparison.leaves(c.fields()).forEach(l -> paths.add(l.path()));
            List<String> expected = new ArrayList<>();
            if (paths.contains("first_contact_ext.max_conns")) {
                expected.addAll(List.of("first_contact_ext.max_conns", "first_contact_ext.max_links",
                        "first_contact_ext.feature_mask", "first_contact_ext.vendor_exp_options"));
                checkedFce++;
            }
            if (paths.contains("v2_extension.max_conns")) {
                expected.addAll(List.of("v2_extension.max_conns", "v2_extension.max_links", "v2_extension.feature_mask"));
                checkedV2Ext++;
            }
            if (c.ourName().equals("LLC CONFIRM LINK")) {
                expected.add("max_conns");
                checkedOther++;
            }
            if (c.ourName().equals("LLC TEST LINK")) {
                expected.add("user_data");
                checkedOther++;
            }
            for (String e : expected) {
                assertTrue(gaps.contains(c.ourName() + ": " + e), c.ourName() + " frame " + c.frame()
                        + ": tshark shows " + e + " after all: update tools/README.md");
            }
        }
        System.out.println("fields of ours at offsets where tshark 4.0 shows nothing (or Reserved), some only in "
                + "some variants:\n  " + String.join("\n  ", all));
        assertTrue(checkedFce >= 3 && checkedV2Ext >= 2 && checkedOther >= 4,
                checkedFce + " " + checkedV2Ext + " " + checkedOther);
    }

    // ------------------------------------------------------------------------------------ LLC

    @Test
    void llcV1MessagesWeEncodeShouldBeDecodedIdenticallyByTshark(@TempDir Path dir) throws Exception {
        List<byte[]> llc = Samples.llcV1().stream().map(Samples::bytes).toList();
        List<Checked> c = crossCheck(dir, List.of(), llc);
        assertEquals(llc.size(), c.size());
        assertAllDecodedAndEqual(c);
        assertNoLooseMatches(c);
        // ADD LINK CONT: Wireshark 4.0 misplaces the rkey pairs; only their bytes were checked
        assertTrue(c.stream().anyMatch(x -> !x.result().tsharkBugs().isEmpty()), "ADD LINK CONT sample present");
    }

    /**
     * Wireshark 4.0 has no SMC-Rv2 LLC dissector (tools/README.md): with 4.0.x we check that it indeed
     * decodes none of them (so the README stays true); with any other version whatever it decodes must
     * equal our fields.
     */
    @Test
    void llcV2MessagesAreDocumentedAsNotDecodedByTshark40(@TempDir Path dir) throws Exception {
        List<byte[]> llc = Samples.llcV2().stream().map(Samples::bytes).toList();
        List<Checked> c = crossCheck(dir, List.of(), llc);
        assertEquals(llc.size(), c.size());
        boolean v40 = Tshark.version().startsWith("4.0.");
        for (Checked x : c) {
            if (v40) {
                assertEquals(null, x.pdu(), "tshark 4.0 decodes " + x.ourName() + " v2: update tools/README.md");
            } else if (x.pdu() != null) {
                assertTrue(x.result().ok(), x.ourName() + ": " + x.result().mismatches());
            }
        }
    }

    // ------------------------------------------------------------------------- kernel fixtures

    /**
     * tshark cannot read the kernel's LLC v2 messages, but their first 44 bytes have the v1 body
     * layout. Re-framed as v1 (type nibble, length byte 44, byte 2 = 0), every kernel LLC message is
     * decoded by tshark and by us; the fields must agree, and our v2 decoding of the original must
     * give the same body fields as our v1 decoding of the re-framed copy.
     */
    @Test
    void kernelLlcBodiesReframedAsV1DecodeLikeTshark(@TempDir Path dir) throws Exception {
        List<byte[]> reframed = new ArrayList<>();
        StringBuilder differ = new StringBuilder();
        for (Path pcap : fixtures()) {
            for (SmcCapture.Message m : SmcCapture.messages(pcap)) {
                int b0 = m.firstByte();
                if (b0 < 0x21 || b0 > 0x29 || m.bytes().length < 44) {
                    continue;
                }
                byte[] v1 = java.util.Arrays.copyOf(m.bytes(), 44);
                v1[0] = (byte) (b0 & 0x0f);
                v1[1] = 44;
                v1[2] = 0;
                reframed.add(v1);
                List<FieldComparison.Leaf> a = body(SmcMessages.decode(m.bytes()).describe());
                List<FieldComparison.Leaf> b = body(SmcMessages.decode(v1).describe());
                for (FieldComparison.Leaf l : b) {
                    // same offset and value (names may differ: v2 DELETE RKEY byte 5 is num_inval_rkeys, v1 err_mask)
                    boolean same = a.stream().anyMatch(x -> x.offset() == l.offset() && x.index() == l.index()
                            && String.valueOf(x.value()).equals(String.valueOf(l.value())));
                    if (!same) {
                        differ.append(pcap.getFileName()).append(" frame ").append(m.frameNumber()).append(": ")
                                .append(l.path()).append('=').append(l.value()).append(" only in the v1 decoding\n");
                    }
                }
            }
        }
        assertTrue(reframed.size() >= 50, "kernel LLC messages: " + reframed.size());
        assertEquals("", differ.toString());
        List<Checked> c = crossCheck(dir, List.of(), reframed);
        assertAllDecodedAndEqual(c);
        assertNoLooseMatches(c);
    }

    /** Our leaves behind the 4-byte LLC header and inside the first 44 bytes. */
    private static List<FieldComparison.Leaf> body(io.smcj.protocol.Fields f) {
        return FieldComparison.leaves(f).stream().filter(l -> l.offset() >= 4 && l.offset() < 44).toList();
    }

    static List<Path> fixtures() throws Exception {
        try (Stream<Path> s = Files.walk(root().resolve("fixtures"))) {
            return s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
    }

    /** Kind label for the coverage table: "CLC type 2 v2", "LLC 0x21", "CDC". */
    static String label(byte[] m) {
        int b0 = m[0] & 0xff;
        if (b0 == 0xE2) {
            return String.format("CLC type %d v%d", m[4], (m[7] & 0xf0) >> 4);
        }
        if (b0 == 0xFE) {
            return "CDC";
        }
        return String.format("LLC 0x%02x", b0);
    }

    @Test
    void kernelCapturesShouldBeDecodedByUsLikeTshark() throws Exception {
        Map<String, int[]> coverage = new TreeMap<>(); // label -> {seen, tshark decoded, fields compared}
        StringBuilder problems = new StringBuilder();
        for (Path pcap : fixtures()) {
            Map<Integer, byte[]> byFrame = new LinkedHashMap<>();
            Map<Integer, List<Tshark.Pdu>> pdus = new TreeMap<>();
            for (Tshark.Pdu p : Tshark.smcPdus(pcap)) {
                pdus.computeIfAbsent(p.frame(), k -> new ArrayList<>()).add(p);
            }
            for (SmcCapture.Message m : SmcCapture.messages(pcap)) {
                int[] cov = coverage.computeIfAbsent(label(m.bytes()), k -> new int[3]);
                cov[0]++;
                List<Tshark.Pdu> ps = pdus.getOrDefault(m.frameNumber(), List.of());
                if (ps.isEmpty()) {
                    continue;
                }
                Tshark.Pdu p = ps.remove(0);
                cov[1]++;
                Described d;
                try {
                    d = SmcMessages.decode(m.bytes());
                } catch (Exception e) {
                    problems.append(pcap.getFileName()).append(" frame ").append(m.frameNumber())
                            .append(": we reject what tshark decodes: ").append(e.getMessage()).append('\n');
                    continue;
                }
                FieldComparison.Result r = FieldComparison.compare(p, d.describe(), m.bytes());
                cov[2] += r.compared();
                for (String mm : r.mismatches()) {
                    problems.append(pcap.getFileName()).append(" frame ").append(m.frameNumber()).append(' ')
                            .append(d.messageName()).append(": ").append(mm).append('\n');
                }
            }
        }
        StringBuilder table = new StringBuilder("kernel fixtures: message | seen | decoded by tshark | fields compared\n");
        coverage.forEach((k, v) -> table.append(String.format("  %-16s %4d %4d %5d%n", k, v[0], v[1], v[2])));
        System.out.print(table);
        Files.createDirectories(root().resolve("tools/target"));
        Files.writeString(root().resolve("tools/target/tshark-fixture-coverage.txt"), table);
        if (problems.length() > 0) {
            fail("our decoding of kernel bytes differs from tshark's:\n" + problems);
        }
        // tshark 4.0 decodes every CLC message and every CDC of the kernel captures (the LLC messages
        // there are all v2 framed, which it does not decode: see tools/README.md)
        coverage.forEach((k, v) -> {
            if (k.startsWith("CLC") || k.equals("CDC")) {
                assertEquals(v[0], v[1], "tshark decoded every " + k + " of the kernel captures");
                assertTrue(v[2] > 0, "fields compared for " + k);
            }
        });
        assertTrue(coverage.get("CDC")[1] > 0, "tshark decoded the kernel's CDCs");
    }
}
