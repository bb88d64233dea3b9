package io.smcj.protocol.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads classic libpcap files (both byte orders, micro- and nanosecond timestamps). Only the
 * container is parsed here; {@link Packet#parse} dissects the frames. Modern pcapng is not
 * supported (tcpdump -w writes classic pcap).
 */
public final class PcapReader {
    /** LINKTYPE_ETHERNET. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** LINKTYPE_LINUX_SLL (tcpdump -i any). */
    public static final int LINKTYPE_LINUX_SLL = 113;
    /** LINKTYPE_LINUX_SLL2. */
    public static final int LINKTYPE_LINUX_SLL2 = 276;

    private PcapReader() {
    }

    /** One captured frame. */
    public record Frame(int number, long timestampNanos, int linkType, int originalLength, byte[] data) {
    }

    public static List<Frame> read(Path file) throws IOException {
        return read(Files.readAllBytes(file));
    }

    /** Parses a whole pcap file; throws IOException naming the offset of malformed input. */
    public static List<Frame> read(byte[] file) throws IOException {
        if (file.length < 24) {
            throw new IOException("pcap: file shorter than its 24-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(file);
        int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
        ByteOrder order;
        boolean nanos;
        switch (magic) {
            case 0xa1b2c3d4 -> { order = ByteOrder.BIG_ENDIAN; nanos = false; }
            case 0xd4c3b2a1 -> { order = ByteOrder.LITTLE_ENDIAN; nanos = false; }
            case 0xa1b23c4d -> { order = ByteOrder.BIG_ENDIAN; nanos = true; }
            case 0x4d3cb2a1 -> { order = ByteOrder.LITTLE_ENDIAN; nanos = true; }
            default -> throw new IOException(String.format(
                    "pcap: unknown magic 0x%08x (pcapng is not supported)", magic));
        }
        b.order(order);
        int linkType = b.getInt(20) & 0x0FFFFFFF;
        List<Frame> frames = new ArrayList<>();
        int pos = 24;
        int number = 1;
        while (pos < file.length) {
            if (pos + 16 > file.length) {
                throw new IOException("pcap: truncated record header at offset " + pos);
            }
            long sec = Integer.toUnsignedLong(b.getInt(pos));
            long frac = Integer.toUnsignedLong(b.getInt(pos + 4));
            int caplen = b.getInt(pos + 8);
            int origlen = b.getInt(pos + 12);
            if (caplen < 0 || pos + 16L + caplen > file.length) {
                throw new IOException("pcap: record " + number + " at offset " + pos + " claims "
                        + caplen + " bytes beyond the end of the file");
            }
            byte[] data = new byte[caplen];
            System.arraycopy(file, pos + 16, data, 0, caplen);
            long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            frames.add(new Frame(number++, ts, linkType, origlen, data));
            pos += 16 + caplen;
        }
        return frames;
    }
}
