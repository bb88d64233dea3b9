package io.smcj.transport.tcp.bpf;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Minimal classic-pcap reader for Ethernet frames carrying IPv4/IPv6 TCP: just what the tests check. */
final class Pcap {
    static final int SYN = 0x02, ACK = 0x10;

    record TcpSegment(InetAddress src, InetAddress dst, int srcPort, int dstPort, int flags, byte[] options) {
        boolean isSyn() {
            return (flags & (SYN | ACK)) == SYN;
        }

        boolean isSynAck() {
            return (flags & (SYN | ACK)) == (SYN | ACK);
        }

        /** The raw bytes of every option with this kind (kind and length included). */
        List<byte[]> optionsOfKind(int kind) {
            List<byte[]> out = new ArrayList<>();
            int i = 0;
            while (i < options.length) {
                int k = options[i] & 0xff;
                if (k == 0) {
                    break;
                }
                if (k == 1) {
                    i++;
                    continue;
                }
                if (i + 1 >= options.length) {
                    throw new IllegalStateException("truncated option list " + HexFormat.of().formatHex(options));
                }
                int len = options[i + 1] & 0xff;
                if (len < 2 || i + len > options.length) {
                    throw new IllegalStateException("bad option length at " + i + ": " + HexFormat.of().formatHex(options));
                }
                if (k == kind) {
                    out.add(Arrays.copyOfRange(options, i, i + len));
                }
                i += len;
            }
            return out;
        }

        @Override
        public String toString() {
            return src.getHostAddress() + "." + srcPort + " > " + dst.getHostAddress() + "." + dstPort + " flags 0x"
                    + Integer.toHexString(flags) + " options " + HexFormat.of().formatHex(options);
        }
    }

    private Pcap() {
    }

    static List<TcpSegment> read(Path file) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(file));
        List<TcpSegment> out = new ArrayList<>();
        if (bb.remaining() < 24) {
            return out;
        }
        int magic = bb.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            bb.order(ByteOrder.BIG_ENDIAN);
            magic = bb.getInt(0);
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
                throw new IOException("not a classic pcap file: magic " + Integer.toHexString(magic));
            }
        }
        int linkType = bb.getInt(20);
        if (linkType != 1) {
            throw new IOException("link type " + linkType + " (expected Ethernet)");
        }
        int pos = 24;
        while (pos + 16 <= bb.limit()) {
            int incl = bb.getInt(pos + 8);
            int start = pos + 16;
            if (incl < 0 || start + incl > bb.limit()) {
                break; // record still being written
            }
            parseFrame(Arrays.copyOfRange(bb.array(), start, start + incl), out);
            pos = start + incl;
        }
        return out;
    }

    private static void parseFrame(byte[] f, List<TcpSegment> out) throws IOException {
        if (f.length < 14) {
            return;
        }
        int type = u16(f, 12);
        int ip = 14;
        byte[] src, dst;
        int tcp;
        if (type == 0x0800) {
            int ihl = (f[ip] & 0x0f) * 4;
            if ((f[ip + 9] & 0xff) != 6) {
                return;
            }
            src = Arrays.copyOfRange(f, ip + 12, ip + 16);
            dst = Arrays.copyOfRange(f, ip + 16, ip + 20);
            tcp = ip + ihl;
        } else if (type == 0x86dd) {
            if ((f[ip + 6] & 0xff) != 6) {
                return; // extension headers are not expected in these tests
            }
            src = Arrays.copyOfRange(f, ip + 8, ip + 24);
            dst = Arrays.copyOfRange(f, ip + 24, ip + 40);
            tcp = ip + 40;
        } else {
            return;
        }
        if (tcp + 20 > f.length) {
            return;
        }
        int dataOff = ((f[tcp + 12] & 0xf0) >> 4) * 4;
        byte[] opts = Arrays.copyOfRange(f, tcp + 20, Math.min(f.length, tcp + dataOff));
        out.add(new TcpSegment(InetAddress.getByAddress(src), InetAddress.getByAddress(dst), u16(f, tcp),
                u16(f, tcp + 2), f[tcp + 13] & 0xff, opts));
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) << 8 | (b[off + 1] & 0xff);
    }
}
