package io.smcj.transport.tcp.bpf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** tcpdump on an interface inside a namespace, writing a pcap file packet by packet. */
final class Capture implements AutoCloseable {
    private final Process process;
    private final Path file;

    Capture(String ns, String iface, Path file) throws IOException, InterruptedException {
        this.file = file;
        // -Z root: keep writing to a root-only temp directory; -U: flush every packet
        process = new ProcessBuilder("ip", "netns", "exec", ns, "tcpdump", "-Z", "root", "-i", iface, "-U", "--immediate-mode", "-n",
                "-w", file.toString(), "tcp").redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = r.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains("listening on")) {
                Thread.ofPlatform().daemon().start(() -> drain(r));
                return;
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        process.destroyForcibly();
        throw new IOException("tcpdump did not start: " + seen);
    }

    private static void drain(BufferedReader r) {
        try {
            while (r.readLine() != null) {
                // keep the pipe empty
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Waits (bounded) until a segment matching {@code p} is in the file, then returns it. */
    Pcap.TcpSegment await(Predicate<Pcap.TcpSegment> p, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Optional<Pcap.TcpSegment> s = Pcap.read(file).stream().filter(p).findFirst();
            if (s.isPresent()) {
                return s.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not captured within 10 s: " + what + "; captured: " + Pcap.read(file));
            }
            Thread.sleep(20);
        }
    }

    List<Pcap.TcpSegment> segments() throws IOException {
        return Pcap.read(file);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM to tcpdump (ip netns exec execs it: same PID)
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
