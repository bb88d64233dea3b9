package io.smcj.cdc;

/**
 * One contiguous piece of an RDMA WRITE computed by {@link CdcSender#rdmaWrites()}: copy
 * {@code length} bytes from the local send buffer at {@code localOffset} to the peer's RMBE at
 * {@code remoteOffset} (relative to the RMBE start, i.e. the engine adds the peer RMB address and
 * {@code tx_off}). Each segment is contiguous in both rings: the kernel's
 * {@code smc_tx_rdma_writes} posts at most two WRITEs (split at the RMBE end) with at most two
 * SGEs each (split at the send buffer end); segments with the same {@code wrIndex} form one
 * RDMA WRITE work request.
 *
 * @param wrIndex      0 or 1: which RDMA WRITE work request this segment belongs to
 * @param localOffset  offset in the send buffer
 * @param remoteOffset offset in the peer's RMBE
 * @param length       bytes, > 0
 */
public record RdmaWriteSegment(int wrIndex, int localOffset, int remoteOffset, int length) {
    public RdmaWriteSegment {
        if (wrIndex < 0 || wrIndex > 1 || localOffset < 0 || remoteOffset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad RDMA write segment " + wrIndex + "/" + localOffset + "/"
                    + remoteOffset + "/" + length);
        }
    }
}
