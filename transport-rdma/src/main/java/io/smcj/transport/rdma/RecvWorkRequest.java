package io.smcj.transport.rdma;

import java.util.List;

/**
 * {@code struct ibv_recv_wr}: a receive buffer for one incoming SEND or RDMA WRITE WITH IMMEDIATE.
 *
 * @param wrId caller's cookie, returned in the completion
 * @param sgList where incoming SEND data is scattered (may be empty for WRITE WITH IMMEDIATE)
 */
public record RecvWorkRequest(long wrId, List<ScatterGatherEntry> sgList) {
    public RecvWorkRequest {
        sgList = List.copyOf(sgList);
    }

    public static RecvWorkRequest of(long wrId, ScatterGatherEntry... sg) {
        return new RecvWorkRequest(wrId, List.of(sg));
    }

    public long totalLength() {
        long n = 0;
        for (ScatterGatherEntry e : sgList) {
            n += e.length();
        }
        return n;
    }
}
