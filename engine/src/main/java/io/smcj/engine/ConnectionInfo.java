package io.smcj.engine;

import io.smcj.cdc.CdcSnapshot;
import java.net.InetSocketAddress;

/**
 * One line of the connection listing, like {@code smcss} ({@code smc_diag}): addresses, state,
 * link group and link, RMB sizes, cursors, bytes, and for a fallback the reason.
 *
 * @param role          CLIENT or SERVER
 * @param local         local TCP address
 * @param remote        peer TCP address
 * @param state         SMC state name (ACTIVE, PEERCLOSEWAIT1 ...) or "TCP" after a fallback
 * @param status        SMC-R version or fallback reason
 * @param linkGroup     link group id, 0 on fallback
 * @param link          link id, 0 on fallback
 * @param rmbSize       our RMBE size
 * @param peerRmbSize   the peer's RMBE size
 * @param cdc           cursors and flags (null on fallback)
 * @param bytesSent     application bytes written
 * @param bytesReceived application bytes read
 */
public record ConnectionInfo(String role, InetSocketAddress local, InetSocketAddress remote, String state,
                             SmcStatus status, int linkGroup, int link, int rmbSize, int peerRmbSize, CdcSnapshot cdc,
                             long bytesSent, long bytesReceived) {

    /** Header for {@link #toLine()}. */
    public static final String HEADER = String.format("%-6s %-22s %-22s %-15s %-4s %-5s %-8s %-8s %-14s %-14s %s",
            "Role", "Local Address", "Foreign Address", "State", "LGR", "Link", "RMB", "PeerRMB", "Prod(tx)",
            "Cons(rx)", "Mode");

    public String toLine() {
        String prod = cdc == null ? "-" : cdc.prod().wrap() + ":" + cdc.prod().count();
        String cons = cdc == null ? "-" : cdc.cons().wrap() + ":" + cdc.cons().count();
        return String.format("%-6s %-22s %-22s %-15s %-4s %-5s %-8s %-8s %-14s %-14s %s", role, addr(local),
                addr(remote), state, linkGroup == 0 ? "-" : linkGroup, link == 0 ? "-" : link,
                rmbSize == 0 ? "-" : rmbSize, peerRmbSize == 0 ? "-" : peerRmbSize, prod, cons, status);
    }

    private static String addr(InetSocketAddress a) {
        return a == null ? "-" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
