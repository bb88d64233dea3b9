package io.smcj.transport.tcp.stream;

import io.smcj.transport.tcp.SmcCapabilityProbe;
import io.smcj.transport.tcp.SmcOptionVerdict;
import io.smcj.transport.tcp.SmcRole;
import io.smcj.transport.tcp.policy.PolicyDecision;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * {@link TcpNetwork} over real kernel sockets ({@code java.net.Socket}, loopback or a kernel
 * peer). Whether the SMC option was exchanged comes from an {@link SmcCapabilityProbe} (BPF where
 * the option really is on the wire, TRUSTED otherwise); a connection opened without offering SMC
 * (or a listener that is not SMC-enabled) always gets a "no SMC" verdict.
 *
 * <p>Limit: a real socket's blocking write cannot time out; it is woken only by close/abort.
 */
public final class NioTcpNetwork implements TcpNetwork {

    private final SmcCapabilityProbe probe;
    private final boolean reportInterfaces;

    /** Streams report no {@link TcpStream#localInterface() interface} (for RoCE devices unrelated to the host's, e.g. simulated ones). */
    public NioTcpNetwork(SmcCapabilityProbe probe) {
        this(probe, false);
    }

    /**
     * @param reportInterfaces whether streams report the {@code java.net} interface of their local
     *                         address ({@link InterfaceInfo#ofLocalAddress}) for the engine's
     *                         device and IP prefix choice
     */
    public NioTcpNetwork(SmcCapabilityProbe probe, boolean reportInterfaces) {
        this.probe = Objects.requireNonNull(probe);
        this.reportInterfaces = reportInterfaces;
    }

    @Override
    public String name() {
        return "nio/" + probe.kind();
    }

    @Override
    public TcpStreamListener listen(InetSocketAddress address, boolean smcEnabled) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(address, 128);
        return new TcpStreamListener() {
            @Override
            public InetSocketAddress localAddress() {
                return (InetSocketAddress) ss.getLocalSocketAddress();
            }

            @Override
            public TcpStream accept(Duration timeout) throws IOException {
                ss.setSoTimeout(timeoutMillis(timeout));
                Socket s;
                try {
                    s = ss.accept();
                } catch (SocketTimeoutException e) {
                    return null;
                }
                return wrap(s, SmcRole.SERVER, smcEnabled);
            }

            @Override
            public boolean setSmcHsCongested(boolean congested) {
                // the probe's sock_ops program decides what the SYN-ACKs of our port carry
                return !smcEnabled || probe.setListenerCongested(ss.getLocalPort(), congested);
            }

            @Override
            public void close() {
                int port = ss.getLocalPort();
                if (smcEnabled && port > 0) {
                    try {
                        probe.setListenerCongested(port, false); // a later listener on the port starts uncongested
                    } catch (RuntimeException ignored) {
                        // the probe is closed already: nothing left to reset
                    }
                }
                try {
                    ss.close();
                } catch (IOException ignored) {
                    // closing a listener cannot fail in a way we could act on
                }
            }
        };
    }

    @Override
    public TcpStream connect(InetSocketAddress remote, boolean offerSmc, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(remote, timeoutMillis(timeout));
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return wrap(s, SmcRole.CLIENT, offerSmc);
    }

    private TcpStream wrap(Socket s, SmcRole role, boolean smcWanted) throws IOException {
        s.setTcpNoDelay(true);
        InetSocketAddress local = (InetSocketAddress) s.getLocalSocketAddress();
        InetSocketAddress remote = (InetSocketAddress) s.getRemoteSocketAddress();
        SmcOptionVerdict v = smcWanted ? probe.verdict(local, remote, role)
                : new SmcOptionVerdict(probe.kind(), role, false, false, false, PolicyDecision.NO_POLICY,
                        role == SmcRole.CLIENT ? "SMC not offered by this socket" : "listener is not SMC-enabled");
        return new SocketStream(s, local, remote, v,
                reportInterfaces ? InterfaceInfo.ofLocalAddress(local.getAddress()) : null);
    }

    static int timeoutMillis(Duration d) {
        long ms = d.toMillis();
        if (ms <= 0) {
            return 1;
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static final class SocketStream implements TcpStream {
        private final Socket socket;
        private final InetSocketAddress local;
        private final InetSocketAddress remote;
        private final SmcOptionVerdict verdict;
        private final InputStream in;
        private final OutputStream out;
        private final InterfaceInfo ifc;

        SocketStream(Socket socket, InetSocketAddress local, InetSocketAddress remote, SmcOptionVerdict verdict,
                     InterfaceInfo ifc) throws IOException {
            this.ifc = ifc;
            this.socket = socket;
            this.local = local;
            this.remote = remote;
            this.verdict = verdict;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        public InetSocketAddress localAddress() {
            return local;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public java.util.Optional<InterfaceInfo> localInterface() {
            return java.util.Optional.ofNullable(ifc);
        }

        @Override
        public SmcOptionVerdict smcVerdict() {
            return verdict;
        }

        @Override
        public int read(byte[] b, int off, int len, Duration timeout) throws IOException {
            if (len == 0) {
                return 0;
            }
            synchronized (in) {
                socket.setSoTimeout(timeoutMillis(timeout));
                int n = in.read(b, off, len);
                return n;
            }
        }

        @Override
        public void write(byte[] b, int off, int len, Duration timeout) throws IOException {
            synchronized (out) {
                out.write(b, off, len);
            }
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public void shutdownOutput() throws IOException {
            if (!socket.isOutputShutdown() && !socket.isClosed()) {
                socket.shutdownOutput();
            }
        }

        @Override
        public void abort() {
            try {
                socket.setSoLinger(true, 0);
            } catch (SocketException ignored) {
                // already closed
            }
            close();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }

        @Override
        public String toString() {
            return "tcp[" + local + " -> " + remote + "]";
        }
    }
}
