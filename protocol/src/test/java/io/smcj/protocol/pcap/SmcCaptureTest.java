package io.smcj.protocol.pcap;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmcCaptureTest {
    static Path fixture(String name) {
        Path root = Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures");
        Path p = root.resolve(name);
        assertTrue(Files.exists(p), "fixture missing: " + p);
        return p;
    }

    @Test
    void shouldExtractTheFirstContactHandshakeOfTheKernelCapture() throws Exception {
        List<SmcCapture.Message> msgs = SmcCapture.messages(fixture("kernel-6.1/a_smcr_full.pcap"));
        List<SmcCapture.Message> clc = msgs.stream().filter(m -> m.carrier() == SmcCapture.Carrier.TCP_CLC).toList();
        // README: Proposal 156 B, Accept with first contact 160 B, Confirm 180 B
        assertEquals(3, clc.size(), "CLC messages: " + clc);
        assertEquals(List.of(156, 160, 180), clc.stream().map(m -> m.bytes().length).toList());
        assertEquals(List.of(1, 2, 3), clc.stream().map(m -> (int) m.bytes()[4]).toList());
        // LLC v2 CONFIRM LINK request then response, as the README reads them off the capture
        List<SmcCapture.Message> sends = msgs.stream().filter(m -> m.carrier() == SmcCapture.Carrier.ROCE_SEND).toList();
        assertEquals(0x21, sends.get(0).firstByte());
        assertEquals(44, sends.get(0).bytes().length);
        assertTrue(sends.stream().anyMatch(m -> m.firstByte() == 0xFE && m.bytes().length == 44), "a CDC");
        assertTrue(sends.stream().anyMatch(m -> m.firstByte() == 0x22 && m.bytes().length == 88), "ADD LINK 88 B");
    }

    @Test
    void shouldSeeTheSmcOptionInTheSyn() throws Exception {
        List<Packet> pk = SmcCapture.packets(fixture("kernel-6.1/b_fallback_smc_client_tcp_server.pcap"));
        Packet syn = pk.stream().filter(p -> p.tcp() != null && p.tcp().syn() && !p.tcp().ackFlag()).findFirst()
                .orElseThrow();
        String opts = io.smcj.protocol.Hex.of(syn.tcp().options());
        assertTrue(opts.contains("0101fe06e2d4c3d9"), opts);
        assertEquals(0, SmcCapture.clcMessages(pk).size(), "no CLC when the server is plain TCP");
    }

    @Test
    void shouldFindTheDeclineInTheNoUeidCapture() throws Exception {
        List<SmcCapture.Message> clc = SmcCapture.clcMessages(SmcCapture.packets(
                fixture("kernel-6.1/b2_decline_server_no_ueid.pcap")));
        assertEquals(2, clc.size());
        assertEquals(4, clc.get(1).bytes()[4], "second CLC is a Decline");
        assertEquals(44, clc.get(1).bytes().length, "v2 Decline");
    }
}
