package io.smcj.protocol;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HexTest {
    static final byte[] DECLINE = Hex.parse("e2d4c3d904002c20025e525400990002030300000000000000000000000000000000000000000000e2d4c3d9");

    @Test
    void plainAndSpacedAndPrefixed() {
        assertArrayEquals(DECLINE, Hex.parseLenient(Hex.of(DECLINE)));
        assertArrayEquals(new byte[] {(byte) 0xe2, (byte) 0xd4, 1}, Hex.parseLenient("E2 D4 01"));
        assertArrayEquals(new byte[] {(byte) 0xe2, (byte) 0xd4, 1}, Hex.parseLenient("0xe2 0xD4 0x01"));
        assertArrayEquals(new byte[] {(byte) 0xe2, (byte) 0xd4, 1}, Hex.parseLenient("e2:d4:01"));
        assertArrayEquals(new byte[] {(byte) 0xe2, (byte) 0xd4, 1}, Hex.parseLenient("e2,d4,01\n"));
        assertArrayEquals(new byte[] {(byte) 0xfe, 0x2c, 0, 1}, Hex.parseLenient("fe2c 0001"));
        assertArrayEquals(new byte[0], Hex.parseLenient("  \n "));
    }

    @Test
    void longTokenFollowedByGroupsIsDataNotAnOffset() {
        // ./smcj decode fe2c0001...  00c0 ...: the first token is data, it does not count the bytes so far
        byte[] b = Hex.parseLenient("fe2c00010000000100000000000010000000000000001008 00c0 0000");
        assertEquals(28, b.length);
        assertEquals((byte) 0xfe, b[0]);
    }

    @Test
    void hexdumpCanonical() {
        String dump = """
                00000000  e2 d4 c3 d9 04 00 2c 20  02 5e 52 54 00 99 00 02  |......, .^RT....|
                00000010  03 03 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
                00000020  00 00 00 00 00 00 00 00  e2 d4 c3 d9              |............|
                0000002c
                """;
        assertArrayEquals(DECLINE, Hex.parseLenient(dump));
    }

    @Test
    void xxd() {
        String dump = """
                00000000: e2d4 c3d9 0400 2c20 025e 5254 0099 0002  ......, .^RT....
                00000010: 0303 0000 0000 0000 0000 0000 0000 0000  ................
                00000020: 0000 0000 0000 0000 e2d4 c3d9            ............
                """;
        assertArrayEquals(DECLINE, Hex.parseLenient(dump));
    }

    @Test
    void xxdAsciiColumnThatLooksLikeHexIsIgnored() {
        // bytes "cafe" printed by xxd: the ASCII column reads "cafe", hex itself
        String dump = "00000000: 6361 6665                                cafe\n";
        assertArrayEquals(new byte[] {0x63, 0x61, 0x66, 0x65}, Hex.parseLenient(dump));
    }

    @Test
    void tcpdumpX() {
        String dump = """
                \t0x0000:  e2d4 c3d9 0400 2c20 025e 5254 0099 0002  ......,..^RT....
                \t0x0010:  0303 0000 0000 0000 0000 0000 0000 0000  ................
                \t0x0020:  0000 0000 0000 0000 e2d4 c3d9            ............
                """;
        assertArrayEquals(DECLINE, Hex.parseLenient(dump));
    }

    @Test
    void wiresharkCopyAsHexDump() {
        String dump = """
                0000   e2 d4 c3 d9 04 00 2c 20 02 5e 52 54 00 99 00 02   ......, .^RT....
                0010   03 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00   ................
                0020   00 00 00 00 00 00 00 00 e2 d4 c3 d9               ............
                """;
        assertArrayEquals(DECLINE, Hex.parseLenient(dump));
    }

    @Test
    void plainHexdumpWithSwappedWordsIsRefusedNotMisread() {
        String dump = "0000000 d4e2 d9c3 0004 202c 5e02 5452 9900 0200\n000000c\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.parseLenient(dump));
        assertTrue(e.getMessage().contains("hexdump -C"), e.getMessage());
    }

    @Test
    void errorsNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hex.parseLenient("e2 zz"));
        assertTrue(e.getMessage().contains("zz") || e.getMessage().contains("not hex"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Hex.parseLenient("e2d"));
        assertTrue(e.getMessage().contains("odd"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Hex.parseLenient("hello"));
        assertTrue(e.getMessage().contains("hello"), e.getMessage());
    }

    @Property
    void anyBytesRoundTripInEveryStyle(@ForAll @Size(max = 100) byte[] b) {
        assertArrayEquals(b, Hex.parseLenient(Hex.of(b)));
        assertArrayEquals(b, Hex.parseLenient(hexdumpC(b)));
        assertArrayEquals(b, Hex.parseLenient(spaced(b)));
    }

    static String spaced(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("0x%02X ", x));
        }
        return sb.toString();
    }

    static String hexdumpC(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int off = 0; off < b.length; off += 16) {
            sb.append(String.format("%08x ", off));
            StringBuilder ascii = new StringBuilder();
            for (int i = off; i < Math.min(b.length, off + 16); i++) {
                sb.append(i - off == 8 ? "  " : " ").append(String.format("%02x", b[i]));
                ascii.append(b[i] >= 0x20 && b[i] < 0x7f && b[i] != '|' ? (char) b[i] : '.');
            }
            sb.append("  |").append(ascii).append("|\n");
        }
        if (b.length > 0) {
            sb.append(String.format("%08x%n", b.length));
        }
        return sb.toString();
    }
}
