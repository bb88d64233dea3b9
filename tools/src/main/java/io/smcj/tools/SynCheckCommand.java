package io.smcj.tools;

import io.smcj.transport.tcp.SmcOptionVerdict;
import io.smcj.transport.tcp.SmcRole;
import io.smcj.transport.tcp.SmcTcpOption;
import io.smcj.transport.tcp.bpf.BpfCapabilityProbe;
import io.smcj.transport.tcp.bpf.BpfException;
import io.smcj.transport.tcp.bpf.BpfSupport;
import io.smcj.transport.tcp.bpf.Native;
import io.smcj.transport.tcp.bpf.SmcOptionRecord;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ./smcj syn-check HOST:PORT [--netns smcj-NAME] [--timeout SECONDS] [--policy TEXT]}: one
 * TCP handshake with the SMC option on our SYN (through the BPF probe), then reports whether the
 * option was written and whether the SYN-ACK carried one back -- a SYN option check through
 * whatever lies between. Only loopback targets, or targets inside a network namespace whose name
 * starts with {@code smcj-} (created by smcj's tests), are probed.
 *
 * <p>Exit status: 0 option both ways; 1 no option back (or none sent); 2 usage or refused target;
 * 3 BPF unavailable; 4 connection failed.
 */
public final class SynCheckCommand implements Command {
    static final int OK = 0, NO_ECHO = 1, USAGE = 2, NO_BPF = 3, CONNECT_FAILED = 4;

    @Override
    public String summary() {
        return "HOST:PORT -- does our SMC TCP option reach the peer and come back on its SYN-ACK (loopback/test netns only)";
    }

    @Override
    public int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception {
        String target = null;
        String netns = null;
        int timeoutSeconds = 5;
        SmcPolicy policy = SmcPolicy.allowAll();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--netns" -> netns = value(args, ++i);
                case "--timeout" -> timeoutSeconds = Integer.parseInt(value(args, ++i));
                case "--policy" -> policy = SmcPolicy.parse(value(args, ++i));
                case "-h", "--help" -> {
                    out.println("usage: ./smcj syn-check HOST:PORT [--netns smcj-NAME] [--timeout SECONDS] [--policy TEXT]");
                    return OK;
                }
                default -> {
                    if (target != null || args[i].startsWith("-")) {
                        err.println("syn-check: unexpected argument '" + args[i] + "'");
                        return USAGE;
                    }
                    target = args[i];
                }
            }
        }
        if (target == null) {
            err.println("usage: ./smcj syn-check HOST:PORT [--netns smcj-NAME] [--timeout SECONDS] [--policy TEXT]");
            return USAGE;
        }
        InetSocketAddress addr;
        try {
            addr = parse(target);
        } catch (IllegalArgumentException | UnknownHostException e) {
            err.println("syn-check: " + e.getMessage());
            return USAGE;
        }
        if (netns != null) {
            if (!netns.matches("smcj-[A-Za-z0-9_.-]+") || !Files.exists(Path.of("/var/run/netns", netns))) {
                err.println("syn-check: refusing --netns '" + netns + "': only network namespaces created by smcj"
                        + " (named smcj-..., listed by 'ip netns') may be probed");
                return USAGE;
            }
        } else if (!addr.getAddress().isLoopbackAddress()) {
            err.println("syn-check: refusing " + addr.getAddress().getHostAddress() + ": only loopback addresses, or"
                    + " addresses inside an smcj test namespace (--netns smcj-NAME), are probed; this tool sends no"
                    + " SYNs into real networks");
            return USAGE;
        }
        if (!BpfSupport.isAvailable()) {
            err.println("syn-check: BPF unavailable: " + BpfSupport.unavailabilityCause()
                    + " -- the SMC option cannot be put on our SYN");
            return NO_BPF;
        }
        BpfCapabilityProbe probe;
        try {
            probe = BpfCapabilityProbe.open(BpfCapabilityProbe.Options.defaults(policy));
        } catch (BpfException e) {
            err.println("syn-check: cannot load/attach the BPF program: " + e.getMessage());
            return NO_BPF;
        }
        try (probe) {
            out.println("syn-check " + addr.getAddress().getHostAddress() + " port " + addr.getPort()
                    + (netns == null ? "" : " in namespace " + netns));
            out.println("  BPF sock_ops program: " + probe.insnCount() + " instructions, cgroup " + probe.cgroup().path());
            SmcOptionVerdict v;
            InetSocketAddress local;
            SmcOptionRecord rec;
            final int timeout = timeoutSeconds;
            final String ns = netns;
            try {
                Object[] r = inNamespace(ns, () -> {
                    try (SocketChannel c = SocketChannel.open()) {
                        c.socket().connect(addr, timeout * 1000);
                        InetSocketAddress l = (InetSocketAddress) c.getLocalAddress();
                        InetSocketAddress rem = (InetSocketAddress) c.getRemoteAddress();
                        SmcOptionRecord raw = probe.record(l, rem);
                        return new Object[] {l, probe.verdict(l, rem, SmcRole.CLIENT), raw};
                    }
                }, timeout + 5);
                local = (InetSocketAddress) r[0];
                v = (SmcOptionVerdict) r[1];
                rec = (SmcOptionRecord) r[2];
            } catch (IOException e) {
                String what = e instanceof SocketTimeoutException ? "no answer within " + timeout + " s (SYN dropped?)"
                        : e.getMessage() != null && e.getMessage().contains("refused")
                                ? "connection refused (RST): nothing listens there" : e.toString();
                out.println("  connect: " + what);
                return CONNECT_FAILED;
            }
            String optionHex = HexFormat.ofDelimiter(" ").withUpperCase().formatHex(SmcTcpOption.bytes());
            out.println("  local " + local.getAddress().getHostAddress() + " port " + local.getPort()
                    + "; BPF record " + (rec == null ? "none" : rec.flagNames()));
            out.println("  our SYN:        " + (v.optionSent() ? "carried the SMC option (" + optionHex + ")"
                    : "carried NO SMC option" + (rec != null && rec.has(SmcOptionRecord.RESERVE_FAILED)
                            ? " (TCP option space full)" : rec != null && rec.has(SmcOptionRecord.POLICY_DENIED)
                                    ? " (policy: " + v.policy().description() + ")" : "")));
            out.println("  peer's SYN-ACK: " + (v.peerOption() ? "carried the SMC option back" : "carried NO SMC option"));
            if (v.optionSent() && v.peerOption()) {
                out.println("  result: the option reached the peer and came back: SMC can be negotiated");
                return OK;
            }
            if (v.optionSent()) {
                out.println("  result: no echo: the peer does not use SMC on this port, or something between us stripped"
                        + " the option (check against a known SMC listener to tell which)");
            } else {
                out.println("  result: our SYN carried no option, the check says nothing about the path");
            }
            out.println("  verdict: " + v);
            return NO_ECHO;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("missing value after " + args[i - 1]);
        }
        return args[i];
    }

    /** HOST:PORT with HOST an IP literal ([v6]:port for IPv6) or localhost. */
    static InetSocketAddress parse(String s) throws UnknownHostException {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + s + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + s + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range in '" + s + "'");
        }
        if (!host.equals("localhost") && !host.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("HOST must be an IP address or localhost, got '" + host + "'");
        }
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    private interface IoTask<T> {
        T call() throws IOException;
    }

    /** Runs the task on a fresh thread that entered namespace {@code ns} (sockets keep the namespace they were created in). */
    private static <T> T inNamespace(String ns, IoTask<T> task, int timeoutSeconds) throws Exception {
        FutureTask<T> f = new FutureTask<>(() -> {
            if (ns != null) {
                int fd = Native.open("/var/run/netns/" + ns, Native.O_RDONLY);
                try {
                    Native.setns(fd, Native.CLONE_NEWNET);
                } finally {
                    Native.close(fd);
                }
            }
            return task.call();
        });
        Thread t = Thread.ofPlatform().name("syn-check").daemon().start(f);
        try {
            return f.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } catch (TimeoutException e) {
            t.interrupt();
            throw new SocketTimeoutException("timeout");
        }
    }
}
