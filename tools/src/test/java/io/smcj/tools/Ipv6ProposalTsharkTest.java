package io.smcj.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcProposal;
import io.smcj.clc.RawBytes;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import io.smcj.protocol.SmcType;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Proposal the engine sends over an IPv6 CLC socket (Linux layout: header version 2, typev2 N,
 * typev1 R, outgoing_subnet 0.0.0.0/0 and the device's IPv6 prefixes) is decoded by tshark field
 * for field as we describe it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Ipv6ProposalTsharkTest {

    @Test
    void ipv6ProposalIsDecodedIdenticallyByTshark(@TempDir Path dir) throws Exception {
        assumeTrue(Tshark.available(), () -> Tshark.skip("tshark not installed: the IPv6 Proposal cross-check is skipped"));
        MacAddress mac = MacAddress.parse("02:00:00:00:00:02");
        ClcProposal.IpPrefix prefixes = new ClcProposal.IpPrefix(0, 0, 0, List.of(
                new ClcProposal.Ipv6Prefix(RawBytes.hex("fd000001000000000000000000000000"), 64),
                new ClcProposal.Ipv6Prefix(RawBytes.hex("20010db8000500000000000000000000"), 48)));
        ClcProposal p = ClcProposal.linux(SmcType.R.wire(), SmcType.N.wire(), new PeerId(0x1234, mac),
                Gid.parse("fe80::ff:fe00:2"), mac, ClcProposal.SmcdArea.empty(0), prefixes, null, null);
        List<TsharkCrossCheckTest.Checked> c = TsharkCrossCheckTest.crossCheck(dir, List.of(ClcCodec.encode(p)), List.of());
        assertEquals(1, c.size());
        TsharkCrossCheckTest.assertAllDecodedAndEqual(c);
        TsharkCrossCheckTest.assertNoLooseMatches(c);
        Tshark.Pdu pdu = c.get(0).pdu();
        assertEquals("2", pdu.first("smc.proposal.ipv6.prefix.count").show());
        assertEquals(List.of("fd00:1::", "2001:db8:5::"), pdu.fields().stream()
                .filter(f -> f.name().equals("smc.proposal.ipv6.prefix.value")).map(Tshark.Field::show).toList());
        assertEquals("0x0028", pdu.first("smc.proposal.smcv1_subnet_ext_offset").show());
    }
}
