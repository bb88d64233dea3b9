package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcDecline;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcType;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import io.smcj.simulator.SimFabric;
import io.smcj.simulator.tcp.SimNetwork;
import io.smcj.simulator.tcp.SimTcpStreams;
import io.smcj.transport.tcp.stream.TcpStream;
import io.smcj.transport.tcp.stream.TcpStreamListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ClcChannel#receiveIfAny}: the client's wait for a CLC Decline after the ADD LINK window
 * ({@code smc_clc_wait_msg(..., SMC_CLC_DECLINE, CLC_WAIT_TIME_SHORT)} in
 * {@code smcr_clnt_conf_first_link}): silence is no error, a Decline is read whole and not a byte
 * more.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClcChannelTest {

    @Test
    void silenceGivesNullAndADeclineIsReadWholeLeavingTheBytesAfterIt() throws Exception {
        try (SimFabric fabric = SimFabric.fast()) {
            SimNetwork net = new SimNetwork(fabric);
            SimTcpStreams server = new SimTcpStreams(net, SimPair.ip("10.0.0.1"));
            SimTcpStreams client = new SimTcpStreams(net, SimPair.ip("10.0.0.2"));
            TcpStreamListener l = server.listen(new InetSocketAddress(SimPair.ip("10.0.0.1"), 7000), true);
            TcpStream c = client.connect(l.localAddress(), true, Duration.ofSeconds(5));
            TcpStream s = l.accept(Duration.ofSeconds(5));
            ClcChannel ch = new ClcChannel(c, EngineTrace.NONE, "client");

            assertNull(ch.receiveIfAny(ClcType.DECLINE, Duration.ofMillis(50)), "nothing sent: no Decline");

            ClcDecline d = ClcDecline.linux(2, new PeerId(7, MacAddress.of(new byte[] {2, 0, 0, 0, 0, 1})),
                    DeclineCode.TIMEOUT_CL);
            byte[] decl = ClcCodec.encode(d);
            byte[] app = {1, 2, 3, 4, 5};
            byte[] both = new byte[decl.length + app.length];
            System.arraycopy(decl, 0, both, 0, decl.length);
            System.arraycopy(app, 0, both, decl.length, app.length);
            s.write(both, 0, both.length, Duration.ofSeconds(5));

            ClcMessage m = ch.receiveIfAny(ClcType.DECLINE, Duration.ofSeconds(5));
            ClcDecline got = assertInstanceOf(ClcDecline.class, m);
            assertEquals(DeclineCode.TIMEOUT_CL.value(), got.peerDiagnosis());
            byte[] rest = new byte[app.length];
            c.readFully(rest, 0, rest.length, Duration.ofSeconds(5));
            assertArrayEquals(app, rest, "the bytes after the Decline are still in the stream");
            c.close();
            s.close();
            l.close();
        }
    }
}
