/**
 * The verbs SPI: a narrow, libibverbs-shaped interface to an RDMA device (RoCE), so that the
 * SMC-R engine runs unchanged over the soft-RDMA simulator and over a real FFM/libibverbs backend.
 *
 * <p>Entry point: {@link io.smcj.transport.rdma.VerbsProvider} lists and opens devices
 * ({@code ibv_get_device_list}/{@code ibv_open_device}). Objects then follow the verbs
 * hierarchy: {@link io.smcj.transport.rdma.VerbsContext} (ibv_context) &rarr;
 * {@link io.smcj.transport.rdma.ProtectionDomain} (ibv_pd) &rarr;
 * {@link io.smcj.transport.rdma.MemoryRegion} (ibv_mr) and {@link io.smcj.transport.rdma.QueuePair}
 * (ibv_qp, RC only); {@link io.smcj.transport.rdma.CompletionQueue} (ibv_cq) reports
 * {@link io.smcj.transport.rdma.WorkCompletion}s (ibv_wc). Work requests carry no Java payload:
 * scatter/gather entries are (addr, length, lkey) over registered native memory and the remote
 * side is (remote_addr, rkey), exactly as on the wire.
 */
package io.smcj.transport.rdma;
