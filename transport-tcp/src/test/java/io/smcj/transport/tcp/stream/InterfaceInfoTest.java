package io.smcj.transport.tcp.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.transport.tcp.TrustedPeersProbe;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InterfaceInfoTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void subnetMembershipByPrefixBits() throws Exception {
        InterfaceInfo.Address a = new InterfaceInfo.Address(ip("10.1.2.3"), 23);
        assertTrue(a.contains(ip("10.1.3.200")));
        assertFalse(a.contains(ip("10.1.4.1")));
        assertFalse(a.contains(ip("fd00::1")), "another family is never in the subnet");
        InterfaceInfo.Address v6 = new InterfaceInfo.Address(ip("fd00:1:2:3::1"), 61);
        assertTrue(v6.contains(ip("fd00:1:2:7::9")));
        assertFalse(v6.contains(ip("fd00:1:2:8::1")));
        assertTrue(new InterfaceInfo.Address(ip("10.0.0.1"), 0).contains(ip("192.168.0.1")));
        assertThrows(IllegalArgumentException.class, () -> new InterfaceInfo.Address(ip("10.0.0.1"), 33));
        assertThrows(IllegalArgumentException.class, () -> new InterfaceInfo.Address(ip("::1"), 129));
    }

    @Test
    void nioStreamsReportTheLoopbackInterfaceOnlyWhenAsked() throws Exception {
        TrustedPeersProbe probe = new TrustedPeersProbe(List.of(LO), SmcPolicy.allowAll(), null);
        for (boolean report : new boolean[] {false, true}) {
            NioTcpNetwork net = new NioTcpNetwork(probe, report);
            try (TcpStreamListener l = net.listen(new InetSocketAddress(LO, 0), true);
                 TcpStream c = net.connect(l.localAddress(), true, Duration.ofSeconds(5));
                 TcpStream s = l.accept(Duration.ofSeconds(5))) {
                assertNotNull(s);
                assertEquals(report, c.localInterface().isPresent());
                assertEquals(report, s.localInterface().isPresent());
                if (report) {
                    InterfaceInfo i = c.localInterface().orElseThrow();
                    assertTrue(i.addresses().stream().anyMatch(a -> a.address().equals(LO)), i.toString());
                    assertTrue(i.addresses().stream().anyMatch(a -> a.contains(LO)), i.toString());
                    assertEquals(i.name(), s.localInterface().orElseThrow().name());
                }
            }
        }
    }
}
