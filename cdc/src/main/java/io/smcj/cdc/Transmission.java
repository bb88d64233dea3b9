package io.smcj.cdc;

import java.util.List;
import java.util.Objects;

/**
 * What the engine must post, in this order, on the connection's link: the RDMA WRITEs (possibly
 * none) and then the CDC as an IB SEND (signaled). RC ordering guarantees the data is placed
 * before the CDC arrives. When the CDC's send completion arrives, call
 * {@link CdcConnection#onCdcSendComplete()}.
 *
 * @param writes RDMA WRITE segments (at most two work requests, see {@link RdmaWriteSegment})
 * @param cdc    the CDC message to send after them
 */
public record Transmission(List<RdmaWriteSegment> writes, CdcMessage cdc) {
    public Transmission {
        writes = List.copyOf(writes);
        Objects.requireNonNull(cdc);
    }

    public int dataBytes() {
        return writes.stream().mapToInt(RdmaWriteSegment::length).sum();
    }
}
