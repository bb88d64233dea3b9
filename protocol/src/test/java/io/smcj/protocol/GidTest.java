package io.smcj.protocol;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GidTest {
    @Test
    void shouldBuildTheRoceV2GidOfAnIpv4Address() throws Exception {
        Gid g = Gid.ofIpv4((Inet4Address) InetAddress.getByName("10.99.0.1"));
        assertEquals("00000000000000000000ffff0a630001", Hex.of(g.bytes()));
        assertTrue(g.isIpv4Mapped());
        assertEquals("10.99.0.1", g.ipv4().getHostAddress());
        assertEquals("::ffff:10.99.0.1", g.toString());
        assertEquals(g, Gid.parse("::ffff:10.99.0.1"));
        assertEquals(g, Gid.parse("00000000000000000000FFFF0A630001"));
    }

    @Test
    void shouldPrintOtherGidsInRfc5952Form() {
        assertEquals("fe80::5054:ff:fe99:1", Gid.parse("fe80:0:0:0:5054:ff:fe99:1").toString());
        assertEquals("::", Gid.ZERO.toString());
        assertEquals("1::", Gid.parse("1:0:0:0:0:0:0:0").toString());
        assertEquals("1:0:2::3", Gid.parse("1:0:2:0:0:0:0:3").toString(), "a single zero group stays");
        assertEquals("1::2:0:0:3", Gid.parse("1:0:0:0:2:0:0:3").toString(), "the first longest run is compressed");
        assertFalse(Gid.parse("fe80::1").isIpv4Mapped());
        assertThrows(IllegalStateException.class, () -> Gid.parse("fe80::1").ipv4());
    }

    @Test
    void shouldRejectWhatIsNoGidWithoutLookingItUp() {
        for (String bad : new String[] {"10.0.0.1", "host.example:80", "gg::1", "fe80::1%eth0", "", "1:2:3:4:5:6:7:8:9",
            "0123456789abcdef0123456789abcde"}) {
            assertThrows(IllegalArgumentException.class, () -> Gid.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Gid.of(new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> Gid.of(null));
    }

    @Test
    void shouldCopyItsBytes() {
        byte[] b = new byte[16];
        Gid g = Gid.of(b);
        b[0] = 1;
        assertTrue(g.isZero());
        g.bytes()[0] = 1;
        assertTrue(g.isZero());
    }

    @Property
    void printThenParseShouldGiveTheSameGid(@ForAll @Size(16) byte[] b) {
        Gid g = Gid.of(b);
        assertEquals(g, Gid.parse(g.toString()));
        assertEquals(g, Gid.parse(Hex.of(b)));
        assertArrayEquals(b, g.bytes());
    }

    @Property
    void everyIpv4AddressShouldMapAndComeBack(@ForAll @Size(4) byte[] v4) throws Exception {
        Inet4Address a = (Inet4Address) InetAddress.getByAddress(v4);
        Gid g = Gid.ofIpv4(a);
        assertTrue(g.isIpv4Mapped());
        assertEquals(a, g.ipv4());
        assertEquals("::ffff:" + a.getHostAddress(), g.toString());
        assertEquals(g, Gid.parse(g.toString()));
    }
}
