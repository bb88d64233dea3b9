package io.smcj.interop.vm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running Linux kernel VM: the SMC-R peer a test talks to. Commands go to the VM's agent
 * (interop-tests/vm/guest/agent.py) through a QEMU host forward on 127.0.0.1; files move through
 * the VM's 9p share (host directory {@code share}, guest {@code /mnt/share}).
 *
 * @param name      vm1, vm2, ...
 * @param ip        the VM's address on the test link (its Soft-RoCE device rxe0 sits on that NIC)
 * @param agentPort host TCP port forwarded to the agent
 * @param share     host side of the 9p share
 * @param console   the VM's serial console log
 */
public record KernelPeer(String name, String ip, int agentPort, Path share, Path console, AtomicBoolean suspect) {
    /** Where the guest scripts live inside the VM. */
    public static final String GUEST_DIR = "/opt/smcj";

    public KernelPeer(String name, String ip, int agentPort, Path share, Path console) {
        this(name, ip, agentPort, share, console, new AtomicBoolean());
    }

    /**
     * Runs {@code command} with /bin/sh in the VM. A command the agent had to kill at
     * {@code timeout}, or an agent that does not answer, marks this peer as hung: the extension
     * boots it again before the next test.
     */
    public ExecResult run(String command, Duration timeout) {
        long secs = Math.max(1, timeout.toSeconds());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", agentPort), 10_000);
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, (secs + 30) * 1000));
            OutputStream o = s.getOutputStream();
            o.write(("run " + secs + "\n").getBytes(StandardCharsets.US_ASCII));
            o.write(command.getBytes(StandardCharsets.UTF_8));
            o.flush();
            s.shutdownOutput();
            byte[] all = readAll(s.getInputStream());
            int nl = indexOf(all, (byte) '\n');
            String[] h = new String(all, 0, Math.max(0, nl), StandardCharsets.US_ASCII).split(" ");
            if (nl < 0 || h.length != 4 || !h[0].equals("rc")) {
                suspect.set(true);
                throw new VmException(name + ": bad agent answer to `" + command + "`");
            }
            int rc = Integer.parseInt(h[1]);
            int outLen = Integer.parseInt(h[2]);
            int errLen = Integer.parseInt(h[3]);
            String out = new String(all, nl + 1, outLen, StandardCharsets.UTF_8);
            String err = new String(all, nl + 1 + outLen, errLen, StandardCharsets.UTF_8);
            ExecResult r = new ExecResult(command, rc, out, err);
            if (r.timedOut()) {
                suspect.set(true);
            }
            return r;
        } catch (SocketTimeoutException e) {
            suspect.set(true);
            throw new VmException(name + ": agent did not answer `" + command + "` within " + (secs + 30) + " s", e);
        } catch (IOException e) {
            suspect.set(true);
            throw new VmException(name + ": agent unreachable on port " + agentPort + ": " + e.getMessage(), e);
        }
    }

    public ExecResult run(String command) {
        return run(command, Duration.ofSeconds(120));
    }

    /** Runs and requires status 0. */
    public String sh(String command) {
        return run(command).orThrow().out();
    }

    /** Answers the agent's ping within a few seconds. */
    public boolean alive() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", agentPort), 3_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII).trim().equals("pong");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts {@code command} in the background (own session, output to {@code log} in the VM)
     * and returns its PID in the VM.
     */
    public int spawn(String command, String log) {
        String out = sh("setsid sh -c '" + command.replace("'", "'\\''") + "' </dev/null >" + log
                + " 2>&1 & echo $!");
        return Integer.parseInt(out.trim());
    }

    /** Copies a host file to {@code guestPath} through the 9p share. */
    public void copyIn(Path hostFile, String guestPath) throws IOException {
        String tmp = ".in-" + System.nanoTime() + "-" + hostFile.getFileName();
        Files.copy(hostFile, share.resolve(tmp), StandardCopyOption.REPLACE_EXISTING);
        try {
            sh("mkdir -p \"$(dirname '" + guestPath + "')\" && cp '/mnt/share/" + tmp + "' '" + guestPath + "'");
        } finally {
            Files.deleteIfExists(share.resolve(tmp));
        }
    }

    /** Copies {@code guestPath} to a host file through the 9p share. */
    public void copyOut(String guestPath, Path hostFile) throws IOException {
        String tmp = ".out-" + System.nanoTime();
        sh("cp '" + guestPath + "' '/mnt/share/" + tmp + "' && sync");
        Path parent = hostFile.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.move(share.resolve(tmp), hostFile, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Starts tcpdump on the VM's test NIC (returns when it listens).
     *
     * @param tcpdumpArgs extra tcpdump arguments, e.g. {@code -s 256} and a filter
     */
    public void startCapture(String captureName, List<String> tcpdumpArgs) {
        sh(GUEST_DIR + "/capture start " + captureName + " " + String.join(" ", tcpdumpArgs));
    }

    /** Stops the capture and copies the pcap to {@code hostFile}. */
    public Path stopCapture(String captureName, Path hostFile) throws IOException {
        String log = sh(GUEST_DIR + "/capture stop " + captureName);
        copyOut("/tmp/capture-" + captureName + ".pcap", hostFile);
        if (Files.size(hostFile) <= 24) { // a pcap file header and no packet
            throw new VmException(name + ": capture " + captureName + " holds no packets; tcpdump said:\n" + log);
        }
        return hostFile;
    }

    /** The kernel log (for failure reports). */
    public String dmesg() {
        try {
            return run("dmesg | tail -n 120", Duration.ofSeconds(20)).out();
        } catch (VmException e) {
            return "(dmesg unavailable: " + e.getMessage() + ")";
        }
    }

    /** The tail of the serial console log (host side, works when the VM is stuck). */
    public String consoleTail(int lines) {
        try {
            List<String> all = Files.readAllLines(console, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(console log unavailable: " + e.getMessage() + ")";
        }
    }

    /** Bytes in the serial console log so far (a mark for {@link #kernelPanickedSince}). */
    public long consoleSize() {
        try {
            return Files.size(console);
        } catch (IOException e) {
            return 0;
        }
    }

    /** True when the guest kernel printed "Kernel panic" on its console after {@code mark}. */
    public boolean kernelPanickedSince(long mark) {
        try {
            byte[] all = Files.readAllBytes(console);
            int from = (int) Math.min(Math.max(mark, 0), all.length);
            return new String(all, from, all.length - from, StandardCharsets.ISO_8859_1).contains("Kernel panic");
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toByteArray();
    }

    private static int indexOf(byte[] a, byte v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return name + "(" + ip + ")";
    }
}
