package io.smcj.protocol.pcap;

import io.smcj.protocol.MacAddress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Writes classic libpcap files (Ethernet link type, microsecond timestamps) holding SMC traffic
 * built from our own encodings, so that an independent decoder (Wireshark's {@code tshark}) can
 * dissect them: CLC messages inside a complete TCP connection (handshake with the SMC experimental
 * option, correct sequence numbers and checksums) and LLC/CDC messages and RDMA WRITEs inside
 * RoCEv2 packets (Ethernet/IPv4/UDP 4791/IB BTH/payload/ICRC, with the real ICRC).
 *
 * <p>The file is built in memory ({@link #bytes()}, {@link #write(Path)}); timestamps start at a
 * fixed instant and advance 1 ms per frame, so the same calls give the same file byte for byte.
 * Every helper returns the 1-based frame number of the frame it wrote, the number tshark shows as
 * {@code frame.number}.
 */
public final class PcapWriter {
    /** LINKTYPE_ETHERNET. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** The option bytes the Linux kernel puts into SYN and SYN-ACK: NOP, NOP, kind 254, length 6, "SMCR". */
    public static final byte[] SMC_TCP_OPTION = {1, 1, (byte) 0xfe, 6, (byte) 0xe2, (byte) 0xd4, (byte) 0xc3, (byte) 0xd9};
    /** BTH opcodes of the RC transport used here. */
    public static final int OP_SEND_ONLY = 0x04, OP_RDMA_WRITE_ONLY = 0x0a;
    /** The default partition key. */
    public static final int DEFAULT_PKEY = 0xffff;

    private static final long START_MICROS = 1_767_225_600_000_000L; // 2026-01-01T00:00:00Z
    private static final int SNAPLEN = 262_144;
    private static final int MSS = 1460;

    /** An Ethernet/IPv4 endpoint. */
    public record Host(MacAddress mac, Inet4Address ip) {
        public Host {
            Objects.requireNonNull(mac, "mac");
            Objects.requireNonNull(ip, "ip");
        }

        /** {@code Host.of("52:54:00:00:00:01", "10.0.0.1")}. */
        public static Host of(String mac, String ipv4) {
            try {
                InetAddress a = InetAddress.getByName(ipv4);
                if (!(a instanceof Inet4Address v4)) {
                    throw new IllegalArgumentException("not an IPv4 address: " + ipv4);
                }
                return new Host(MacAddress.parse(mac), v4);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IPv4 address: " + ipv4, e);
            }
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int frames;
    private int ipId = 0x1000;

    public PcapWriter() {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                .putInt(LINKTYPE_ETHERNET);
        out.writeBytes(h.array());
    }

    /** Number of frames written so far (= frame number of the last one). */
    public int frameCount() {
        return frames;
    }

    /** The whole pcap file so far. */
    public byte[] bytes() {
        return out.toByteArray();
    }

    public void write(Path file) throws IOException {
        Files.write(file, bytes());
    }

    /** Appends one Ethernet frame as it would appear on the wire (without FCS); returns its frame number. */
    public int frame(byte[] ethernetFrame) {
        long micros = START_MICROS + 1000L * frames;
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(ethernetFrame.length)
                .putInt(ethernetFrame.length);
        out.writeBytes(r.array());
        out.writeBytes(ethernetFrame);
        return ++frames;
    }

    // ---------------------------------------------------------------------------------------- TCP

    /**
     * Writes SYN, SYN-ACK and ACK of a new TCP connection and returns it for payload segments.
     *
     * @param smcOption whether SYN and SYN-ACK carry the SMC experimental option (both peers SMC capable)
     */
    public TcpConnection tcpConnect(Host client, int clientPort, Host server, int serverPort, boolean smcOption) {
        return new TcpConnection(client, clientPort, server, serverPort, smcOption);
    }

    /** One TCP connection; sequence numbers start at fixed values so output is reproducible. */
    public final class TcpConnection {
        private final Host client;
        private final int clientPort;
        private final Host server;
        private final int serverPort;
        private long clientSeq = 0x10000000L;
        private long serverSeq = 0x20000000L;

        private TcpConnection(Host client, int clientPort, Host server, int serverPort, boolean smcOption) {
            this.client = client;
            this.clientPort = checkPort(clientPort);
            this.server = server;
            this.serverPort = checkPort(serverPort);
            byte[] mss = {2, 4, (byte) (MSS >> 8), (byte) MSS};
            byte[] opts = smcOption ? concat(mss, SMC_TCP_OPTION) : mss;
            tcp(client, clientPort, server, serverPort, clientSeq, 0, Packet.Tcp.SYN, opts, new byte[0]);
            clientSeq++;
            tcp(server, serverPort, client, clientPort, serverSeq, clientSeq, Packet.Tcp.SYN | Packet.Tcp.ACK, opts,
                    new byte[0]);
            serverSeq++;
            tcp(client, clientPort, server, serverPort, clientSeq, serverSeq, Packet.Tcp.ACK, new byte[0], new byte[0]);
        }

        /** Client to server data (split at the MSS); returns the frame number of the first segment. */
        public int clientSends(byte[] data) {
            int first = -1;
            for (int off = 0; off < data.length || (off == 0 && data.length == 0); off += MSS) {
                byte[] seg = java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + MSS));
                int f = tcp(client, clientPort, server, serverPort, clientSeq, serverSeq,
                        Packet.Tcp.PSH | Packet.Tcp.ACK, new byte[0], seg);
                clientSeq = (clientSeq + seg.length) & 0xFFFFFFFFL;
                first = first < 0 ? f : first;
                if (data.length == 0) {
                    break;
                }
            }
            return first;
        }

        /** Server to client data (split at the MSS); returns the frame number of the first segment. */
        public int serverSends(byte[] data) {
            int first = -1;
            for (int off = 0; off < data.length || (off == 0 && data.length == 0); off += MSS) {
                byte[] seg = java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + MSS));
                int f = tcp(server, serverPort, client, clientPort, serverSeq, clientSeq,
                        Packet.Tcp.PSH | Packet.Tcp.ACK, new byte[0], seg);
                serverSeq = (serverSeq + seg.length) & 0xFFFFFFFFL;
                first = first < 0 ? f : first;
                if (data.length == 0) {
                    break;
                }
            }
            return first;
        }

        /** FIN from the client, FIN-ACK from the server, last ACK from the client. */
        public void close() {
            tcp(client, clientPort, server, serverPort, clientSeq, serverSeq, Packet.Tcp.FIN | Packet.Tcp.ACK,
                    new byte[0], new byte[0]);
            clientSeq++;
            tcp(server, serverPort, client, clientPort, serverSeq, clientSeq, Packet.Tcp.FIN | Packet.Tcp.ACK,
                    new byte[0], new byte[0]);
            serverSeq++;
            tcp(client, clientPort, server, serverPort, clientSeq, serverSeq, Packet.Tcp.ACK, new byte[0], new byte[0]);
        }
    }

    private int tcp(Host src, int srcPort, Host dst, int dstPort, long seq, long ack, int flags, byte[] options,
                    byte[] payload) {
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("TCP options must be padded to 4 bytes, at most 40");
        }
        int hl = 20 + options.length;
        ByteBuffer t = ByteBuffer.allocate(hl + payload.length);
        t.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt((int) ack)
                .put((byte) ((hl / 4) << 4)).put((byte) flags).putShort((short) 64240).putShort((short) 0)
                .putShort((short) 0).put(options).put(payload);
        byte[] seg = t.array();
        int sum = pseudoHeaderSum(src.ip(), dst.ip(), 6, seg.length);
        int ck = checksum(seg, 0, seg.length, sum);
        seg[16] = (byte) (ck >> 8);
        seg[17] = (byte) ck;
        return frame(ethernet(src, dst, ipv4(src.ip(), dst.ip(), 6, seg)));
    }

    // ------------------------------------------------------------------------------------- RoCEv2

    /**
     * An IB SEND ONLY (how one LLC or CDC message travels) from {@code src} to queue pair
     * {@code destQp} of {@code dst}, with solicited event and ack request set as Linux posts them.
     */
    public int roceSend(Host src, Host dst, int destQp, int psn, byte[] payload) {
        return frame(ethernet(src, dst, ipv4(src.ip(), dst.ip(), 17,
                udp(destQp, roceBth(OP_SEND_ONLY, true, destQp, psn, new byte[0], payload), src, dst))));
    }

    /** An RDMA WRITE ONLY with its RETH (remote virtual address, rkey, DMA length = payload length). */
    public int roceRdmaWriteOnly(Host src, Host dst, int destQp, int psn, long remoteVa, int rkey, byte[] payload) {
        ByteBuffer reth = ByteBuffer.allocate(16).putLong(remoteVa).putInt(rkey).putInt(payload.length);
        return frame(ethernet(src, dst, ipv4(src.ip(), dst.ip(), 17,
                udp(destQp, roceBth(OP_RDMA_WRITE_ONLY, false, destQp, psn, reth.array(), payload), src, dst))));
    }

    /** BTH + extension headers + payload + pad; the ICRC is appended once the IP/UDP headers exist. */
    private static byte[] roceBth(int opcode, boolean solicited, int destQp, int psn, byte[] ext, byte[] payload) {
        if (destQp < 0 || destQp > 0xFFFFFF || psn < 0 || psn > 0xFFFFFF) {
            throw new IllegalArgumentException("QPN and PSN are 24 bits");
        }
        int pad = (4 - payload.length % 4) % 4;
        ByteBuffer b = ByteBuffer.allocate(12 + ext.length + payload.length + pad);
        b.put((byte) opcode)
                .put((byte) ((solicited ? 0x80 : 0) | 0x40 /* MigReq */ | (pad << 4)))
                .putShort((short) DEFAULT_PKEY)
                .putInt(destQp) // byte 4 = FECN/BECN/reserved = 0
                .putInt(0x80000000 | psn) // AckReq
                .put(ext).put(payload);
        return b.array();
    }

    /** UDP header (checksum 0, allowed for RoCEv2 over IPv4) + BTH..pad + ICRC placeholder. */
    private static byte[] udp(int destQp, byte[] bthOn, Host src, Host dst) {
        int len = 8 + bthOn.length + 4;
        ByteBuffer u = ByteBuffer.allocate(len);
        // RoCEv2 source port: an entropy value from the QP, in the range 0xC000..0xFFFF
        int srcPort = 0xC000 | (destQp & 0x3FFF);
        u.putShort((short) srcPort).putShort((short) Packet.ROCE_V2_PORT).putShort((short) len).putShort((short) 0)
                .put(bthOn);
        return u.array();
    }

    /**
     * The RoCEv2 invariant CRC (IBA Annex A17.3.3): CRC-32 over 8 bytes of 0xFF standing for the
     * masked LRH, the IPv4 header with TOS, TTL and checksum set to all ones, the UDP header with its
     * checksum set to all ones, the BTH with its reserved byte 4 set to all ones, then the rest of the
     * packet up to the ICRC. Stored least significant byte first, as Linux rxe ({@code rxe_icrc.c})
     * and real RNICs send it.
     *
     * @param ipPacket IPv4 header through the end of the pad, without the ICRC
     */
    public static int roceIcrc(byte[] ipPacket) {
        int ihl = (ipPacket[0] & 0x0f) * 4;
        byte[] m = ipPacket.clone();
        m[1] = (byte) 0xff; // TOS
        m[8] = (byte) 0xff; // TTL
        m[10] = (byte) 0xff; // header checksum
        m[11] = (byte) 0xff;
        m[ihl + 6] = (byte) 0xff; // UDP checksum
        m[ihl + 7] = (byte) 0xff;
        m[ihl + 8 + 4] = (byte) 0xff; // BTH resv8a (FECN/BECN)
        CRC32 crc = new CRC32();
        crc.update(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1});
        crc.update(m);
        return (int) crc.getValue();
    }

    private byte[] ipv4(Inet4Address src, Inet4Address dst, int proto, byte[] l4) {
        int total = 20 + l4.length;
        if (total > 0xFFFF) {
            throw new IllegalArgumentException("IPv4 packet of " + total + " bytes exceeds 65535 (payload too large)");
        }
        ByteBuffer ip = ByteBuffer.allocate(total);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) (ipId++)).putShort((short) 0x4000)
                .put((byte) 64).put((byte) proto).putShort((short) 0).put(src.getAddress()).put(dst.getAddress())
                .put(l4);
        byte[] p = ip.array();
        int ck = checksum(p, 0, 20, 0);
        p[10] = (byte) (ck >> 8);
        p[11] = (byte) ck;
        if (proto == 17 && ((p[22] & 0xff) << 8 | (p[23] & 0xff)) == Packet.ROCE_V2_PORT) {
            int icrc = roceIcrc(java.util.Arrays.copyOf(p, total - 4));
            ByteBuffer.wrap(p, total - 4, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(icrc);
        }
        return p;
    }

    private static byte[] ethernet(Host src, Host dst, byte[] ipPacket) {
        ByteBuffer e = ByteBuffer.allocate(14 + ipPacket.length);
        e.put(dst.mac().bytes()).put(src.mac().bytes()).putShort((short) 0x0800).put(ipPacket);
        return e.array();
    }

    private static int pseudoHeaderSum(Inet4Address src, Inet4Address dst, int proto, int len) {
        byte[] ph = ByteBuffer.allocate(12).put(src.getAddress()).put(dst.getAddress()).put((byte) 0)
                .put((byte) proto).putShort((short) len).array();
        return sum16(ph, 0, 12, 0);
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes, starting from a partial sum. */
    public static int checksum(byte[] b, int off, int len, int initial) {
        int s = sum16(b, off, len, initial);
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return ~s & 0xffff;
    }

    private static int sum16(byte[] b, int off, int len, int initial) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            s += (b[off + len - 1] & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    private static int checkPort(int p) {
        if (p < 1 || p > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + p);
        }
        return p;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
