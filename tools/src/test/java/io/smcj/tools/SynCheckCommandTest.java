package io.smcj.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smcj.transport.tcp.bpf.BpfCapabilityProbe;
import io.smcj.transport.tcp.bpf.BpfSupport;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SynCheckCommandTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = new SynCheckCommand().run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void refusesTargetsOutsideLoopbackAndSmcjNamespaces() throws Exception {
        Run r = run("10.1.2.3:80");
        assertEquals(SynCheckCommand.USAGE, r.code());
        assertTrue(r.err().contains("refusing 10.1.2.3: only loopback addresses"), r.err());
        Run ns = run("10.1.2.3:80", "--netns", "production");
        assertEquals(SynCheckCommand.USAGE, ns.code());
        assertTrue(ns.err().contains("refusing --netns 'production'"), ns.err());
        assertEquals(SynCheckCommand.USAGE, run("example.invalid:80").code());
        assertEquals(SynCheckCommand.USAGE, run("127.0.0.1:0").code());
        assertEquals(SynCheckCommand.USAGE, run().code());
        assertEquals(SynCheckCommand.class, Main.find("syn-check").getClass());
    }

    private static void assumeBpf() {
        if (!BpfSupport.isAvailable()) {
            System.err.println("SKIP-WARNING: SynCheckCommandTest: BPF cannot be used here: " + BpfSupport.unavailabilityCause());
        }
        assumeTrue(BpfSupport.isAvailable());
    }

    @Test
    void reportsTheEchoFromAnSmcListenerAndItsAbsenceFromAPlainOne() throws Exception {
        assumeBpf();
        try (BpfCapabilityProbe server = BpfCapabilityProbe.open(
                BpfCapabilityProbe.Options.defaults(SmcPolicy.allowAll()).withEnterCgroup(false))) {
            server.enter();
            ServerSocketChannel smc;
            try {
                smc = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            } finally {
                server.leave();
            }
            try (smc; ServerSocketChannel plain = ServerSocketChannel.open()
                    .bind(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
                Run yes = run("127.0.0.1:" + ((InetSocketAddress) smc.getLocalAddress()).getPort());
                assertEquals(SynCheckCommand.OK, yes.code(), yes.out() + yes.err());
                assertTrue(yes.out().contains("our SYN:        carried the SMC option (FE 06 E2 D4 C3 D9)"), yes.out());
                assertTrue(yes.out().contains("peer's SYN-ACK: carried the SMC option back"), yes.out());
                Run no = run("[::1]:" + ((InetSocketAddress) plain.getLocalAddress()).getPort());
                assertEquals(SynCheckCommand.NO_ECHO, no.code(), no.out() + no.err());
                assertTrue(no.out().contains("peer's SYN-ACK: carried NO SMC option"), no.out());
                Run off = run("127.0.0.1:" + ((InetSocketAddress) smc.getLocalAddress()).getPort(), "--policy",
                        "dst 127.0.0.0/8 off");
                assertEquals(SynCheckCommand.NO_ECHO, off.code(), off.out());
                assertTrue(off.out().contains("carried NO SMC option (policy: port default (on) AND dst rule #1"), off.out());
            }
        }
    }

    @Test
    void probesInsideAnSmcjTestNamespace() throws Exception {
        assumeBpf();
        String ns = "smcj-syncheck-" + ProcessHandle.current().pid();
        exec("ip", "netns", "add", ns);
        try {
            exec("ip", "-n", ns, "link", "set", "lo", "up");
            // a listener inside the namespace, with the option (both sockets run the program)
            try (BpfCapabilityProbe server = BpfCapabilityProbe.open(
                    BpfCapabilityProbe.Options.defaults(SmcPolicy.allowAll()).withEnterCgroup(false))) {
                java.util.concurrent.FutureTask<ServerSocketChannel> f = new java.util.concurrent.FutureTask<>(() -> {
                    int fd = io.smcj.transport.tcp.bpf.Native.open("/var/run/netns/" + ns, 0);
                    io.smcj.transport.tcp.bpf.Native.setns(fd, io.smcj.transport.tcp.bpf.Native.CLONE_NEWNET);
                    io.smcj.transport.tcp.bpf.Native.close(fd);
                    server.enter();
                    try {
                        return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                    } finally {
                        server.leave();
                    }
                });
                Thread.ofPlatform().start(f);
                try (ServerSocketChannel s = f.get(20, TimeUnit.SECONDS)) {
                    int port = ((InetSocketAddress) s.getLocalAddress()).getPort();
                    Run r = run("127.0.0.1:" + port, "--netns", ns);
                    assertEquals(SynCheckCommand.OK, r.code(), r.out() + r.err());
                    assertTrue(r.out().contains("in namespace " + ns), r.out());
                    // the same address without --netns is the root namespace's loopback: nothing listens there
                    Run root = run("127.0.0.1:" + port);
                    assertEquals(SynCheckCommand.CONNECT_FAILED, root.code(), root.out() + root.err());
                }
            }
        } finally {
            exec("ip", "netns", "del", ns);
        }
    }

    private static void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + new String(p.getInputStream().readAllBytes()));
    }

    @Test
    void refusedConnectionIsReported() throws Exception {
        assumeBpf();
        int port;
        try (ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = ((InetSocketAddress) s.getLocalAddress()).getPort();
        }
        Run r = run("127.0.0.1:" + port);
        assertEquals(SynCheckCommand.CONNECT_FAILED, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("connection refused"), r.out());
    }
}
