package io.smcj.protocol.pcap;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PcapWriterPropertyTest {
    static final PcapWriter.Host A = PcapWriter.Host.of("02:00:00:00:00:0a", "192.168.1.10");
    static final PcapWriter.Host B = PcapWriter.Host.of("02:00:00:00:00:0b", "192.168.1.11");

    static byte[] clcShaped(int len, long seed) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        ByteBuffer.wrap(b).putInt(0, 0xE2D4C3D9).putShort(5, (short) len);
        return b;
    }

    /** Any CLC-shaped messages, in both directions, of up to 4000 bytes (several segments), come back whole. */
    @Property(tries = 200)
    void tcpStreamsReassembleToTheMessagesWritten(@ForAll @Size(min = 1, max = 6) List<@IntRange(min = 8, max = 4000) Integer> lens,
                                                 @ForAll long seed) throws Exception {
        PcapWriter w = new PcapWriter();
        PcapWriter.TcpConnection c = w.tcpConnect(A, 50000, B, 12345, true);
        List<byte[]> fromA = new ArrayList<>();
        List<byte[]> fromB = new ArrayList<>();
        int i = 0;
        for (int len : lens) {
            byte[] m = clcShaped(len, seed + i);
            if (i++ % 2 == 0) {
                fromA.add(m);
                c.clientSends(m);
            } else {
                fromB.add(m);
                c.serverSends(m);
            }
        }
        c.close();
        List<SmcCapture.Message> got = SmcCapture.clcMessages(SmcCapture.packetsOf(w.bytes()));
        List<byte[]> gotA = got.stream().filter(m -> m.srcPort() == 50000).map(SmcCapture.Message::bytes).toList();
        List<byte[]> gotB = got.stream().filter(m -> m.srcPort() == 12345).map(SmcCapture.Message::bytes).toList();
        assertEquals(fromA.size(), gotA.size());
        assertEquals(fromB.size(), gotB.size());
        for (int k = 0; k < fromA.size(); k++) {
            assertArrayEquals(fromA.get(k), gotA.get(k));
        }
        for (int k = 0; k < fromB.size(); k++) {
            assertArrayEquals(fromB.get(k), gotB.get(k));
        }
    }

    /** Any SEND payload (any length: pad 0..3) comes back exactly, with QPN and PSN. */
    @Property(tries = 300)
    void roceSendPayloadsComeBack(@ForAll @Size(max = 300) byte[] payload, @ForAll @IntRange(max = 0xFFFFFF) int qp,
                                  @ForAll @IntRange(max = 0xFFFFFF) int psn) throws Exception {
        PcapWriter w = new PcapWriter();
        w.roceSend(A, B, qp, psn, payload);
        Packet p = Packet.parse(PcapReader.read(w.bytes()).get(0));
        assertArrayEquals(payload, p.roce().payload());
        assertEquals(qp, p.roce().destQp());
        assertEquals(psn, p.roce().psn());
        assertEquals((4 - payload.length % 4) % 4, p.roce().padCount());
    }
}
