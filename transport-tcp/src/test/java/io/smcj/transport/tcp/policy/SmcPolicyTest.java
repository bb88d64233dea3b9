package io.smcj.transport.tcp.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.transport.tcp.SmcRole;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class SmcPolicyTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void portRulesFirstMatchThenDefault() throws Exception {
        SmcPolicy p = SmcPolicy.parse("port 8080 off; port 8000-8100 on; port default off");
        PolicyDecision d = p.decide(SmcRole.SERVER, 8080, ip("10.0.0.1"));
        assertFalse(d.enabled());
        assertEquals(1, d.portRule());
        assertEquals(-1, d.prefixRule()); // servers: destination rules not evaluated
        assertEquals("port rule #1 (8080 off) -> off", d.description());
        assertTrue(p.decide(SmcRole.SERVER, 8081, ip("10.0.0.1")).enabled());
        assertEquals(2, p.decide(SmcRole.SERVER, 8100, ip("10.0.0.1")).portRule());
        PolicyDecision dflt = p.decide(SmcRole.SERVER, 8101, ip("10.0.0.1"));
        assertFalse(dflt.enabled());
        assertEquals(0, dflt.portRule());
        assertEquals("port default (off) -> off", dflt.description());
    }

    @Test
    void prefixRulesForClientsIpv4Ipv6AndMapped() throws Exception {
        SmcPolicy p = SmcPolicy.parse("dst 10.1.0.0/16 off, dst 10.0.0.0/8 on, dst fd00::/8 on, dst default off");
        assertFalse(p.decide(SmcRole.CLIENT, 40000, ip("10.1.2.3")).enabled());
        assertEquals(1, p.decide(SmcRole.CLIENT, 40000, ip("10.1.2.3")).prefixRule());
        assertTrue(p.decide(SmcRole.CLIENT, 40000, ip("10.2.2.3")).enabled());
        assertEquals(2, p.decide(SmcRole.CLIENT, 40000, ip("10.2.2.3")).prefixRule());
        assertTrue(p.decide(SmcRole.CLIENT, 40000, ip("fd12::1")).enabled());
        assertFalse(p.decide(SmcRole.CLIENT, 40000, ip("192.168.0.1")).enabled());
        assertEquals(0, p.decide(SmcRole.CLIENT, 40000, ip("192.168.0.1")).prefixRule());
        // the IPv4 rule also matches the IPv4-mapped IPv6 form (Java parses it as IPv4 too)
        assertEquals(1, p.decide(SmcRole.CLIENT, 40000, ip("::ffff:10.1.9.9")).prefixRule());
        // servers ignore destination rules
        assertTrue(p.decide(SmcRole.SERVER, 40000, ip("192.168.0.1")).enabled());
    }

    @Test
    void portAndPrefixCombineWithAnd() throws Exception {
        SmcPolicy p = SmcPolicy.parse("port 5000 off; port default on; dst 10.0.0.0/8 on; dst default off");
        assertTrue(p.decide(SmcRole.CLIENT, 6000, ip("10.0.0.1")).enabled()); // on AND on
        assertFalse(p.decide(SmcRole.CLIENT, 5000, ip("10.0.0.1")).enabled()); // off AND on
        assertFalse(p.decide(SmcRole.CLIENT, 6000, ip("11.0.0.1")).enabled()); // on AND off
        assertFalse(p.decide(SmcRole.CLIENT, 5000, ip("11.0.0.1")).enabled()); // off AND off
        assertEquals("port rule #1 (5000 off) AND dst rule #1 (10.0.0.0/8 on) -> off",
                p.decide(SmcRole.CLIENT, 5000, ip("10.0.0.1")).description());
        assertEquals("port default (on) AND dst default (off) -> off",
                p.decide(SmcRole.CLIENT, 6000, ip("11.0.0.1")).description());
    }

    @Test
    void allowAllAndRoundTripText() throws Exception {
        assertTrue(SmcPolicy.allowAll().isAllowAll());
        assertTrue(SmcPolicy.parse("").decide(SmcRole.CLIENT, 1, ip("1.2.3.4")).enabled());
        SmcPolicy p = SmcPolicy.parse("port 1-2 on; port default off; dst 2001:db8::/32 off; dst default on");
        assertEquals("port 1-2 on; port default off; dst 2001:db8:0:0:0:0:0:0/32 off; dst default on", p.toString());
        assertEquals(p.toString(), SmcPolicy.parse(p.toString()).toString());
        assertFalse(p.isAllowAll());
    }

    @Test
    void badInputIsRejectedClearly() {
        assertThrows(IllegalArgumentException.class, () -> SmcPolicy.parse("port 80"));
        assertThrows(IllegalArgumentException.class, () -> SmcPolicy.parse("port 80 maybe"));
        assertThrows(IllegalArgumentException.class, () -> SmcPolicy.parse("port 90-80 on"));
        assertThrows(IllegalArgumentException.class, () -> SmcPolicy.parse("port 70000 on"));
        assertThrows(IllegalArgumentException.class, () -> SmcPolicy.parse("dst 10.0.0.1/8 on")); // host bits
        assertThrows(IllegalArgumentException.class, () -> SmcPolicy.parse("dst 10.0.0.0/33 on"));
        assertThrows(IllegalArgumentException.class, () -> SmcPolicy.parse("dst example.invalid/8 on"));
        assertThrows(IllegalArgumentException.class, () -> SmcPolicy.parse("src 10.0.0.0/8 on"));
        assertThrows(IllegalArgumentException.class, () -> SmcPolicy.allowAll().explain(1, 0));
    }
}
