package io.smcj.tools;

import io.smcj.protocol.MiniJson;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DecodeCommandTest {
    /** The kernel's last CDC of the 6.1 capture, frame 41: seqno 3, prod 4096, cons 4104, closed. */
    static final String KERNEL_CDC = "fe2c0003000000010000000000001000000000000000100800c0"
            + "000000000000000000000000000000000000";

    record Run(int rc, String out, String err) {
    }

    static Run run(String stdin, String... args) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = new DecodeCommand().run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void cdcGoldenText() throws Exception {
        Run r = run("", KERNEL_CDC);
        assertEquals(0, r.rc(), r.err());
        assertEquals("""
                CDC (44 bytes)
                  type: 254  (0xfe SMC_CDC_MSG_TYPE)
                  len: 44
                  seqno: 3
                  token: 1  (0x00000001)
                  prod:
                    reserved: 0
                    wrap: 0
                    count: 4096
                  cons:
                    reserved: 0
                    wrap: 0
                    count: 4104
                  prod_flags: 0  (0x0 [])
                  write_blocked: false
                  urg_data_pending: false
                  urg_data_present: false
                  cons_curs_upd_req: false
                  failover_validation: false
                  conn_state_flags: 192  (0xc0 [peer_done_writing peer_conn_closed])
                  peer_done_writing: true
                  peer_conn_closed: true
                  peer_conn_abort: false
                  reserved: 000000000000000000000000000000000000
                """, r.out());
    }

    /** The kernel's v2 Decline of fixtures/kernel-6.1/b2_decline_server_no_ueid.pcap. */
    static final String KERNEL_DECLINE = "e2d4c3d904002c205d3b525400990001030300002000000000000000000000000000000000000000e2d4c3d9";

    @Test
    void clcDeclineGoldenText() throws Exception {
        Run r = run("", KERNEL_DECLINE);
        assertEquals(0, r.rc(), r.err());
        assertEquals("""
                CLC Decline (44 bytes)
                  eyecatcher: SMCR
                  type: 4  (CLC Decline)
                  length: 44
                  version: 2  (SMC v2)
                  typev2: 0  (in sync)
                  typev1: 0  (reserved)
                  out_of_sync: false
                  id_for_peer: 5d3b:52:54:00:99:00:01  (0x5d3b525400990001)
                  peer_diagnosis: 50528256  (0x03030000 NOSMCDEV (no SMC device found (R or D)))
                  os_type: 2  (LINUX)
                  reserved: 0  (0x0)
                  reserved2: 000000
                  peer_diagnosis_v2: [0, 0, 0, 0]  (0; 0; 0; 0)
                  trailer: SMCR
                """, r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void clcAcceptJsonHasAddressesAsStringsAndUnsignedNumbers() throws Exception {
        Path pcap = Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures/kernel-6.1/a_smcr_full.pcap");
        byte[] accept = io.smcj.protocol.pcap.SmcCapture.messages(pcap).stream()
                .filter(m -> m.bytes().length == 160).findFirst().orElseThrow().bytes();
        Run r = run("", "--json", io.smcj.protocol.Hex.of(accept));
        assertEquals(0, r.rc(), r.err());
        Map<String, Object> m = (Map<String, Object>) MiniJson.parse(r.out());
        assertEquals("CLC Accept", m.get("message"));
        assertEquals("::ffff:10.99.0.1", m.get("gid"));
        assertEquals("52:54:00:99:00:01", m.get("mac"));
        assertEquals(new BigInteger("ff181dbdc9b40000", 16), u64(m.get("rmb_dma_addr")), "u64 never negative");
        assertEquals(BigInteger.valueOf(0x11), m.get("qpn"));
        assertEquals(Boolean.TRUE, m.get("first_contact"));
        Map<String, Object> fce = (Map<String, Object>) m.get("first_contact_ext");
        assertTrue(fce.get("hostname").toString().startsWith("vm1"), fce.toString());
    }

    /** A u64 as a JSON number or as "0x..." text (the CLC codec prints addresses as hex text). */
    static BigInteger u64(Object v) {
        if (v instanceof BigInteger b) {
            return b;
        }
        String s = String.valueOf(v);
        assertTrue(s.startsWith("0x"), "u64 as number or 0x text: " + s);
        return new BigInteger(s.substring(2), 16);
    }

    @Test
    void clcRejectionNamesTheOffset() throws Exception {
        // the length field says 45 but 44 bytes follow
        Run r = run("", KERNEL_DECLINE.substring(0, 10) + "2d" + KERNEL_DECLINE.substring(12));
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("rejected: EPROTO: truncated CLC message"), r.err());
        assertTrue(r.err().contains("offset: 44"), r.err());
        assertTrue(r.err().contains("decline code: 0x09990000 INTERR"), r.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void cdcJsonIsOneValidObjectWithNumbers() throws Exception {
        Run r = run("", "--json", KERNEL_CDC);
        assertEquals(0, r.rc(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one line");
        Map<String, Object> m = (Map<String, Object>) MiniJson.parse(r.out());
        assertEquals("CDC", m.get("message"));
        assertEquals(BigInteger.valueOf(3), m.get("seqno"));
        assertEquals(BigInteger.valueOf(4104), ((Map<String, Object>) m.get("cons")).get("count"));
        assertEquals(Boolean.TRUE, m.get("peer_conn_closed"));
        assertEquals(List.of("message", "bytes", "type"), m.keySet().stream().limit(3).toList());
    }

    @Test
    void hexFromStdinInDumpFormats() throws Exception {
        String xxd = """
                00000000: fe2c 0003 0000 0001 0000 0000 0000 1000  .,..............
                00000010: 0000 0000 0000 1008 00c0 0000 0000 0000  ................
                00000020: 0000 0000 0000 0000 0000 0000            ............
                """;
        Run r = run(xxd);
        assertEquals(0, r.rc(), r.err());
        assertEquals(run("", KERNEL_CDC).out(), r.out());
        Run spaced = run("", "fe 2c 00 03", "00000001 00000000 00001000 00000000 00001008 00c0 "
                + "000000000000000000000000000000000000");
        assertEquals(r.out(), spaced.out());
    }

    @Test
    void rejectedBytesGiveReasonOffsetAndDeclineCode() throws Exception {
        Run r = run("", "fe2d" + KERNEL_CDC.substring(4));
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("rejected: CDC length byte is 45"), r.err());
        assertTrue(r.err().contains("offset: 1\n"), r.err());
        assertTrue(r.err().contains("decline code: 0x09990000 INTERR"), r.err());

        Run shortCdc = run("", "fe2c0003");
        assertEquals(1, shortCdc.rc());
        assertTrue(shortCdc.err().contains("offset: "), shortCdc.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void rejectionAsJson() throws Exception {
        Run r = run("", "--json", "fe2d" + KERNEL_CDC.substring(4));
        assertEquals(1, r.rc());
        Map<String, Object> m = (Map<String, Object>) MiniJson.parse(r.out());
        assertEquals(BigInteger.ONE, m.get("offset"));
        assertEquals(BigInteger.valueOf(0x09990000), m.get("decline_code"));
        assertTrue(((String) m.get("error")).contains("45"));
    }

    @Test
    void notSmcAndNotHex() throws Exception {
        Run r = run("", "00112233");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("byte 0 is 0x00"), r.err());
        assertTrue(r.err().contains("offset: 0"), r.err());
        Run eye = run("", "e2d4c3aa0100");
        assertEquals(1, eye.rc());
        assertTrue(eye.err().contains("not the CLC eyecatcher"), eye.err());
        Run bad = run("", "fe2g");
        assertEquals(1, bad.rc());
        assertTrue(bad.err().contains("not hex"), bad.err());
        assertEquals(2, run("").rc(), "no input is a usage error");
        assertEquals(2, run("fe".repeat(DecodeCommand.MAX_STDIN)).rc(), "unbounded stdin is refused");
        assertEquals(2, run("", "--pcap").rc());
    }

    @Test
    void pcapModeListsEveryMessageWithFrameNumbers() throws Exception {
        Path pcap = Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures/kernel-6.1/a_smcr_full.pcap");
        Run r = run("", "--pcap", pcap.toString());
        assertTrue(r.out().contains("frame 41 10.99.0.1:49441 -> 10.99.0.2:4791  CDC (44 bytes)"), r.out());
        assertTrue(r.out().contains("SMC messages in a_smcr_full.pcap"), r.out());
        Run j = run("", "--json", "--pcap", pcap.toString());
        long lines = j.out().lines().count();
        assertTrue(lines > 10, j.out());
        for (String line : j.out().lines().toList()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) MiniJson.parse(line);
            assertTrue(m.get("frame") instanceof BigInteger, line);
        }
    }

    @Test
    void everyMessageOfEveryKernelCaptureDecodes() throws Exception {
        Path root = Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures");
        List<Path> pcaps;
        try (var s = java.nio.file.Files.walk(root)) {
            pcaps = s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
        assertTrue(pcaps.size() >= 7, pcaps.toString());
        int messages = 0;
        for (Path p : pcaps) {
            Run r = run("", "--json", "--pcap", p.toString());
            assertEquals(0, r.rc(), p + ": " + r.out() + r.err());
            for (String line : r.out().lines().toList()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) MiniJson.parse(line); // also: no duplicate keys
                assertTrue(m.get("message") instanceof String, line);
                messages++;
            }
        }
        assertTrue(messages > 100, "messages decoded: " + messages);
    }

    /** The kernel's LLC v2 CONFIRM LINK request of the 6.1 capture (length 44 little-endian, flags 0x03). */
    @Test
    void llcV2ConfirmLinkFromTheKernel() throws Exception {
        Path pcap = Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures/kernel-6.1/a_smcr_full.pcap");
        byte[] cl = io.smcj.protocol.pcap.SmcCapture.messages(pcap).stream().filter(m -> m.firstByte() == 0x21)
                .findFirst().orElseThrow().bytes();
        Run r = run("", io.smcj.protocol.Hex.of(cl));
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().startsWith("LLC CONFIRM LINK (44 bytes)\n"), r.out());
        assertTrue(r.out().contains("length_v2: 44  (u16 in the sender's host order, here little-endian)"), r.out());
        assertTrue(r.out().contains("sender_gid: ::ffff:10.99.0.1"), r.out());
        assertTrue(r.out().contains("link_num: 1"), r.out());
        // the same message with a type byte Linux has no handler for is dropped by the kernel: rejected here
        byte[] bad = cl.clone();
        bad[0] = 0x2a;
        Run rej = run("", io.smcj.protocol.Hex.of(bad));
        assertEquals(1, rej.rc());
        assertTrue(rej.err().contains("offset: 0"), rej.err());
        assertTrue(rej.err().contains("neither the CLC eyecatcher"), rej.err());
        byte[] shortV2 = java.util.Arrays.copyOf(cl, 40);
        Run rej2 = run("", io.smcj.protocol.Hex.of(shortV2));
        assertEquals(1, rej2.rc());
        assertTrue(rej2.err().contains("decline code: 0x04000000 SYNCERR"), rej2.err());
    }
}
