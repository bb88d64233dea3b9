package io.smcj.interop.kernel;

import io.smcj.interop.vm.ExecResult;
import io.smcj.interop.vm.KernelPeer;
import io.smcj.interop.vm.KernelPeerExtension;
import io.smcj.interop.vm.KernelPeers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The host link: programs on the host reach a VM over TCP and UDP on the private test subnet
 * (the bridge smcjbr0 with the VMs' TAP devices), and the VMs reach nothing beyond it.
 */
@ExtendWith(KernelPeerExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostLinkTest {

    @Test
    void hostReachesVmOverTcp(KernelPeers p) throws Exception {
        assertFalse(p.hostIp().isEmpty(), "no host link (not root?)");
        KernelPeer vm = p.vm1();
        int pid = KernelToKernelSmokeTest.startServer(vm, 6000, "/tmp/tcp-6000.log", "--tcp", "--once");
        byte[] data = new byte[256 * 1024];
        new Random(11).nextBytes(data);
        byte[] echo = new byte[data.length];
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(vm.ip(), 6000), 10_000);
            s.setSoTimeout(60_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.writeLong(data.length);
                    out.write(data);
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            in.readFully(echo);
            writer.join();
        }
        assertArrayEquals(data, echo);
        List<AppResult> served = KernelToKernelSmokeTest.stopServer(vm, pid, "/tmp/tcp-6000.log");
        assertEquals(1, served.size());
        assertEquals(sha256(data), served.get(0).get("sha256"));
        assertEquals("TCP", served.get(0).get("mode"));
    }

    @Test
    void hostReachesVmOverUdp(KernelPeers p) throws Exception {
        assertFalse(p.hostIp().isEmpty(), "no host link (not root?)");
        KernelPeer vm = p.vm2();
        int pid = vm.spawn("exec python3 -c 'import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                + "s.bind((\"0.0.0.0\",6001))\nprint(\"listening\",flush=True)\n"
                + "while True:\n d,a=s.recvfrom(2048)\n s.sendto(b\"echo:\"+d,a)'", "/tmp/udp-6001.log");
        try {
            vm.run("for i in $(seq 1 100); do grep -q listening /tmp/udp-6001.log && exit 0; sleep 0.1; done; exit 1",
                    Duration.ofSeconds(30)).orThrow();
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(2_000);
                byte[] msg = "hello kernel peer".getBytes(StandardCharsets.US_ASCII);
                String got = null;
                for (int i = 0; i < 10 && got == null; i++) { // the first datagram may wait for ARP
                    s.send(new DatagramPacket(msg, msg.length, new InetSocketAddress(vm.ip(), 6001)));
                    DatagramPacket r = new DatagramPacket(new byte[2048], 2048);
                    try {
                        s.receive(r);
                        got = new String(r.getData(), 0, r.getLength(), StandardCharsets.US_ASCII);
                    } catch (SocketTimeoutException e) {
                        // retry
                    }
                }
                assertEquals("echo:hello kernel peer", got);
            }
        } finally {
            vm.run("kill " + pid);
        }
    }

    @Test
    void vmsReachOnlyTheTestLink(KernelPeers p) {
        for (KernelPeer vm : p.vms()) {
            assertEquals("", vm.sh("ip -4 route show default").trim(), vm + " has a default route");
            ExecResult r = vm.run("python3 -c 'import socket; socket.create_connection((\"198.51.100.1\", 80), 3)'",
                    Duration.ofSeconds(20));
            assertFalse(r.ok(), () -> vm + " reached an outside address: " + r.describe());
            assertTrue(r.err().contains("unreachable"), r::describe);
            if (!p.hostIp().isEmpty()) {
                vm.run("ping -c1 -W5 " + p.hostIp() + " >/dev/null 2>&1 || python3 -c 'import socket; "
                        + "socket.create_connection((\"" + p.hostIp() + "\", 9), 3)' 2>&1 | grep -q refused",
                        Duration.ofSeconds(20)).orThrow();
            }
        }
    }

    static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
