package io.smcj.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smcj.cdc.CdcCodec;
import io.smcj.cdc.CdcConfig;
import io.smcj.cdc.CdcConnection;
import io.smcj.cdc.Transmission;
import io.smcj.protocol.AlertToken;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failover-validation CDC our core produces after a link switch ({@code smcr_cdc_msg_send_validation})
 * is dissected by Wireshark as an SMC-R CDC with the failover validation indicator, the seqno of
 * the last completed CDC, the peer's token and everything else zero, field for field as we decode it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailoverValidationTsharkTest {

    @Test
    void validationCdcIsWhatWiresharkCallsAFailoverValidation(@TempDir Path dir) throws Exception {
        assumeTrue(Tshark.available(), () -> Tshark.skip("tshark not installed (apt package tshark, listed in "
                + "scripts/test-packages.txt): the failover-validation CDC is not cross-checked against Wireshark"));
        Arena arena = Arena.ofAuto();
        CdcConnection c = new CdcConnection(CdcConfig.defaults(new AlertToken(7), new AlertToken(0x01020304)),
                arena.allocate(16384), arena.allocate(16384), 16384);
        c.write(new byte[1000], 0, 1000, 0);
        c.poll().orElseThrow();
        c.onCdcSendComplete(); // seqno 1 completed
        c.write(new byte[500], 0, 500, 0);
        Transmission flushed = c.poll().orElseThrow(); // seqno 2, flushed on the failed link
        c.switchLink();
        Transmission v = c.poll().orElseThrow();
        Transmission again = c.poll().orElseThrow();
        byte[] validation = CdcCodec.encode(v.cdc());
        List<TsharkCrossCheckTest.Checked> checked = TsharkCrossCheckTest.crossCheck(dir, List.of(),
                List.of(CdcCodec.encode(flushed.cdc()), validation, CdcCodec.encode(again.cdc())));
        assertEquals(3, checked.size());
        TsharkCrossCheckTest.assertAllDecodedAndEqual(checked);
        Tshark.Pdu p = checked.get(1).pdu();
        assertEquals("1", p.first("smc.rmbe.ctrl.failover.validation").show());
        assertEquals("0x0001", p.first("smc.rmbe.ctrl.seqno").show(), "tx_cdc_seq_fin");
        assertEquals("0", p.first("smc.rmbe.ctrl.write.blocked").show());
        assertEquals("0", checked.get(0).pdu().first("smc.rmbe.ctrl.failover.validation").show());
        assertEquals("0x0003", checked.get(2).pdu().first("smc.rmbe.ctrl.seqno").show(), "the re-send continues the seqnos");
        assertTrue(again.dataBytes() == 500 && again.writes().equals(flushed.writes()), "same bytes, same place");
    }
}
