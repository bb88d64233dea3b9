package io.smcj.transport.rdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The value types and encodings of the SPI. */
class SpiValuesTest {

    @Test
    void gidsDeriveFromIpAndMacAsTheKernelDoes() throws Exception {
        VerbsGid v4 = VerbsGid.fromIp(InetAddress.getByName("192.168.10.3"));
        assertEquals("00000000000000000000ffffc0a80a03", v4.toString());
        assertTrue(v4.isIpv4Mapped());
        assertEquals(InetAddress.getByName("192.168.10.3"), v4.toInetAddress());
        VerbsGid v6 = VerbsGid.fromIp(InetAddress.getByName("fd00::1:2"));
        assertFalse(v6.isIpv4Mapped());
        assertEquals(InetAddress.getByName("fd00::1:2"), v6.toInetAddress());
        // EUI-64 with the universal/local bit flipped
        assertEquals("fe800000000000000250b6fffe123456",
                VerbsGid.fromMac(new byte[] {0x00, 0x50, (byte) 0xb6, 0x12, 0x34, 0x56}).toString());
        assertThrows(IllegalArgumentException.class, () -> VerbsGid.of(new byte[15]));
    }

    @Test
    void ibTimerEncodings() {
        assertEquals(-1, QpAttributes.timeoutNanos(0));
        assertEquals(8_192, QpAttributes.timeoutNanos(1));
        assertEquals(134_217_728, QpAttributes.timeoutNanos(15)); // SMC_QP_TIMEOUT: ~134 ms
        assertEquals(655_360_000, QpAttributes.rnrTimerNanos(0));
        assertEquals(10_000, QpAttributes.rnrTimerNanos(1));
        assertEquals(60_000, QpAttributes.rnrTimerNanos(5)); // SMC_QP_MIN_RNR_TIMER
        assertEquals(491_520_000, QpAttributes.rnrTimerNanos(31));
        assertThrows(IllegalArgumentException.class, () -> QpAttributes.rnrTimerNanos(32));
    }

    @Test
    void mtuValuesAndEthernetMapping() {
        assertEquals(3, Mtu.MTU_1024.ibvValue());
        assertEquals(Mtu.MTU_4096, Mtu.fromIbvValue(5));
        assertEquals(Mtu.MTU_1024, Mtu.forEthernetMtu(1500));
        assertEquals(Mtu.MTU_2048, Mtu.forEthernetMtu(4191));
        assertEquals(Mtu.MTU_4096, Mtu.forEthernetMtu(4192));
        assertEquals(Mtu.MTU_4096, Mtu.forEthernetMtu(9000));
        assertThrows(IllegalArgumentException.class, () -> Mtu.fromIbvValue(6));
    }

    @Test
    void enumValuesMatchVerbsH() {
        assertEquals(5, WcStatus.WR_FLUSH_ERR.ibvValue());
        assertEquals(10, WcStatus.REM_ACCESS_ERR.ibvValue());
        assertEquals(12, WcStatus.RETRY_EXC_ERR.ibvValue());
        assertEquals(13, WcStatus.RNR_RETRY_EXC_ERR.ibvValue());
        assertEquals(129, WcOpcode.RECV_RDMA_WITH_IMM.ibvValue());
        assertEquals(1, WrOpcode.RDMA_WRITE_WITH_IMM.ibvValue());
        assertEquals(2, WrOpcode.SEND.ibvValue());
        assertEquals(6, QpState.ERROR.ordinal());
        assertEquals(4, PortState.ACTIVE.ordinal());
        assertEquals(10, AsyncEventType.PORT_ERR.ordinal());
        assertEquals(1, AsyncEventType.QP_FATAL.ordinal());
    }

    @Test
    void accessFlagRules() {
        assertEquals(3, AccessFlags.check(AccessFlags.LOCAL_WRITE | AccessFlags.REMOTE_WRITE));
        assertThrows(VerbsException.class, () -> AccessFlags.check(AccessFlags.REMOTE_WRITE));
        assertThrows(VerbsException.class, () -> AccessFlags.check(0x100));
        assertEquals("LW|RW", AccessFlags.toString(3));
    }

    @Test
    void workRequestLengths() {
        SendWorkRequest wr = SendWorkRequest.send(1, java.util.List.of(new ScatterGatherEntry(0x1000, 10, 1),
                new ScatterGatherEntry(0x2000, 20, 1)));
        assertEquals(30, wr.totalLength());
        assertTrue(wr.has(SendWorkRequest.SIGNALED));
        assertFalse(wr.withFlags(0).has(SendWorkRequest.SIGNALED));
        assertThrows(IllegalArgumentException.class, () -> new ScatterGatherEntry(0, -1, 0));
    }
}
