package io.smcj.transport.rdma;

/**
 * The limits {@code ibv_query_device} reports (the part SMC-R uses).
 *
 * @param maxQpWr largest send/recv queue depth
 * @param maxSge largest number of scatter/gather entries per work request
 * @param maxCqe largest completion queue
 * @param maxMrSize largest memory region in bytes
 * @param maxInlineData largest inline send payload
 * @param portCount number of physical ports (numbered from 1)
 */
public record DeviceAttributes(int maxQpWr, int maxSge, int maxCqe, long maxMrSize, int maxInlineData, int portCount) {}
