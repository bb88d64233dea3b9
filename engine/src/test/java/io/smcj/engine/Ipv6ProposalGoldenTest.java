package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcProposal;
import io.smcj.protocol.Gid;
import io.smcj.protocol.Hex;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import io.smcj.transport.tcp.stream.InterfaceInfo;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Proposal our client sends over an IPv6 CLC socket, byte for byte as {@code smc_clc_send_proposal}
 * lays it out (struct smc_clc_msg_proposal_area): header version 2, typev2 N (SMC-R v2 needs
 * AF_INET), typev1 R; iparea_offset 40 (the zeroed SMC-D area, v2_ext_offset 0); the prefix area
 * with outgoing_subnet 0.0.0.0, prefix_len 0 and ipv6_prefixes_cnt, then the packed 17-byte
 * {@code smc_clc_ipv6_prefix} entries from {@code smc_clc_prfx_set6_rcu} (link-local skipped, bits
 * beyond the length cleared); the trailer.
 */
class Ipv6ProposalGoldenTest {

    @Test
    void v1ProposalOverIpv6HasTheDevicesIpv6Prefixes() throws Exception {
        MacAddress mac = MacAddress.parse("02:00:00:00:00:01");
        PeerId peer = new PeerId(0x1234, mac);
        Gid v1Gid = Gid.parse("fe80::ff:fe00:1");
        InterfaceInfo eth0 = new InterfaceInfo("eth0", List.of(
                new InterfaceInfo.Address(InetAddress.getByName("fe80::1"), 64),
                new InterfaceInfo.Address(InetAddress.getByName("fd00:1::2"), 64),
                new InterfaceInfo.Address(InetAddress.getByName("10.0.0.2"), 24),
                new InterfaceInfo.Address(InetAddress.getByName("2001:db8:5:ffff::2"), 48)));
        ClcProposal.IpPrefix prefix = DeviceSelection.proposalPrefix(InetAddress.getByName("fd00:1::2"), eth0);
        LocalSmc me = new LocalSmc(peer, v1Gid, mac, 0, 0, true, true, List.of("SMCJ"), 255, 2, "h", null, prefix);
        ClcProposal p = ClcHandshake.proposal(me);
        byte[] expected = Hex.parse(String.join("",
                "e2d4c3d9", "01", "007e", "28",                  // eyecatcher, PROPOSAL, length 126, v2 typev2 N typev1 R
                "1234020000000001",                              // id_for_peer (local_systemid)
                "fe80000000000000000000fffe000001",              // lcl.gid: the RoCE v1 GID
                "020000000001",                                  // lcl.mac
                "0028",                                          // iparea_offset = sizeof(smc_clc_msg_smcd)
                "00".repeat(40),                                 // SMC-D area, v2_ext_offset 0
                "00000000", "00", "0000", "02",                  // outgoing_subnet, prefix_len, reserved, cnt 2
                "fd000001000000000000000000000000", "40",        // fd00:1::/64
                "20010db8000500000000000000000000", "30",        // 2001:db8:5::/48
                "e2d4c3d9"));
        assertEquals(126, expected.length);
        assertArrayEquals(expected, ClcCodec.encode(p), Hex.of(ClcCodec.encode(p)));
        assertEquals(p, ClcCodec.decode(expected));
    }
}
