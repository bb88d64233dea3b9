package io.smcj.simulator.tcp;

import io.smcj.transport.tcp.SmcCapabilityProbe;
import io.smcj.transport.tcp.SmcOptionVerdict;
import io.smcj.transport.tcp.SmcRole;
import io.smcj.transport.tcp.policy.PolicyDecision;
import io.smcj.transport.tcp.stream.InterfaceInfo;
import io.smcj.transport.tcp.stream.TcpNetwork;
import io.smcj.transport.tcp.stream.TcpStream;
import io.smcj.transport.tcp.stream.TcpStreamListener;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;

/**
 * The engine's {@link TcpNetwork} over a {@link SimNetwork}: one host of the simulated network
 * (its IP address is the local address of its connections). The SMC option verdict is what the
 * simulated handshake showed ({@link SynInfo#smcNegotiated()}), with kind SIMULATED.
 */
public final class SimTcpStreams implements TcpNetwork {

    private final SimNetwork net;
    private final InetAddress hostIp;
    private final List<InterfaceInfo> interfaces;

    /** A host with one address and no interface information (streams report no {@link TcpStream#localInterface()}). */
    public SimTcpStreams(SimNetwork net, InetAddress hostIp) {
        this.net = net;
        this.hostIp = hostIp;
        this.interfaces = List.of();
    }

    /**
     * A host with these net devices (e.g. {@code SimPortConfig.toInterface()} of its RoCE ports). A
     * connection's source address is the first address of the remote's family whose subnet holds
     * the remote (an on-link route), else the first address of that family (a default route); its
     * {@link TcpStream#localInterface()} is the device holding its local address.
     */
    public SimTcpStreams(SimNetwork net, List<InterfaceInfo> interfaces) {
        if (interfaces.isEmpty() || interfaces.getFirst().addresses().isEmpty()) {
            throw new IllegalArgumentException("a host needs an interface with an address");
        }
        this.net = net;
        this.interfaces = List.copyOf(interfaces);
        this.hostIp = interfaces.getFirst().addresses().getFirst().address();
    }

    private InetAddress sourceFor(InetAddress remote) {
        if (interfaces.isEmpty()) {
            return hostIp;
        }
        InetAddress sameFamily = null;
        for (InterfaceInfo i : interfaces) {
            for (InterfaceInfo.Address a : i.addresses()) {
                if (a.address().getClass() != remote.getClass()) {
                    continue;
                }
                if (a.contains(remote)) {
                    return a.address();
                }
                if (sameFamily == null) {
                    sameFamily = a.address();
                }
            }
        }
        return sameFamily != null ? sameFamily : hostIp;
    }

    private InterfaceInfo interfaceOf(InetAddress local) {
        for (InterfaceInfo i : interfaces) {
            for (InterfaceInfo.Address a : i.addresses()) {
                if (a.address().equals(local)) {
                    return i;
                }
            }
        }
        return null;
    }

    public SimNetwork network() {
        return net;
    }

    @Override
    public String name() {
        return "sim-tcp";
    }

    @Override
    public TcpStreamListener listen(InetSocketAddress address, boolean smcEnabled) {
        InetSocketAddress a = address.getPort() == 0 ? new InetSocketAddress(address.getAddress(), nextPort()) : address;
        SimTcpListener l = net.listen(a, smcEnabled);
        return new TcpStreamListener() {
            @Override
            public InetSocketAddress localAddress() {
                return l.address();
            }

            @Override
            public TcpStream accept(Duration timeout) throws IOException {
                SimTcpConnection c;
                try {
                    c = l.accept(timeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("accept interrupted");
                }
                if (c == null) {
                    net.lock.lock();
                    try {
                        if (l.closed) {
                            throw new SocketException("listener closed");
                        }
                    } finally {
                        net.lock.unlock();
                    }
                    return null;
                }
                return new Stream(c, SmcRole.SERVER, interfaceOf(c.localAddress().getAddress()));
            }

            @Override
            public boolean setSmcHsCongested(boolean congested) {
                l.setSmcHsCongested(congested);
                return true;
            }

            @Override
            public void close() {
                l.close();
            }
        };
    }

    private static int port = 20000;

    private static synchronized int nextPort() {
        return port++;
    }

    @Override
    public TcpStream connect(InetSocketAddress remote, boolean offerSmc, Duration timeout) throws IOException {
        SimTcpConnection c = net.connect(sourceFor(remote.getAddress()), remote,
                offerSmc ? List.of(TcpOption.SMC) : List.of());
        return new Stream(c, SmcRole.CLIENT, interfaceOf(c.localAddress().getAddress()));
    }

    /** A {@link TcpStream} over one side of a simulated connection. */
    public static final class Stream implements TcpStream {
        private final SimTcpConnection c;
        private final SmcOptionVerdict verdict;
        private final InterfaceInfo ifc;

        Stream(SimTcpConnection c, SmcRole role, InterfaceInfo ifc) {
            this.c = c;
            this.ifc = ifc;
            SynInfo s = c.synInfo();
            String reason;
            if (s.smcNegotiated()) {
                reason = "SMC option in SYN and SYN-ACK";
            } else if (s.hsCongested()) {
                reason = "peer's SYN had the SMC option, our SYN-ACK did not: listener congested (limit_smc_hs)";
            } else if (!s.sentSmc()) {
                reason = role == SmcRole.CLIENT ? "SMC option not offered" : "SMC option not in our SYN-ACK";
            } else {
                reason = "peer's " + (role == SmcRole.CLIENT ? "SYN-ACK" : "SYN") + " had no SMC option";
            }
            this.verdict = new SmcOptionVerdict(SmcCapabilityProbe.Kind.SIMULATED, role, s.sentSmc(), s.peerSmc(),
                    s.smcNegotiated(), PolicyDecision.NO_POLICY, reason);
        }

        public SimTcpConnection connection() {
            return c;
        }

        @Override
        public InetSocketAddress localAddress() {
            return c.localAddress();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return c.remoteAddress();
        }

        @Override
        public SmcOptionVerdict smcVerdict() {
            return verdict;
        }

        @Override
        public java.util.Optional<InterfaceInfo> localInterface() {
            return java.util.Optional.ofNullable(ifc);
        }

        @Override
        public int read(byte[] b, int off, int len, Duration timeout) throws IOException {
            return c.inputStream(timeout).read(b, off, len);
        }

        @Override
        public void write(byte[] b, int off, int len, Duration timeout) throws IOException {
            c.outputStream(timeout).write(b, off, len);
        }

        @Override
        public int available() {
            return c.available();
        }

        @Override
        public void shutdownOutput() throws IOException {
            c.shutdownOutput();
        }

        @Override
        public void abort() {
            c.reset();
        }

        @Override
        public void close() {
            c.close();
        }

        @Override
        public String toString() {
            return c.toString();
        }
    }
}
