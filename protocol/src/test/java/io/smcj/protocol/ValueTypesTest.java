package io.smcj.protocol;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MacAddress, PeerId, Qpn, Psn, Rkey, AlertToken, SmcVersion/Release/Type, QpMtu, OsType. */
class ValueTypesTest {
    @Test
    void macShouldParseTheUsualForms() {
        MacAddress m = MacAddress.parse("52:54:00:99:00:01");
        assertEquals("52:54:00:99:00:01", m.toString());
        assertEquals(m, MacAddress.parse("52-54-00-99-00-01"));
        assertEquals(m, MacAddress.parse("525400990001"));
        assertEquals(m, MacAddress.parse(" 52:54:00:99:00:01 "));
        assertEquals("aa:bb:cc:dd:ee:ff", MacAddress.parse("AA:BB:CC:DD:EE:FF").toString());
        for (String bad : new String[] {"52:54:00:99:00", "52:54:00:99:00:01:02", "zz:54:00:99:00:01", "", "5254009900"}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
    }

    @Property
    void macShouldRoundTrip(@ForAll @Size(6) byte[] b) {
        MacAddress m = MacAddress.of(b);
        assertArrayEquals(b, m.bytes());
        assertEquals(m, MacAddress.parse(m.toString()));
        assertEquals(m.hashCode(), MacAddress.of(b).hashCode());
    }

    @Test
    void peerIdShouldBeInstanceThenMac() {
        PeerId p = PeerId.of(Hex.parse("5d3b525400990001"));
        assertEquals(0x5d3b, p.instance());
        assertEquals(MacAddress.parse("52:54:00:99:00:01"), p.mac());
        assertEquals("5d3b:52:54:00:99:00:01", p.toString());
        assertTrue(PeerId.ZERO.isZero());
        assertFalse(p.isZero());
        assertThrows(IllegalArgumentException.class, () -> new PeerId(0x10000, MacAddress.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new PeerId(-1, MacAddress.ZERO));
        assertThrows(NullPointerException.class, () -> new PeerId(1, null));
        assertThrows(IllegalArgumentException.class, () -> PeerId.of(new byte[7]));
    }

    @Property
    void peerIdShouldRoundTrip(@ForAll @Size(8) byte[] b) {
        assertArrayEquals(b, PeerId.of(b).bytes());
    }

    @Property
    void qpnAndPsnAccept24BitsOnly(@ForAll int v) {
        boolean fits = v >= 0 && v <= 0xFFFFFF;
        if (fits) {
            assertEquals(v, new Qpn(v).value());
            assertEquals(v, new Psn(v).value());
            assertEquals(Integer.toString(v), new Qpn(v).toString());
        } else {
            assertThrows(IllegalArgumentException.class, () -> new Qpn(v));
            assertThrows(IllegalArgumentException.class, () -> new Psn(v));
        }
    }

    @Test
    void qpnAndPsnBounds() {
        assertEquals(0xFFFFFF, new Qpn(Qpn.MAX).value());
        assertThrows(IllegalArgumentException.class, () -> new Qpn(0x1000000));
        assertEquals(0, new Psn(0).value());
        assertThrows(IllegalArgumentException.class, () -> new Psn(0x1000000));
    }

    @Property
    void rkeyAndAlertTokenAreUnsigned32(@ForAll int v) {
        assertEquals(Integer.toUnsignedLong(v), new Rkey(v).unsigned());
        assertEquals(String.format("0x%08x", v), new Rkey(v).toString());
        assertEquals(Long.toString(Integer.toUnsignedLong(v)), new AlertToken(v).toString());
        assertEquals(v != 0, new AlertToken(v).isValid(), "alert token 0 is reserved");
    }

    @Test
    void smallEnumsMapTheirWireValues() {
        assertEquals(SmcVersion.V1, SmcVersion.ofWire(1));
        assertEquals(SmcVersion.V2, SmcVersion.ofWire(2));
        assertNull(SmcVersion.ofWire(0));
        assertNull(SmcVersion.ofWire(3));
        assertEquals(SmcRelease.V2_1, SmcRelease.CURRENT);
        assertEquals(SmcRelease.V2_0, SmcRelease.ofWire(0));
        assertNull(SmcRelease.ofWire(2));
        assertEquals("v2.1", SmcRelease.V2_1.label());
        for (SmcType t : SmcType.values()) {
            assertEquals(t, SmcType.ofWire(t.wire()));
        }
        assertTrue(SmcType.B.includesR() && SmcType.B.includesD());
        assertFalse(SmcType.N.includesR() || SmcType.N.includesD());
        assertEquals(QpMtu.MTU_1024, QpMtu.ofWire(3));
        assertEquals(1024, QpMtu.ofWire(3).bytes());
        assertNull(QpMtu.ofWire(0));
        assertNull(QpMtu.ofWire(6));
        assertEquals(QpMtu.MTU_1024, QpMtu.min(QpMtu.MTU_4096, QpMtu.MTU_1024));
        assertEquals(OsType.LINUX, OsType.ofWire(2));
        assertEquals(OsType.UNKNOWN, OsType.ofWire(15));
        assertNull(OsType.ofWire(7));
    }

    @Property
    void qpMtuWireValuesAreTheIbEnum(@ForAll @IntRange(min = 1, max = 5) int w) {
        assertEquals(128 << w, QpMtu.ofWire(w).bytes());
        assertEquals(w, QpMtu.ofWire(w).wire());
    }
}
