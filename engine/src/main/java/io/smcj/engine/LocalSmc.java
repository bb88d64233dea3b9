package io.smcj.engine;

import io.smcj.clc.ClcProposal;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import java.util.List;

/**
 * What one side puts into its CLC messages and checks the peer's against: its system id, the
 * chosen RoCE port's GIDs (SMC-R v1 and v2 use different GIDs: a RoCE v1 GID, and a RoCE v2 GID
 * of the source address's subnet) and MAC, the IP prefix area of the CLC socket, the enabled
 * SMC-R versions, user EIDs, and the v2.1 limits.
 *
 * @param peerId     our system id ({@code local_systemid})
 * @param gid        SMC-R v1 GID ({@code ini->ib_gid}), null when no port has one for the CLC socket
 * @param mac        MAC of the chosen port
 * @param subnet     IPv4 subnet of the configured fallback prefix (used when the interface is unknown)
 * @param prefixLen  its prefix length
 * @param v1         SMC-R v1 enabled
 * @param v2         SMC-R v2 enabled
 * @param ueids      user EIDs (SMC-R v2 needs one in common)
 * @param maxConns   {@code smcr_max_conns_per_lgr}
 * @param maxLinks   {@code smcr_max_links_per_lgr}
 * @param hostname   for the first-contact extension
 * @param gidV2      SMC-R v2 GID ({@code ini->smcrv2.ib_gid_v2}), null when none (or not an IPv4 socket)
 * @param prefix     the Proposal's IP prefix area ({@code smc_clc_prfx_set}), null when it cannot be determined
 */
record LocalSmc(PeerId peerId, Gid gid, MacAddress mac, int subnet, int prefixLen, boolean v1, boolean v2,
                List<String> ueids, int maxConns, int maxLinks, String hostname, Gid gidV2,
                ClcProposal.IpPrefix prefix) {

    /** One port and GID for both versions, the IPv4 prefix {@code subnet/prefixLen} (tests, fallback). */
    LocalSmc(PeerId peerId, Gid gid, MacAddress mac, int subnet, int prefixLen, boolean v1, boolean v2,
             List<String> ueids, int maxConns, int maxLinks, String hostname) {
        this(peerId, gid, mac, subnet, prefixLen, v1, v2, ueids, maxConns, maxLinks, hostname, gid,
                ClcProposal.IpPrefix.ipv4(subnet & mask(prefixLen), prefixLen));
    }

    boolean hasDevice() {
        return gid != null || gidV2 != null;
    }

    static int mask(int prefixLen) {
        return prefixLen == 0 ? 0 : -1 << (32 - prefixLen);
    }
}
