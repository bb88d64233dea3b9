package io.smcj.interop.vm;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Hands tests running Linux kernel SMC-R peers: parameters of type {@link KernelPeers} (both VMs)
 * or {@link KernelPeer} (vm1).
 *
 * <p>The VMs boot once per test run (both in parallel, through {@code smcj-vm up}) and are reused by
 * every test class that uses this extension; a peer that hung (a command killed at its timeout, an
 * agent that stopped answering) is booted again before the next test. They stop at the end of the
 * run, from a JVM shutdown hook, or, if the JVM is killed, from the watchdog {@code smcj-vm up
 * --owner-pid} starts. VMs that were already up before the run (a developer's {@code ./smcj vm up})
 * are reused and left running.
 *
 * <p>When QEMU cannot run here (not Linux/x86_64, QEMU or python3 missing, not root, image build or
 * boot failure) the tests are skipped through assumptions after one {@code SKIP-WARNING:} line.
 *
 * <p>A failing test gets the tail of each VM's dmesg and console log attached (suppressed
 * exceptions) and printed to stderr.
 */
public final class KernelPeerExtension implements BeforeEachCallback, ParameterResolver,
        TestExecutionExceptionHandler {
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(14);
    private static final Object LOCK = new Object();
    private static Session session;        // the run's VMs, once booted
    private static String unavailable;     // why not, once known

    /** State of one test run's VMs. */
    private static final class Session {
        final VmHarness harness;
        final boolean startedByUs;
        volatile KernelPeers peers;

        Session(VmHarness harness, boolean startedByUs, KernelPeers peers) {
            this.harness = harness;
            this.startedByUs = startedByUs;
            this.peers = peers;
        }

        void down() {
            if (startedByUs) {
                harness.invoke(Duration.ofMinutes(2), "down");
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Session s = session(context);
        Assumptions.assumeTrue(s != null, () -> "kernel VM peers unavailable: " + unavailable);
        synchronized (LOCK) {
            for (KernelPeer p : s.peers.vms()) {
                if (p.suspect().get() || !p.alive()) {
                    System.err.println("smcj-vm: " + p.name() + " hung or unreachable: booting it again");
                    VmHarness.Result r = s.harness.invoke(UP_TIMEOUT, "restart", p.name());
                    if (!r.ok()) {
                        throw new VmException("restart of " + p.name() + " failed:\n" + r.output());
                    }
                    s.peers = load(s.harness);
                }
            }
        }
    }

    /** A kernel-peer scenario, run again on fresh peers by {@link #rerunOnceIfAPeerKernelPanics}. */
    @FunctionalInterface
    public interface Scenario {
        void run(KernelPeers peers) throws Exception;
    }

    /**
     * Runs {@code scenario}; if it fails and a peer's kernel panicked meanwhile (Debian 6.12's
     * rdma_rxe panics now and then in its send path under emulation: a defect of the peer, not of
     * what the test checks), says so in one loud line, reboots the panicked peers and runs the
     * scenario once more with every assertion. A second failure fails the test, with the first
     * attached.
     */
    public static void rerunOnceIfAPeerKernelPanics(KernelPeers peers, Scenario scenario) throws Exception {
        java.util.Map<String, Long> marks = new java.util.HashMap<>();
        peers.vms().forEach(v -> marks.put(v.name(), v.consoleSize()));
        try {
            scenario.run(peers);
            return;
        } catch (Exception | AssertionError first) {
            List<KernelPeer> panicked = peers.vms().stream()
                    .filter(v -> v.kernelPanickedSince(marks.get(v.name()))).toList();
            if (panicked.isEmpty()) {
                throw first;
            }
            System.err.println("PEER-KERNEL-PANIC: " + panicked.stream().map(KernelPeer::name).toList()
                    + " panicked during the test (" + first + "); rebooting and running it once more");
            panicked.forEach(v -> System.err.println("---- " + v.name() + " console (tail)\n" + v.consoleTail(40)));
            KernelPeers fresh;
            synchronized (LOCK) {
                for (KernelPeer v : panicked) {
                    VmHarness.Result r = session.harness.invoke(UP_TIMEOUT, "restart", v.name());
                    if (!r.ok()) {
                        first.addSuppressed(new VmException("restart of " + v.name() + " failed:\n" + r.output()));
                        throw first;
                    }
                }
                session.peers = load(session.harness);
                fresh = session.peers;
            }
            try {
                scenario.run(fresh);
            } catch (Exception | AssertionError second) {
                second.addSuppressed(first);
                throw second;
            }
        }
    }

    private static Session session(ExtensionContext context) {
        synchronized (LOCK) {
            if (session != null || unavailable != null) {
                return session;
            }
            Optional<String> missing = VmHarness.missingPrerequisite();
            if (missing.isPresent()) {
                return skip(missing.get());
            }
            Path script = VmHarness.locateScript().orElseThrow();
            Path logs = script.getParent().getParent().resolve("target/vm-logs");
            VmHarness h = new VmHarness(script, logs);
            boolean wasUp = h.invoke(Duration.ofSeconds(60), "status").ok();
            long t0 = System.nanoTime();
            VmHarness.Result up = wasUp ? h.invoke(UP_TIMEOUT, "up")
                    : h.invoke(UP_TIMEOUT, "up", "2", "--owner-pid", Long.toString(ProcessHandle.current().pid()));
            if (!up.ok()) {
                h.invoke(Duration.ofMinutes(2), "down");
                return skip("smcj-vm up failed (status " + up.status() + "): "
                        + lastLines(up.output(), 12).replace("\n", " | "));
            }
            KernelPeers peers = load(h);
            if (peers.vms().size() < 2) {
                return skip("smcj-vm up left fewer than two VMs: " + peers.env());
            }
            System.err.printf("smcj-vm: kernel peers %s ready in %d s (%s)%n", peers.vms(),
                    (System.nanoTime() - t0) / 1_000_000_000L, peers.accel());
            Session s = new Session(h, !wasUp, peers);
            session = s;
            Runtime.getRuntime().addShutdownHook(new Thread(s::down, "smcj-vm-down"));
            context.getRoot().getStore(ExtensionContext.Namespace.create(KernelPeerExtension.class))
                    .getOrComputeIfAbsent("session", k -> (ExtensionContext.Store.CloseableResource) () -> {
                        synchronized (LOCK) {
                            s.down();
                            session = null;
                            unavailable = "VMs stopped at the end of the run";
                        }
                    });
            return s;
        }
    }

    private static Session skip(String why) {
        unavailable = why;
        System.err.println("SKIP-WARNING: kernel VM interop tests skipped: " + why);
        return null;
    }

    private static KernelPeers load(VmHarness h) {
        var env = h.env();
        String host = env.getOrDefault("HOST_IP", "");
        return new KernelPeers(h.peers(), host, env);
    }

    private static String lastLines(String s, int n) {
        List<String> l = s.lines().toList();
        return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        return t == KernelPeers.class || t == KernelPeer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        Session s = session(ec);
        if (s == null) {
            throw new ParameterResolutionException("kernel VM peers unavailable: " + unavailable);
        }
        return pc.getParameter().getType() == KernelPeers.class ? s.peers : s.peers.vm1();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        Session s = session;
        if (s != null && !(throwable instanceof org.opentest4j.TestAbortedException)) {
            for (KernelPeer p : s.peers.vms()) {
                String report = "---- " + p.name() + " dmesg (tail)\n" + p.dmesg()
                        + "\n---- " + p.name() + " console (tail)\n" + p.consoleTail(40);
                System.err.println(report);
                context.publishReportEntry(p.name() + "-logs", report);
                throwable.addSuppressed(new VmLogs(p.name(), report));
            }
        }
        throw throwable;
    }

    /** Carries a VM's logs into a failure report. */
    static final class VmLogs extends Exception {
        VmLogs(String vm, String text) {
            super(vm + " logs at failure:\n" + text, null, false, false);
        }
    }
}
