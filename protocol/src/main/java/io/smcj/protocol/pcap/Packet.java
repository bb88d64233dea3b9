package io.smcj.protocol.pcap;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A dissected frame: link layer, IPv4/IPv6, then TCP or UDP; UDP to port 4791 is RoCEv2 and is
 * further dissected into the InfiniBand BTH and its payload. Unknown or truncated frames yield a
 * packet with {@code tcp == null} and {@code roce == null}, never an exception.
 */
public record Packet(PcapReader.Frame frame, InetAddress src, InetAddress dst, int ipProtocol,
                     Tcp tcp, Udp udp, RoceV2 roce) {

    /** UDP destination port of RoCEv2. */
    public static final int ROCE_V2_PORT = 4791;

    /** A TCP segment; {@code options} are the raw option bytes, {@code payload} the data. */
    public record Tcp(int srcPort, int dstPort, long seq, long ack, int flags, byte[] options, byte[] payload) {
        public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

        public boolean syn() {
            return (flags & SYN) != 0;
        }

        public boolean ackFlag() {
            return (flags & ACK) != 0;
        }

        public boolean fin() {
            return (flags & FIN) != 0;
        }

        public boolean rst() {
            return (flags & RST) != 0;
        }
    }

    public record Udp(int srcPort, int dstPort, byte[] payload) {
    }

    /**
     * RoCEv2: the 12-byte BTH fields, the extended headers the opcode implies, and the payload with
     * pad and the 4-byte ICRC removed.
     */
    public record RoceV2(int opcode, boolean solicited, int padCount, int pkey, int destQp, boolean ackRequest,
                         int psn, long rethVirtualAddress, int rethRkey, int rethDmaLength, Integer immediate,
                         byte[] payload) {
        public static final int SEND_FIRST = 0x00, SEND_MIDDLE = 0x01, SEND_LAST = 0x02,
                SEND_LAST_IMM = 0x03, SEND_ONLY = 0x04, SEND_ONLY_IMM = 0x05,
                RDMA_WRITE_FIRST = 0x06, RDMA_WRITE_MIDDLE = 0x07, RDMA_WRITE_LAST = 0x08,
                RDMA_WRITE_LAST_IMM = 0x09, RDMA_WRITE_ONLY = 0x0a, RDMA_WRITE_ONLY_IMM = 0x0b,
                ACKNOWLEDGE = 0x11;

        public boolean isSend() {
            return opcode >= SEND_FIRST && opcode <= SEND_ONLY_IMM;
        }

        /** A SEND that fits one packet: how LLC and CDC messages travel. */
        public boolean isSendOnly() {
            return opcode == SEND_ONLY || opcode == SEND_ONLY_IMM;
        }

        public boolean isRdmaWrite() {
            return opcode >= RDMA_WRITE_FIRST && opcode <= RDMA_WRITE_ONLY_IMM;
        }

        /** Human name of the RC opcode, as Wireshark prints it. */
        public String opcodeName() {
            return switch (opcode) {
                case SEND_FIRST -> "RC Send First";
                case SEND_MIDDLE -> "RC Send Middle";
                case SEND_LAST -> "RC Send Last";
                case SEND_LAST_IMM -> "RC Send Last Immediate";
                case SEND_ONLY -> "RC Send Only";
                case SEND_ONLY_IMM -> "RC Send Only Immediate";
                case RDMA_WRITE_FIRST -> "RC RDMA Write First";
                case RDMA_WRITE_MIDDLE -> "RC RDMA Write Middle";
                case RDMA_WRITE_LAST -> "RC RDMA Write Last";
                case RDMA_WRITE_LAST_IMM -> "RC RDMA Write Last Immediate";
                case RDMA_WRITE_ONLY -> "RC RDMA Write Only";
                case RDMA_WRITE_ONLY_IMM -> "RC RDMA Write Only Immediate";
                case ACKNOWLEDGE -> "RC Acknowledge";
                default -> String.format("opcode 0x%02x", opcode);
            };
        }
    }

    public Optional<Tcp> tcpSegment() {
        return Optional.ofNullable(tcp);
    }

    public Optional<RoceV2> roceV2() {
        return Optional.ofNullable(roce);
    }

    /** Dissects a frame; never throws for malformed content. */
    public static Packet parse(PcapReader.Frame f) {
        byte[] d = f.data();
        int off;
        int etherType;
        switch (f.linkType()) {
            case PcapReader.LINKTYPE_ETHERNET -> {
                if (d.length < 14) {
                    return empty(f);
                }
                off = 12;
                etherType = u16(d, off);
                off += 2;
                while ((etherType == 0x8100 || etherType == 0x88a8) && off + 4 <= d.length) {
                    etherType = u16(d, off + 2);
                    off += 4;
                }
            }
            case PcapReader.LINKTYPE_LINUX_SLL -> {
                if (d.length < 16) {
                    return empty(f);
                }
                etherType = u16(d, 14);
                off = 16;
            }
            case PcapReader.LINKTYPE_LINUX_SLL2 -> {
                if (d.length < 20) {
                    return empty(f);
                }
                etherType = u16(d, 0);
                off = 20;
            }
            default -> {
                return empty(f);
            }
        }
        try {
            if (etherType == 0x0800) {
                return ipv4(f, d, off);
            } else if (etherType == 0x86dd) {
                return ipv6(f, d, off);
            }
        } catch (IndexOutOfBoundsException | UnknownHostException e) {
            // truncated capture (snaplen) or garbage: report what we could not dissect as empty
        }
        return empty(f);
    }

    private static Packet empty(PcapReader.Frame f) {
        return new Packet(f, null, null, -1, null, null, null);
    }

    private static Packet ipv4(PcapReader.Frame f, byte[] d, int off) throws UnknownHostException {
        int ihl = (d[off] & 0x0f) * 4;
        int total = u16(d, off + 2);
        int proto = d[off + 9] & 0xff;
        InetAddress src = InetAddress.getByAddress(Arrays.copyOfRange(d, off + 12, off + 16));
        InetAddress dst = InetAddress.getByAddress(Arrays.copyOfRange(d, off + 16, off + 20));
        int end = Math.min(d.length, off + total);
        return transport(f, d, off + ihl, end, proto, src, dst);
    }

    private static Packet ipv6(PcapReader.Frame f, byte[] d, int off) throws UnknownHostException {
        int payloadLen = u16(d, off + 4);
        int next = d[off + 6] & 0xff;
        InetAddress src = InetAddress.getByAddress(Arrays.copyOfRange(d, off + 8, off + 24));
        InetAddress dst = InetAddress.getByAddress(Arrays.copyOfRange(d, off + 24, off + 40));
        int end = Math.min(d.length, off + 40 + payloadLen);
        return transport(f, d, off + 40, end, next, src, dst);
    }

    private static Packet transport(PcapReader.Frame f, byte[] d, int off, int end, int proto,
                                    InetAddress src, InetAddress dst) {
        if (proto == 6 && off + 20 <= end) {
            int dataOff = ((d[off + 12] & 0xf0) >> 4) * 4;
            int flags = d[off + 13] & 0x3f;
            int optEnd = Math.min(off + dataOff, end);
            byte[] options = Arrays.copyOfRange(d, off + 20, Math.max(off + 20, optEnd));
            byte[] payload = off + dataOff <= end ? Arrays.copyOfRange(d, off + dataOff, end) : new byte[0];
            Tcp tcp = new Tcp(u16(d, off), u16(d, off + 2), u32(d, off + 4), u32(d, off + 8), flags,
                    options, payload);
            return new Packet(f, src, dst, proto, tcp, null, null);
        }
        if (proto == 17 && off + 8 <= end) {
            int udpLen = u16(d, off + 4);
            int udpEnd = Math.min(end, off + Math.max(8, udpLen));
            Udp udp = new Udp(u16(d, off), u16(d, off + 2), Arrays.copyOfRange(d, off + 8, udpEnd));
            RoceV2 roce = udp.dstPort() == ROCE_V2_PORT ? roce(udp.payload()) : null;
            return new Packet(f, src, dst, proto, null, udp, roce);
        }
        return new Packet(f, src, dst, proto, null, null, null);
    }

    /** BTH (12 bytes), then RETH / ImmDt / AETH as the opcode implies, payload, pad, ICRC (4). */
    static RoceV2 roce(byte[] p) {
        if (p.length < 12 + 4) {
            return null;
        }
        int opcode = p[0] & 0xff;
        boolean se = (p[1] & 0x80) != 0;
        int pad = (p[1] >> 4) & 0x3;
        int pkey = u16(p, 2);
        int destQp = u24(p, 5);
        boolean ackReq = (p[8] & 0x80) != 0;
        int psn = u24(p, 9);
        int off = 12;
        long va = 0;
        int rkey = 0;
        int dmaLen = 0;
        Integer imm = null;
        int op = opcode & 0x1f; // RC transport: upper 3 bits 000
        boolean hasReth = op == 0x06 || op == 0x0a || op == 0x0b;
        boolean hasImm = op == 0x03 || op == 0x05 || op == 0x09 || op == 0x0b;
        boolean hasAeth = op >= 0x0d && op <= 0x12;
        if (hasReth) {
            if (off + 16 > p.length) {
                return null;
            }
            va = u64(p, off);
            rkey = (int) u32(p, off + 8);
            dmaLen = (int) u32(p, off + 12);
            off += 16;
        }
        if (hasImm) {
            if (off + 4 > p.length) {
                return null;
            }
            imm = (int) u32(p, off);
            off += 4;
        }
        if (hasAeth) {
            off += 4;
        }
        int payloadEnd = p.length - 4 - pad;
        byte[] payload = off <= payloadEnd ? Arrays.copyOfRange(p, off, payloadEnd) : new byte[0];
        return new RoceV2(opcode, se, pad, pkey, destQp, ackReq, psn, va, rkey, dmaLen, imm, payload);
    }

    static int u16(byte[] d, int i) {
        return ((d[i] & 0xff) << 8) | (d[i + 1] & 0xff);
    }

    static int u24(byte[] d, int i) {
        return ((d[i] & 0xff) << 16) | ((d[i + 1] & 0xff) << 8) | (d[i + 2] & 0xff);
    }

    static long u32(byte[] d, int i) {
        return ((long) u16(d, i) << 16) | u16(d, i + 2);
    }

    static long u64(byte[] d, int i) {
        return (u32(d, i) << 32) | u32(d, i + 4);
    }
}
