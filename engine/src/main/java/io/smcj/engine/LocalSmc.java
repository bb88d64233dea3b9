package io.smcj.engine;

import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import java.util.List;

/**
 * What one side puts into its CLC messages and checks the peer's against: its system id, the
 * chosen RoCE device's GID and MAC, the IP subnet of the TCP connection, the enabled SMC-R
 * versions, user EIDs, and the v2.1 limits.
 *
 * @param peerId     our system id ({@code local_systemid})
 * @param gid        GID of the chosen device port (null when no device is usable)
 * @param mac        MAC of that port
 * @param subnet     our IPv4 subnet of the TCP connection (address &amp; mask)
 * @param prefixLen  its prefix length
 * @param v1         SMC-R v1 enabled
 * @param v2         SMC-R v2 enabled
 * @param ueids      user EIDs (SMC-R v2 needs one in common)
 * @param maxConns   {@code smcr_max_conns_per_lgr}
 * @param maxLinks   {@code smcr_max_links_per_lgr}
 * @param hostname   for the first-contact extension
 */
record LocalSmc(PeerId peerId, Gid gid, MacAddress mac, int subnet, int prefixLen, boolean v1, boolean v2,
                List<String> ueids, int maxConns, int maxLinks, String hostname) {

    boolean hasDevice() {
        return gid != null;
    }

    static int mask(int prefixLen) {
        return prefixLen == 0 ? 0 : -1 << (32 - prefixLen);
    }
}
