package io.smcj.protocol;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldsTest {
    static Fields sample() {
        return new Fields()
                .add("type", 2, 4)
                .add("first_contact", true, 7)
                .add("peer_id", PeerId.of(Hex.parse("5d3b525400990001")), 8)
                .add("gid", Gid.parse("::ffff:10.99.0.1"), 16)
                .addHex("peer_diagnosis", 0x03030008L, 16, "NOUEID (peer sent no (matching) UEID)")
                .addU64("rmb_dma_addr", 0xff181dbdc9b40000L, 52)
                .add("signed_long", -1L, 60)
                .add("hostname", "vm1 \"quoted\"\\\n\t\u0001", 108)
                .add("prefixes", List.of(new Fields().add("prefix", "fe80::", 48).add("prefix_len", 64, 64),
                        new Fields().add("prefix", "2001:db8::", 65)), 48)
                .add("eids", List.of("SMCTEST-UEID", "B"), 104)
                .add("empty", List.of(), -1)
                .add("fce", new Fields().add("os_type", 2, 105, "LINUX"), 104)
                .add("nothing", null);
    }

    @Test
    void textShowsEveryFieldWithNotesAndNesting() {
        String t = sample().toText();
        assertTrue(t.startsWith("type: 2\nfirst_contact: true\npeer_id: 5d3b:52:54:00:99:00:01\ngid: ::ffff:10.99.0.1\n"), t);
        assertTrue(t.contains("peer_diagnosis: 50528264  (0x3030008 NOUEID (peer sent no (matching) UEID))\n"), t);
        assertTrue(t.contains("prefixes:\n  [0]\n    prefix: fe80::\n    prefix_len: 64\n  [1]\n    prefix: 2001:db8::\n"), t);
        assertTrue(t.contains("eids: [SMCTEST-UEID, B]\n"), t);
        assertTrue(t.contains("rmb_dma_addr: 18381474580082720768  (0xff181dbdc9b40000)\n"), t);
        assertTrue(t.contains("fce:\n  os_type: 2  (LINUX)\n"), t);
        assertTrue(t.endsWith("nothing: null\n"), t);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonIsValidWithNumbersAsNumbersAndAddressesAsStrings() {
        Map<String, Object> m = (Map<String, Object>) MiniJson.parse(sample().toJson());
        assertEquals(BigInteger.valueOf(2), m.get("type"));
        assertEquals(Boolean.TRUE, m.get("first_contact"));
        assertEquals("5d3b:52:54:00:99:00:01", m.get("peer_id"));
        assertEquals("::ffff:10.99.0.1", m.get("gid"));
        assertEquals(BigInteger.valueOf(0x03030008L), m.get("peer_diagnosis"));
        assertEquals("0x3030008 NOUEID (peer sent no (matching) UEID)", m.get("peer_diagnosis_text"));
        assertEquals(new BigInteger("ff181dbdc9b40000", 16), m.get("rmb_dma_addr"), "u64 stays unsigned");
        assertEquals("0xff181dbdc9b40000", m.get("rmb_dma_addr_text"));
        assertEquals(BigInteger.valueOf(-1), m.get("signed_long"), "a plain long is printed as Java's signed value");
        assertEquals("vm1 \"quoted\"\\\n\t\u0001", m.get("hostname"));
        List<Object> prefixes = (List<Object>) m.get("prefixes");
        assertEquals(2, prefixes.size());
        assertEquals(BigInteger.valueOf(64), ((Map<String, Object>) prefixes.get(0)).get("prefix_len"));
        assertEquals(List.of("SMCTEST-UEID", "B"), m.get("eids"));
        assertEquals(List.of(), m.get("empty"));
        assertEquals("LINUX", ((Map<String, Object>) m.get("fce")).get("os_type_text"));
        assertTrue(m.containsKey("nothing"));
        assertNull(m.get("nothing"));
    }

    @Test
    void getFindsAFieldAtThisLevel() {
        Fields f = sample();
        assertEquals(16, f.get("gid").offset());
        assertEquals("::ffff:10.99.0.1", f.get("gid").value());
        assertNull(f.get("prefix"), "nested fields are not searched");
        assertThrows(UnsupportedOperationException.class, () -> f.list().clear());
    }

    @Property
    void anyStringSurvivesJson(@ForAll String s) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) MiniJson.parse(new Fields().add(s.isEmpty() ? "k" : "k" + s, s).toJson());
        assertEquals(s, m.values().iterator().next());
    }

    @Test
    void miniJsonRejectsInvalidJson() {
        for (String bad : new String[] {"{", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1}x", "{a:1}", "{\"a\":1,\"a\":2}",
            "[1 2]", "\"\u0001\""}) {
            assertThrows(IllegalArgumentException.class, () -> MiniJson.parse(bad), bad);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void repeatedNamesGetUniqueJsonKeys() {
        Fields f = new Fields().add("reserved", 0, 2).add("x", 1, 3, "note").add("reserved", "0000", 36)
                .add("reserved", "00", 40).add("x_text", "y");
        Map<String, Object> m = (Map<String, Object>) MiniJson.parse(f.toJson());
        assertEquals(List.of("reserved", "x", "x_text", "reserved_2", "reserved_3", "x_text_2"), List.copyOf(m.keySet()));
        assertEquals("0000", m.get("reserved_2"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void addHexIsUnsigned() {
        Fields f = new Fields().addHex("rmb_dma_addr", 0xff181dbdc9b40000L, 52, null).addHex("flags", 0x83, 3, "RESP");
        Map<String, Object> m = (Map<String, Object>) MiniJson.parse(f.toJson());
        assertEquals(new BigInteger("ff181dbdc9b40000", 16), m.get("rmb_dma_addr"));
        assertEquals("0xff181dbdc9b40000", m.get("rmb_dma_addr_text"));
        assertEquals(BigInteger.valueOf(0x83), m.get("flags"));
        assertEquals("0x83 RESP", m.get("flags_text"));
        assertTrue(f.toText().contains("rmb_dma_addr: 18381474580082720768  (0xff181dbdc9b40000)"), f.toText());
    }
}
