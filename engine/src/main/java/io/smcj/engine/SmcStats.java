package io.smcj.engine;

import io.smcj.protocol.DeclineCode;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Engine-wide statistics shaped like the kernel's ({@code net/smc/smc_stats.h}, netlink
 * GET_STATS / GET_FBACK_STATS): handshake successes by role and version, handshake errors, fallbacks
 * by reason code and role, bytes and operations, and the buffer events (local send buffer full,
 * peer RMB full). Counters are {@link LongAdder}s: any thread may count, any thread may snapshot.
 */
public final class SmcStats {
    /** Which side of the handshake counted. */
    public enum Role { CLIENT, SERVER }

    final LongAdder clntV1Succ = new LongAdder();
    final LongAdder clntV2Succ = new LongAdder();
    final LongAdder srvV1Succ = new LongAdder();
    final LongAdder srvV2Succ = new LongAdder();
    final LongAdder clntHshakeErr = new LongAdder();
    final LongAdder srvHshakeErr = new LongAdder();
    final LongAdder txBytes = new LongAdder();
    final LongAdder rxBytes = new LongAdder();
    final LongAdder txCnt = new LongAdder();
    final LongAdder rxCnt = new LongAdder();
    final LongAdder urgDataCnt = new LongAdder();
    final LongAdder corkCnt = new LongAdder();
    /** The sender found no space in the peer's RMB ({@code buf_full_peer_cnt}). */
    final LongAdder bufFullPeer = new LongAdder();
    /** Our send buffer was full and the writer had to wait ({@code buf_full_cnt} of tx). */
    final LongAdder sndbufFull = new LongAdder();
    final LongAdder rmbAlloc = new LongAdder();
    final LongAdder rmbReuse = new LongAdder();
    final LongAdder lgrCreated = new LongAdder();
    final LongAdder linksUp = new LongAdder();
    final LongAdder linksDown = new LongAdder();
    private final Map<Integer, LongAdder> fallbackClient = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> fallbackServer = new ConcurrentHashMap<>();

    public void handshakeSucceeded(Role role, boolean v2) {
        (role == Role.CLIENT ? (v2 ? clntV2Succ : clntV1Succ) : (v2 ? srvV2Succ : srvV1Succ)).increment();
    }

    public void handshakeError(Role role) {
        (role == Role.CLIENT ? clntHshakeErr : srvHshakeErr).increment();
    }

    /** A connection fell back to TCP for {@code reason} (a decline code value). */
    public void fallback(Role role, int reason) {
        (role == Role.CLIENT ? fallbackClient : fallbackServer).computeIfAbsent(reason, k -> new LongAdder())
                .increment();
    }

    public void sent(long bytes) {
        txBytes.add(bytes);
        txCnt.increment();
    }

    public void received(long bytes) {
        rxBytes.add(bytes);
        rxCnt.increment();
    }

    public void urgentData() {
        urgDataCnt.increment();
    }

    /**
     * {@code cork_cnt}: the kernel counts setsockopt(TCP_CORK) on an SMC socket
     * ({@code smc_setsockopt} in af_smc.c); SmcSocket offers no TCP_CORK yet, so it stays 0.
     */
    public void corked() {
        corkCnt.increment();
    }

    public void peerRmbFull() {
        bufFullPeer.increment();
    }

    public void sndbufFull() {
        sndbufFull.increment();
    }

    public void rmbAllocated(boolean reused) {
        (reused ? rmbReuse : rmbAlloc).increment();
    }

    public void linkGroupCreated() {
        lgrCreated.increment();
    }

    public void linkUp() {
        linksUp.increment();
    }

    public void linkDown() {
        linksDown.increment();
    }

    /** A consistent-enough copy for printing (each counter read once). */
    public Snapshot snapshot() {
        return new Snapshot(clntV1Succ.sum(), clntV2Succ.sum(), srvV1Succ.sum(), srvV2Succ.sum(),
                clntHshakeErr.sum(), srvHshakeErr.sum(), txBytes.sum(), rxBytes.sum(), txCnt.sum(), rxCnt.sum(),
                urgDataCnt.sum(), corkCnt.sum(), bufFullPeer.sum(), sndbufFull.sum(), rmbAlloc.sum(), rmbReuse.sum(),
                lgrCreated.sum(), linksUp.sum(), linksDown.sum(), copy(fallbackClient), copy(fallbackServer));
    }

    private static Map<Integer, Long> copy(Map<Integer, LongAdder> m) {
        Map<Integer, Long> out = new TreeMap<>(Integer::compareUnsigned);
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Values of one moment; {@link #toText()} prints them like {@code smcd stats} does. */
    public record Snapshot(long clntV1Succ, long clntV2Succ, long srvV1Succ, long srvV2Succ, long clntHshakeErr,
                           long srvHshakeErr, long txBytes, long rxBytes, long txCnt, long rxCnt, long urgDataCnt,
                           long corkCnt, long bufFullPeer, long sndbufFull, long rmbAlloc, long rmbReuse,
                           long lgrCreated, long linksUp, long linksDown, Map<Integer, Long> fallbackClient,
                           Map<Integer, Long> fallbackServer) {

        public long connections() {
            return clntV1Succ + clntV2Succ + srvV1Succ + srvV2Succ;
        }

        public long fallbacks() {
            return fallbackClient.values().stream().mapToLong(Long::longValue).sum()
                    + fallbackServer.values().stream().mapToLong(Long::longValue).sum();
        }

        public String toText() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("SMC-R connections   client v1 %d  v2 %d   server v1 %d  v2 %d%n",
                    clntV1Succ, clntV2Succ, srvV1Succ, srvV2Succ));
            sb.append(String.format("handshake errors    client %d   server %d%n", clntHshakeErr, srvHshakeErr));
            sb.append(String.format("data                tx %d bytes in %d ops   rx %d bytes in %d ops%n",
                    txBytes, txCnt, rxBytes, rxCnt));
            sb.append(String.format("buffers             peer RMB full %d   local sndbuf full %d   RMB alloc %d"
                    + "   reuse %d%n", bufFullPeer, sndbufFull, rmbAlloc, rmbReuse));
            sb.append(String.format("link groups         created %d   links up %d   down %d%n",
                    lgrCreated, linksUp, linksDown));
            sb.append(String.format("urgent data %d   corked sends %d%n", urgDataCnt, corkCnt));
            appendFallbacks(sb, "client", fallbackClient);
            appendFallbacks(sb, "server", fallbackServer);
            return sb.toString();
        }

        private static void appendFallbacks(StringBuilder sb, String role, Map<Integer, Long> m) {
            if (m.isEmpty()) {
                sb.append("fallbacks (").append(role).append(")  none\n");
                return;
            }
            sb.append("fallbacks (").append(role).append(")\n");
            m.forEach((code, n) -> sb.append(String.format("  %6d  %s%n", n, DeclineCode.describe(code))));
        }
    }
}
