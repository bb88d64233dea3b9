package io.smcj.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** The Java baseline: {@link java.net.Socket} over loopback TCP, both ends in this JVM. */
final class LoopbackTcp implements AutoCloseable {
    final ServerSocket server;

    LoopbackTcp() throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** A new connection: {client, server}. */
    Socket[] connect(boolean noDelay) throws IOException {
        Socket c = new Socket();
        c.connect(address());
        Socket s = server.accept();
        c.setTcpNoDelay(noDelay);
        s.setTcpNoDelay(noDelay);
        return new Socket[] {c, s};
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
