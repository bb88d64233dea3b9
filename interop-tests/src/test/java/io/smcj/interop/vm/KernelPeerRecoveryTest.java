package io.smcj.interop.vm;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness itself: commands, files in and out, a peer that hangs is replaced by a freshly
 * booted VM before the next test.
 */
@ExtendWith(KernelPeerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class KernelPeerRecoveryTest {
    private static String bootIdBeforeHang;

    @Test
    @Order(1)
    void commandsAndFilesGoBothWays(KernelPeers p, @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        KernelPeer vm = p.vm2();
        ExecResult r = vm.run("echo out; echo err >&2; exit 3");
        assertEquals(3, r.status());
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
        assertTrue(vm.sh("uname -r").startsWith("6.12."), "guest kernel");
        assertTrue(vm.sh("lsmod").contains("smc_diag"), "smc_diag loaded");

        Path in = tmp.resolve("in.bin");
        byte[] data = new byte[300_000];
        new java.util.Random(5).nextBytes(data);
        Files.write(in, data);
        vm.copyIn(in, "/root/x/in.bin");
        Path out = tmp.resolve("out.bin");
        vm.copyOut("/root/x/in.bin", out);
        assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(out)));
    }

    @Test
    @Order(2)
    void hungCommandMarksThePeer(KernelPeers p) {
        KernelPeer vm = p.vm2();
        bootIdBeforeHang = vm.sh("cat /proc/sys/kernel/random/boot_id").trim();
        ExecResult r = vm.run("sleep 600", Duration.ofSeconds(3));
        assertTrue(r.timedOut(), r::describe);
        assertTrue(vm.suspect().get(), "a command killed at its timeout marks the peer as hung");
    }

    @Test
    @Order(3)
    void nextTestGetsAFreshlyBootedPeer(KernelPeers p) {
        assertNotNull(bootIdBeforeHang, "runs after hungCommandMarksThePeer");
        KernelPeer vm = p.vm2();
        String now = vm.sh("cat /proc/sys/kernel/random/boot_id").trim();
        assertNotEquals(bootIdBeforeHang, now, "vm2 was booted again");
        // the new VM is a complete peer again: test link, rxe0, user EID
        assertTrue(vm.sh("rdma link show rxe0/1").contains("ACTIVE"));
        assertTrue(vm.sh("python3 " + KernelPeer.GUEST_DIR + "/smc_ueid.py show").contains("SMCTEST-UEID"));
        p.vm1().run("ping -c 1 -W 5 " + vm.ip() + " || python3 -c 'import socket; socket.create_connection((\""
                + vm.ip() + "\", 9), 5)' 2>&1 | grep -q refused", Duration.ofSeconds(30)).orThrow();
    }
}
