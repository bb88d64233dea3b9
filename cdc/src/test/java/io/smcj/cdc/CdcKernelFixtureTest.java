package io.smcj.cdc;

import io.smcj.protocol.pcap.SmcCapture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every CDC the Linux kernel sent in the captures under {@code fixtures/} (RoCEv2 SEND ONLY
 * payloads starting with 0xFE) decodes, re-encodes to the same 44 bytes and carries plausible
 * values: non-zero tokens, seqnos +1 per CDC and direction starting at 1, cursors that only move
 * forward inside a 512 KiB RMBE, zero reserved fields, and the close flags 0x80/0x40/0xc0.
 */
class CdcKernelFixtureTest {

    static Path fixtures() {
        return Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures");
    }

    static List<Path> captures() throws IOException {
        Path root = fixtures();
        if (!Files.isDirectory(root)) {
            System.err.println("SKIP-WARNING: no fixtures directory at " + root.toAbsolutePath());
            Assumptions.abort("fixtures missing at " + root);
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
    }

    @Test
    void everyKernelCdcDecodesAndReencodesToTheSameBytes() throws IOException {
        int total = 0;
        Set<Integer> closeFlagsSeen = new HashSet<>();
        List<String> summary = new ArrayList<>();
        for (Path pcap : captures()) {
            // per direction and token: the previous CDC
            Map<String, CdcMessage> last = new HashMap<>();
            int inFile = 0;
            for (SmcCapture.Message msg : SmcCapture.messages(pcap)) {
                if (msg.carrier() != SmcCapture.Carrier.ROCE_SEND || msg.firstByte() != CdcMessage.TYPE) {
                    continue;
                }
                byte[] bytes = msg.bytes();
                assertEquals(CdcMessage.LENGTH, bytes.length, pcap + " frame " + msg.frameNumber());
                CdcMessage m = CdcCodec.decode(bytes);
                assertArrayEquals(bytes, CdcCodec.encode(m), () -> pcap + " frame " + msg.frameNumber() + ": " + m);
                String where = pcap.getFileName() + " frame " + msg.frameNumber() + ": " + m;
                assertTrue(m.token().isValid(), where);
                assertTrue(m.reservedAllZero(), where);
                assertTrue(m.prod().fitsIn(512 * 1024) && m.cons().fitsIn(512 * 1024), where);
                assertEquals(0, m.prodFlags().raw() & ~ProducerFlags.WRITE_BLOCKED, "no urgent/failover: " + where);
                String key = msg.src().getHostAddress() + ">" + msg.dst().getHostAddress() + "/" + m.token();
                CdcMessage prev = last.put(key, m);
                if (prev == null) {
                    assertEquals(1, m.seqno(), "first CDC of a connection has seqno 1: " + where);
                } else {
                    assertEquals((prev.seqno() + 1) & 0xFFFF, m.seqno(), "seqno +1: " + where);
                    assertTrue(Cursor.distance(512 * 1024, prev.prod().toCursor(), m.prod().toCursor()) >= 0,
                            "producer cursor forward: " + where);
                    assertTrue(Cursor.distance(512 * 1024, prev.cons().toCursor(), m.cons().toCursor()) >= 0,
                            "consumer cursor forward: " + where);
                    // close flags are sticky in local_tx_ctrl
                    assertEquals(prev.connStateFlags().raw(),
                            m.connStateFlags().raw() & prev.connStateFlags().raw(), "sticky close flags: " + where);
                }
                if (m.connStateFlags().raw() != 0) {
                    closeFlagsSeen.add(m.connStateFlags().raw());
                }
                inFile++;
            }
            summary.add(pcap.getFileName() + ": " + inFile + " CDCs, " + last.size() + " directions");
            total += inFile;
        }
        System.err.println("kernel CDCs checked: " + total + " " + summary + " close flags seen " + closeFlagsSeen);
        assertTrue(total > 0, "the captures hold CDC messages");
        assertTrue(closeFlagsSeen.contains(0x40) || closeFlagsSeen.contains(0xc0), closeFlagsSeen.toString());
        for (int f : closeFlagsSeen) {
            assertTrue(f == 0x80 || f == 0x40 || f == 0xc0, "unexpected close flags " + f);
        }
    }

    /**
     * Replays each captured connection's close sequence through two {@link CloseStateMachine}s:
     * a new close flag in a CDC sent by a side becomes that side's local event (0x80 added:
     * shutdown(SHUT_WR), 0x40 added: close()), a CDC received becomes a passive event. Our tables
     * must produce exactly the flags the kernel put on the wire, and both sides end CLOSED.
     */
    @Test
    void closeTablesReproduceTheKernelsCloseSequences() throws IOException {
        int connections = 0;
        for (Path pcap : captures()) {
            Map<String, CloseStateMachine> machines = new HashMap<>();
            Map<String, Integer> sentFlags = new HashMap<>();
            for (SmcCapture.Message msg : SmcCapture.messages(pcap)) {
                if (msg.carrier() != SmcCapture.Carrier.ROCE_SEND || msg.firstByte() != CdcMessage.TYPE) {
                    continue;
                }
                CdcMessage m = CdcCodec.decode(msg.bytes());
                String src = msg.src().getHostAddress();
                String dst = msg.dst().getHostAddress();
                // in these captures both sides numbered their alert tokens alike (1, 2, 3 per link
                // group), so address pair + token names one connection; the side is the address
                String pair = src.compareTo(dst) < 0 ? src + "|" + dst : dst + "|" + src;
                String sender = pcap.getFileName() + "/" + pair + "/" + m.token() + "/" + src;
                String receiver = pcap.getFileName() + "/" + pair + "/" + m.token() + "/" + dst;
                CloseStateMachine tx = machines.computeIfAbsent(sender, k -> new CloseStateMachine(SmcCloseState.ACTIVE));
                CloseStateMachine rx = machines.computeIfAbsent(receiver,
                        k -> new CloseStateMachine(SmcCloseState.ACTIVE));
                int before = sentFlags.getOrDefault(sender, 0);
                int now = m.connStateFlags().raw();
                int added = now & ~before;
                if ((added & ConnStateFlags.PEER_DONE_WRITING) != 0 && (added & ConnStateFlags.PEER_CONN_CLOSED) == 0) {
                    assertTrue(tx.shutdownWrite(), sender);
                } else if ((added & ConnStateFlags.PEER_CONN_CLOSED) != 0) {
                    assertTrue(tx.closeActive(0), sender);
                }
                assertEquals(now, tx.txFlags().raw(), "our flags vs the kernel's in " + pcap.getFileName()
                        + " frame " + msg.frameNumber());
                sentFlags.put(sender, now);
                rx.passive(m.connStateFlags());
            }
            for (var e : machines.entrySet()) {
                assertEquals(SmcCloseState.CLOSED, e.getValue().state(), e.getKey());
            }
            connections += machines.size() / 2;
        }
        assertTrue(connections >= 7, "connections replayed: " + connections);
    }
}
