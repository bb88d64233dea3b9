package io.smcj.transport.tcp.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Two network namespaces created by the test, joined by a veth pair, with IPv4 and IPv6
 * addresses. Sockets are created inside a namespace by a dedicated thread that called
 * setns(CLONE_NEWNET) (the namespace of a socket is fixed when it is created; other threads may
 * use it afterwards). Everything is removed by name in {@link #close()}.
 */
final class NetNs implements AutoCloseable {
    static final String V4_A = "10.231.7.1", V4_B = "10.231.7.2";
    static final String V6_A = "fd53:6d63:7a::1", V6_B = "fd53:6d63:7a::2";

    final String a;
    final String b;
    final String vethA;
    final String vethB;
    private final List<String> created = new ArrayList<>();

    NetNs() throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        a = "smcj-t" + pid + "-a";
        b = "smcj-t" + pid + "-b";
        vethA = "smv" + pid + "a";
        vethB = "smv" + pid + "b";
        try {
            run("ip", "netns", "add", a);
            created.add(a);
            run("ip", "netns", "add", b);
            created.add(b);
            run("ip", "link", "add", vethA, "netns", a, "type", "veth", "peer", "name", vethB, "netns", b);
            run("ip", "-n", a, "addr", "add", V4_A + "/24", "dev", vethA);
            run("ip", "-n", b, "addr", "add", V4_B + "/24", "dev", vethB);
            run("ip", "-n", a, "-6", "addr", "add", V6_A + "/64", "dev", vethA, "nodad");
            run("ip", "-n", b, "-6", "addr", "add", V6_B + "/64", "dev", vethB, "nodad");
            for (String[] nd : new String[][] {{a, vethA}, {b, vethB}}) {
                run("ip", "-n", nd[0], "link", "set", "lo", "up");
                run("ip", "-n", nd[0], "link", "set", nd[1], "up");
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Runs {@code ip netns exec ns cmd...} and returns its output; fails on a non-zero exit. */
    String exec(String ns, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return run(full.toArray(String[]::new));
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + String.join(" ", cmd));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " -> exit " + p.exitValue() + ": " + out);
        }
        return out;
    }

    /** Runs {@code task} on a fresh thread that entered namespace {@code ns} first. */
    static <T> T inNs(String ns, Callable<T> task) throws Exception {
        FutureTask<T> f = new FutureTask<>(() -> {
            int fd = Native.open("/var/run/netns/" + ns, Native.O_RDONLY);
            try {
                Native.setns(fd, Native.CLONE_NEWNET);
            } finally {
                Native.close(fd);
            }
            return task.call();
        });
        Thread t = Thread.ofPlatform().name("netns-" + ns).daemon().start(f);
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } catch (TimeoutException e) {
            t.interrupt();
            throw e;
        }
    }

    @Override
    public void close() {
        for (String ns : created.reversed()) {
            try {
                run("ip", "netns", "del", ns); // deletes the veth end inside it too
            } catch (IOException | InterruptedException e) {
                System.err.println("cleanup: " + e);
            }
        }
        created.clear();
    }
}
