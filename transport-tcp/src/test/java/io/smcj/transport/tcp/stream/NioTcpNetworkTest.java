package io.smcj.transport.tcp.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.transport.tcp.SmcRole;
import io.smcj.transport.tcp.TrustedPeersProbe;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NioTcpNetworkTest {
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    @Test
    void streamsCarryBytesHalfCloseAndVerdicts() throws Exception {
        NioTcpNetwork net = new NioTcpNetwork(new TrustedPeersProbe(List.of(LO), SmcPolicy.allowAll(), null));
        try (TcpStreamListener l = net.listen(new InetSocketAddress(LO, 0), true)) {
            assertNull(l.accept(Duration.ofMillis(50)), "nothing to accept yet");
            TcpStream c = net.connect(l.localAddress(), true, Duration.ofSeconds(5));
            TcpStream s = l.accept(Duration.ofSeconds(5));
            assertTrue(c.smcVerdict().smcPossible());
            assertEquals(SmcRole.CLIENT, c.smcVerdict().role());
            assertEquals(SmcRole.SERVER, s.smcVerdict().role());
            byte[] msg = "hello".getBytes();
            c.write(msg, 0, msg.length, Duration.ofSeconds(1));
            byte[] got = new byte[5];
            s.readFully(got, 0, 5, Duration.ofSeconds(1));
            assertArrayEquals(msg, got);
            assertThrows(SocketTimeoutException.class, () -> s.read(got, 0, 1, Duration.ofMillis(50)));
            c.shutdownOutput();
            assertEquals(-1, s.read(got, 0, 1, Duration.ofSeconds(1)));
            c.close();
            s.close();
        }
    }

    @Test
    void notOfferingSmcGivesANoSmcVerdict() throws Exception {
        NioTcpNetwork net = new NioTcpNetwork(new TrustedPeersProbe(List.of(LO), SmcPolicy.allowAll(), null));
        try (TcpStreamListener l = net.listen(new InetSocketAddress(LO, 0), false)) {
            TcpStream c = net.connect(l.localAddress(), false, Duration.ofSeconds(5));
            TcpStream s = l.accept(Duration.ofSeconds(5));
            assertFalse(c.smcVerdict().smcPossible());
            assertFalse(s.smcVerdict().smcPossible());
            c.abort();
            assertThrows(IOException.class, () -> {
                byte[] b = new byte[1];
                while (s.read(b, 0, 1, Duration.ofSeconds(2)) >= 0) {
                    // until reset or EOF
                }
                throw new IOException("EOF after abort");
            });
            s.close();
        }
    }
}
