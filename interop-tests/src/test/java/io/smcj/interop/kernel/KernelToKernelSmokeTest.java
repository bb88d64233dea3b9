package io.smcj.interop.kernel;

import io.smcj.interop.vm.ExecResult;
import io.smcj.interop.vm.KernelPeer;
import io.smcj.interop.vm.KernelPeerExtension;
import io.smcj.interop.vm.KernelPeers;
import io.smcj.interop.vm.SmcWireSummary;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linux kernel to Linux kernel SMC-R over Soft-RoCE between two VMs (vm1 server, vm2 client),
 * checked in the data (SHA-256 of what went each way, smc_diag mode of both sockets) and on the
 * wire (tcpdump on vm1's test NIC). The captures land in {@code target/vm-captures} (or the
 * directory in system property {@code smcj.vm.captureDir}; interop-tests/vm/regenerate-fixtures.sh
 * points it at fixtures/kernel-6.12-harness).
 */
@ExtendWith(KernelPeerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KernelToKernelSmokeTest {
    static final String APP = KernelPeer.GUEST_DIR + "/smc_app.py";
    static final String UEID = KernelPeer.GUEST_DIR + "/smc_ueid.py";
    static final String EID = "SMCTEST-UEID";

    static Path captureDir() {
        String d = System.getProperty("smcj.vm.captureDir");
        return d != null && !d.isBlank() ? Path.of(d) : Path.of("target/vm-captures");
    }

    /** Deletes and re-adds rxe0 on both VMs: the kernel ends every SMC-R link group on that device. */
    static void freshLinkGroups(KernelPeers p) {
        for (KernelPeer vm : p.vms()) {
            vm.run(KernelPeer.GUEST_DIR + "/rxe-reset", Duration.ofSeconds(120)).orThrow();
        }
    }

    /** Starts smc_app.py server on vm1 and waits until it listens; returns its PID in the VM. */
    static int startServer(KernelPeer vm, int port, String log, String... extra) {
        int pid = vm.spawn("exec python3 " + APP + " server " + port + " " + String.join(" ", extra), log);
        vm.run("for i in $(seq 1 100); do grep -q listening " + log + " && exit 0; sleep 0.1; done; cat " + log
                + "; exit 1", Duration.ofSeconds(30)).orThrow();
        return pid;
    }

    static AppResult client(KernelPeer vm, String serverIp, int port, int bytes, int seed) {
        ExecResult r = vm.run("python3 " + APP + " client " + serverIp + " " + port + " " + bytes + " --seed " + seed,
                Duration.ofSeconds(240));
        assertTrue(r.ok(), r::describe);
        List<AppResult> lines = AppResult.all(r.out());
        assertEquals(1, lines.size(), r::describe);
        return lines.get(0);
    }

    static List<AppResult> stopServer(KernelPeer vm, int pid, String log) {
        vm.run("kill " + pid + " 2>/dev/null; sleep 0.2; true");
        return AppResult.all(vm.sh("cat " + log)).stream().filter(a -> a.get("sha256") != null).toList();
    }

    static void assertEchoed(AppResult c, String mode) {
        assertEquals(mode, c.get("mode"), () -> "client socket mode: " + c);
        assertEquals(c.get("sha256_sent"), c.get("sha256_echo"), () -> "echo differs from what was sent: " + c);
        assertEquals(Long.toString(c.bytes()), c.get("echo_bytes"), c::toString);
    }

    @Test
    @Order(1)
    void firstContactThenReuseOverSmcR(KernelPeers peers) throws Exception {
        KernelPeerExtension.rerunOnceIfAPeerKernelPanics(peers, this::firstContactThenReuseOverSmcROn);
    }

    private void firstContactThenReuseOverSmcROn(KernelPeers p) throws IOException {
        KernelPeer srv = p.vm1();
        KernelPeer cli = p.vm2();
        freshLinkGroups(p);
        int pid = startServer(srv, 5000, "/tmp/server-5000.log");
        srv.startCapture("first", List.of());
        AppResult c1 = client(cli, srv.ip(), 5000, 4096, 1);
        Path first = srv.stopCapture("first", captureDir().resolve("smcr612-harness-first-4k.pcap"));
        srv.startCapture("reuse", List.of());
        AppResult c2 = client(cli, srv.ip(), 5000, 4096, 2);
        Path reuse = srv.stopCapture("reuse", captureDir().resolve("smcr612-harness-reuse-4k.pcap"));
        List<AppResult> served = stopServer(srv, pid, "/tmp/server-5000.log");

        assertEchoed(c1, "SMCR");
        assertEchoed(c2, "SMCR");
        assertEquals(2, served.size(), () -> "server log: " + served);
        assertEquals(c1.get("sha256_sent"), served.get(0).get("sha256"));
        assertEquals(c2.get("sha256_sent"), served.get(1).get("sha256"));
        assertEquals("SMCR", served.get(0).get("mode"));
        assertEquals("SMCR", served.get(1).get("mode"));

        SmcWireSummary w1 = SmcWireSummary.of(first);
        System.err.println("first contact: " + w1);
        assertEquals(List.of(1, 2, 3), w1.clcTypes(), w1::toString);
        assertEquals(List.of(true), w1.acceptFirstContact(), w1::toString);
        assertTrue(w1.llcCount(SmcWireSummary.LLC_CONFIRM_LINK_V2) + w1.llcCount(SmcWireSummary.LLC_CONFIRM_LINK_V1) >= 2,
                () -> "LLC CONFIRM LINK request and response: " + w1);
        assertTrue(w1.rdmaWritePackets() > 0, w1::toString);
        assertTrue(w1.cdcCount() > 0, w1::toString);
        assertTrue(w1.smcSynOptions() >= 2, () -> "SYN and SYN-ACK carry the SMC option: " + w1);

        SmcWireSummary w2 = SmcWireSummary.of(reuse);
        System.err.println("reuse: " + w2);
        assertEquals(List.of(1, 2, 3), w2.clcTypes(), w2::toString);
        assertEquals(List.of(false), w2.acceptFirstContact(), w2::toString);
        assertEquals(0, w2.llcCount(SmcWireSummary.LLC_CONFIRM_LINK_V2) + w2.llcCount(SmcWireSummary.LLC_CONFIRM_LINK_V1),
                w2::toString);
        assertTrue(w2.rdmaWritePackets() > 0, w2::toString);
        assertTrue(w2.cdcCount() > 0, w2::toString);
    }

    @Test
    @Order(2)
    void oneMebibyteAndFourMebibytesIntact(KernelPeers peers) throws Exception {
        KernelPeerExtension.rerunOnceIfAPeerKernelPanics(peers, this::oneMebibyteAndFourMebibytesIntactOn);
    }

    private void oneMebibyteAndFourMebibytesIntactOn(KernelPeers p) throws IOException {
        KernelPeer srv = p.vm1();
        KernelPeer cli = p.vm2();
        int pid = startServer(srv, 5002, "/tmp/server-5002.log");
        srv.startCapture("1m", List.of("-s", "256"));   // CLC, LLC and CDC whole; RDMA payloads cut
        AppResult c1 = client(cli, srv.ip(), 5002, 1 << 20, 3);
        Path cap = srv.stopCapture("1m", captureDir().resolve("smcr612-harness-1m.pcap"));
        AppResult c4 = client(cli, srv.ip(), 5002, 4 << 20, 4);
        List<AppResult> served = stopServer(srv, pid, "/tmp/server-5002.log");

        assertEchoed(c1, "SMCR");
        assertEchoed(c4, "SMCR");
        assertEquals(List.of(c1.get("sha256_sent"), c4.get("sha256_sent")),
                served.stream().map(a -> a.get("sha256")).toList());
        SmcWireSummary w = SmcWireSummary.of(cap);
        System.err.println("1 MiB: " + w);
        assertEquals(3, w.clcTypes().size(), w::toString);
        // 1 MiB each way in RDMA WRITEs of at most one path MTU (4096 at most on RoCE) per packet
        assertTrue(w.rdmaWritePackets() >= 2 * (1 << 20) / 4096, w::toString);
        assertTrue(w.cdcCount() > 0, w::toString);
    }

    @Test
    @Order(3)
    void serverWithoutUserEidDeclinesAndFallsBackToTcp(KernelPeers peers) throws Exception {
        KernelPeerExtension.rerunOnceIfAPeerKernelPanics(peers, this::serverWithoutUserEidDeclinesAndFallsBackToTcpOn);
    }

    private void serverWithoutUserEidDeclinesAndFallsBackToTcpOn(KernelPeers p) throws IOException {
        KernelPeer srv = p.vm1();
        KernelPeer cli = p.vm2();
        srv.sh("python3 " + UEID + " flush && test -z \"$(python3 " + UEID + " show)\"");
        try {
            int pid = startServer(srv, 5001, "/tmp/server-5001.log", "--once");
            srv.startCapture("decline", List.of());
            AppResult c = client(cli, srv.ip(), 5001, 4096, 5);
            Path cap = srv.stopCapture("decline", captureDir().resolve("smcr612-harness-decline.pcap"));
            List<AppResult> served = stopServer(srv, pid, "/tmp/server-5001.log");

            assertEchoed(c, "FALLBACK");
            assertEquals(1, served.size(), () -> "server log: " + served);
            assertEquals("FALLBACK", served.get(0).get("mode"));
            assertEquals(c.get("sha256_sent"), served.get(0).get("sha256"));
            SmcWireSummary w = SmcWireSummary.of(cap);
            System.err.println("decline: " + w);
            assertEquals(List.of(1, 4), w.clcTypes(), w::toString);
            assertEquals(List.of(0x03030000L), w.declineCodes(), w::toString);
            assertEquals(0, w.rdmaWritePackets(), w::toString);
            assertEquals(0, w.cdcCount(), w::toString);
            // the link group of the earlier tests may still send TEST LINK keepalives (0x07 v1, 0x27 v2)
            assertTrue(w.llcTypes().keySet().stream().allMatch(t -> t == 0x07 || t == 0x27), w::toString);
        } finally {
            srv.sh("python3 " + UEID + " add " + EID);
        }
        assertFalse(srv.sh("python3 " + UEID + " show").isBlank());
    }
}
