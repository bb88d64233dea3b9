package io.smcj.transport.rdma;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;

/**
 * A 16-byte GID ({@code union ibv_gid}), held as two big-endian longs so it is a value.
 *
 * @param hi bytes 0..7 (subnet prefix)
 * @param lo bytes 8..15 (interface id)
 */
public record VerbsGid(long hi, long lo) {

    public static final VerbsGid ZERO = new VerbsGid(0, 0);

    /** From the 16 raw bytes as they appear in {@code ibv_query_gid} and on the wire. */
    public static VerbsGid of(byte[] raw) {
        if (raw == null || raw.length != 16) {
            throw new IllegalArgumentException("GID must be 16 bytes, got " + (raw == null ? "null" : raw.length));
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (raw[i] & 0xff);
            lo = (lo << 8) | (raw[i + 8] & 0xff);
        }
        return new VerbsGid(hi, lo);
    }

    /**
     * The RoCE v2 GID of an IP address: IPv4 becomes the IPv4-mapped IPv6 address
     * {@code ::ffff:a.b.c.d}, IPv6 is used as is (as the kernel's {@code rdma_ip2gid}).
     */
    public static VerbsGid fromIp(InetAddress ip) {
        byte[] raw = new byte[16];
        if (ip instanceof Inet4Address v4) {
            raw[10] = (byte) 0xff;
            raw[11] = (byte) 0xff;
            System.arraycopy(v4.getAddress(), 0, raw, 12, 4);
        } else if (ip instanceof Inet6Address v6) {
            System.arraycopy(v6.getAddress(), 0, raw, 0, 16);
        } else {
            throw new IllegalArgumentException("not an IP address: " + ip);
        }
        return of(raw);
    }

    /** The RoCE v1 (and default link-local) GID of a MAC: fe80::/64 with the EUI-64 interface id. */
    public static VerbsGid fromMac(byte[] mac) {
        if (mac == null || mac.length != 6) {
            throw new IllegalArgumentException("MAC must be 6 bytes");
        }
        byte[] raw = new byte[16];
        raw[0] = (byte) 0xfe;
        raw[1] = (byte) 0x80;
        raw[8] = (byte) (mac[0] ^ 0x02);
        raw[9] = mac[1];
        raw[10] = mac[2];
        raw[11] = (byte) 0xff;
        raw[12] = (byte) 0xfe;
        raw[13] = mac[3];
        raw[14] = mac[4];
        raw[15] = mac[5];
        return of(raw);
    }

    public byte[] bytes() {
        byte[] raw = new byte[16];
        for (int i = 0; i < 8; i++) {
            raw[i] = (byte) (hi >>> (56 - 8 * i));
            raw[i + 8] = (byte) (lo >>> (56 - 8 * i));
        }
        return raw;
    }

    /** True for an IPv4-mapped GID (::ffff:a.b.c.d). */
    public boolean isIpv4Mapped() {
        return hi == 0 && (lo >>> 32) == 0xffffL;
    }

    /** The IP address this GID encodes (IPv4 for mapped GIDs, otherwise the IPv6 address). */
    public InetAddress toInetAddress() {
        byte[] raw = bytes();
        try {
            if (isIpv4Mapped()) {
                return InetAddress.getByAddress(new byte[] {raw[12], raw[13], raw[14], raw[15]});
            }
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes());
    }
}
