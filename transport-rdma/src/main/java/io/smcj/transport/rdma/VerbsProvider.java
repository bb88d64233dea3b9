package io.smcj.transport.rdma;

import java.util.List;

/**
 * Entry point of a verbs backend ({@code ibv_get_device_list} + {@code ibv_open_device}): the
 * soft-RDMA simulator's fabric or a real libibverbs binding.
 */
public interface VerbsProvider {

    /** Short backend name for logs (e.g. "sim-fast", "ibverbs"). */
    String name();

    /** Names of the devices this provider can open (e.g. "mlx5_0", "sim0"). */
    List<String> deviceNames();

    /**
     * Opens a device by name.
     *
     * @throws VerbsException ENODEV when there is no such device
     */
    VerbsContext openDevice(String name);
}
