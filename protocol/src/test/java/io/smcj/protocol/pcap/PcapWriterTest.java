package io.smcj.protocol.pcap;

import io.smcj.protocol.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PcapWriterTest {
    static final PcapWriter.Host CLIENT = PcapWriter.Host.of("52:54:00:00:00:02", "10.0.0.2");
    static final PcapWriter.Host SERVER = PcapWriter.Host.of("52:54:00:00:00:01", "10.0.0.1");

    /** The kernel's Proposal, Accept, Confirm and first CDC from the 6.1 capture. */
    static List<byte[]> kernelMessages() throws Exception {
        List<SmcCapture.Message> m = SmcCapture.messages(SmcCaptureTest.fixture("kernel-6.1/a_smcr_full.pcap"));
        List<byte[]> out = new ArrayList<>();
        m.stream().filter(x -> x.carrier() == SmcCapture.Carrier.TCP_CLC).forEach(x -> out.add(x.bytes()));
        out.add(m.stream().filter(x -> x.firstByte() == 0xFE).findFirst().orElseThrow().bytes());
        assertEquals(4, out.size());
        return out;
    }

    static PcapWriter sample() throws Exception {
        List<byte[]> k = kernelMessages();
        PcapWriter w = new PcapWriter();
        PcapWriter.TcpConnection c = w.tcpConnect(CLIENT, 40000, SERVER, 12345, true);
        c.clientSends(k.get(0));
        c.serverSends(k.get(1));
        c.clientSends(k.get(2));
        c.clientSends(new byte[3000]); // two MSS segments and a rest
        c.close();
        w.roceSend(SERVER, CLIENT, 0x11, 0x123456, k.get(3));
        w.roceRdmaWriteOnly(CLIENT, SERVER, 0x12, 7, 0xff00_0000_1234_0000L, 0x39b, "hello".getBytes(StandardCharsets.US_ASCII));
        return w;
    }

    @Test
    void shouldWriteAFileThatOurReaderDissects() throws Exception {
        PcapWriter w = sample();
        List<PcapReader.Frame> frames = PcapReader.read(w.bytes());
        assertEquals(w.frameCount(), frames.size());
        // SYN, SYN-ACK, ACK, 3 CLC, 3 data segments, FIN, FIN, ACK, SEND, WRITE
        assertEquals(14, frames.size());
        List<Packet> pk = frames.stream().map(Packet::parse).toList();
        Packet syn = pk.get(0);
        assertTrue(syn.tcp().syn() && !syn.tcp().ackFlag());
        assertTrue(Hex.of(syn.tcp().options()).endsWith("0101fe06e2d4c3d9"), Hex.of(syn.tcp().options()));
        Packet synAck = pk.get(1);
        assertTrue(synAck.tcp().syn() && synAck.tcp().ackFlag());
        assertEquals(syn.tcp().seq() + 1, synAck.tcp().ack());
        assertEquals(synAck.tcp().seq() + 1, pk.get(2).tcp().ack());

        List<SmcCapture.Message> clc = SmcCapture.clcMessages(pk);
        // per direction: the client's Proposal and Confirm, then the server's Accept
        List<byte[]> k = kernelMessages();
        assertEquals(List.of(1, 3, 2), clc.stream().map(m -> (int) m.bytes()[4]).toList());
        assertArrayEquals(k.get(0), clc.get(0).bytes());
        assertArrayEquals(k.get(2), clc.get(1).bytes());
        assertArrayEquals(k.get(1), clc.get(2).bytes());
        assertEquals(5, clc.get(2).frameNumber());
        assertEquals(12345, clc.get(0).dstPort());
        List<Integer> dataSegs = pk.subList(6, 9).stream().map(p -> p.tcp().payload().length).toList();
        assertEquals(List.of(1460, 1460, 80), dataSegs);

        Packet send = pk.get(12);
        assertNotNull(send.roce());
        assertEquals(Packet.RoceV2.SEND_ONLY, send.roce().opcode());
        assertEquals(0x11, send.roce().destQp());
        assertEquals(0x123456, send.roce().psn());
        assertEquals(0xffff, send.roce().pkey());
        assertTrue(send.roce().solicited());
        assertArrayEquals(k.get(3), send.roce().payload());
        Packet write = pk.get(13);
        assertEquals(Packet.RoceV2.RDMA_WRITE_ONLY, write.roce().opcode());
        assertEquals(0xff00_0000_1234_0000L, write.roce().rethVirtualAddress());
        assertEquals(0x39b, write.roce().rethRkey());
        assertEquals(5, write.roce().rethDmaLength());
        assertEquals(3, write.roce().padCount());
        assertEquals("hello", new String(write.roce().payload(), StandardCharsets.US_ASCII));
        List<SmcCapture.Message> all = SmcCapture.messages(pk);
        assertEquals(4, all.size(), "3 CLC + 1 SEND (the RDMA WRITE is not a message)");
    }

    @Test
    void shouldComputeValidIpAndTcpChecksums() throws Exception {
        for (PcapReader.Frame f : PcapReader.read(sample().bytes())) {
            byte[] d = f.data();
            assertEquals(0, PcapWriter.checksum(d, 14, 20, 0), "IPv4 header checksum of frame " + f.number());
            int total = ((d[16] & 0xff) << 8) | (d[17] & 0xff);
            assertEquals(d.length - 14, total, "IPv4 total length");
            if (d[23] == 6) {
                byte[] ph = ByteBuffer.allocate(12).put(d, 26, 8).put((byte) 0).put((byte) 6)
                        .putShort((short) (total - 20)).array();
                byte[] all = new byte[12 + total - 20];
                System.arraycopy(ph, 0, all, 0, 12);
                System.arraycopy(d, 34, all, 12, total - 20);
                assertEquals(0, PcapWriter.checksum(all, 0, all.length, 0), "TCP checksum of frame " + f.number());
            }
        }
    }

    @Test
    void shouldComputeTheSameIcrcAsLinuxRxeInTheKernelCapture() throws Exception {
        int checked = 0;
        for (PcapReader.Frame f : PcapReader.read(SmcCaptureTest.fixture("kernel-6.1/a_smcr_full.pcap"))) {
            Packet p = Packet.parse(f);
            if (p.udp() == null || p.udp().dstPort() != Packet.ROCE_V2_PORT) {
                continue;
            }
            byte[] d = f.data();
            byte[] ip = Arrays.copyOfRange(d, 14, d.length - 4);
            int wire = ByteBuffer.wrap(d, d.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            assertEquals(wire, PcapWriter.roceIcrc(ip), "ICRC of kernel frame " + f.number());
            checked++;
        }
        assertTrue(checked > 20, "RoCE frames checked: " + checked);
    }

    @Test
    void shouldBeReproducible() throws Exception {
        assertArrayEquals(sample().bytes(), sample().bytes());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tsharkShouldSeeAValidConnectionAndRoceFrames(@TempDir Path dir) throws Exception {
        assumeTrue(Tshark.available(), () -> Tshark.skip("tshark not installed: PcapWriter not checked by tshark"));
        Path file = dir.resolve("w.pcap");
        sample().write(file);
        List<String> lines = Tshark.run(file, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=|", "-e", "frame.number", "-e", "ip.checksum.status",
                "-e", "tcp.checksum.status", "-e", "tcp.analysis.flags", "-e", "_ws.malformed",
                "-e", "infiniband.bth.opcode", "-e", "infiniband.bth.destqp", "-e", "infiniband.reth.va",
                "-e", "_ws.expert");
        assertEquals(14, lines.size(), String.join("\n", lines));
        for (String l : lines) {
            String[] c = l.split("\\|", -1);
            assertEquals("1", c[1], "ip checksum good (1): " + l);
            assertFalse(c[3].length() > 0, "no TCP analysis warnings: " + l);
            assertEquals("", c[4], "not malformed: " + l);
            if (Integer.parseInt(c[0]) <= 12) { // frames 1..12 are TCP
                assertEquals("1", c[2], "tcp checksum good (1): " + l);
            }
        }
        assertEquals("4", lines.get(12).split("\\|", -1)[5], lines.get(12));
        assertEquals("10", lines.get(13).split("\\|", -1)[5], lines.get(13));
        assertEquals("0xff00000012340000", lines.get(13).split("\\|", -1)[7], lines.get(13));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tsharkShouldDecodeRewrappedKernelMessagesLikeTheOriginalCapture(@TempDir Path dir) throws Exception {
        assumeTrue(Tshark.available(), () -> Tshark.skip("tshark not installed: PcapWriter not checked by tshark"));
        Path file = dir.resolve("w.pcap");
        sample().write(file);
        String[] f = {"-Y", "smc", "-T", "fields", "-E", "separator=|", "-e", "smc.clc_msg", "-e", "smc.llc_msg",
            "-e", "smc.length", "-e", "smc.proposal.rocev2.gid.ipv4", "-e", "smc.proposal.eid",
            "-e", "smc.accept.server.qp.number", "-e", "smc.accept.initial.psn", "-e", "smc.accept.peer.host.name",
            "-e", "smc.client.gid", "-e", "smc.confirm.gid.list.entry", "-e", "smc.rmbe.ctrl.seqno",
            "-e", "smc.rmbe.ctrl.alert.token", "-e", "smc.rmbe.ctrl.peer.prod.curs"};
        List<String> ours = Tshark.run(file, f);
        List<String> kernel = Tshark.run(SmcCaptureTest.fixture("kernel-6.1/a_smcr_full.pcap"), f);
        assertEquals(4, ours.size(), String.join("\n", ours));
        assertEquals(kernel.subList(0, 4), ours);
    }

    @Test
    void tooLargeRocePayloadIsRefused() {
        PcapWriter w = new PcapWriter();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> w.roceSend(CLIENT, SERVER, 1, 1, new byte[70_000]));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> w.roceSend(CLIENT, SERVER, 0x1000000, 1, new byte[4]));
        assertEquals(0, w.frameCount(), "nothing written");
    }
}
