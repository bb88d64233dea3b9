package io.smcj.transport.tcp.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether the BPF probe can work here, computed once (like Netty's {@code Epoll.isAvailable()} /
 * {@code unavailabilityCause()}): Linux >= 5.10 (header-option callbacks), native access, a
 * writable cgroup2 hierarchy, and permission to create maps and load a sock_ops program.
 */
public final class BpfSupport {
    private static final String CAUSE = compute();

    private BpfSupport() {
    }

    public static boolean isAvailable() {
        return CAUSE == null;
    }

    /** Null when available; otherwise one line saying why not. */
    public static String unavailabilityCause() {
        return CAUSE;
    }

    private static String compute() {
        try {
            String why = Native.unavailableReason();
            if (why != null) {
                return why;
            }
            String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
            if (!atLeast(release, 5, 10)) {
                return "kernel " + release + " is older than 5.10 (no BPF TCP header option callbacks)";
            }
            Optional<Path> mount = Cgroup2.mountPoint();
            if (mount.isEmpty()) {
                return "no cgroup2 hierarchy mounted (see /proc/self/mountinfo)";
            }
            if (!Files.isWritable(mount.get())) {
                return "cgroup2 hierarchy " + mount.get() + " is not writable (not root?)";
            }
            int map;
            try {
                map = Bpf.mapCreate(Bpf.MAP_TYPE_HASH, 4, 4, 1, "smcj_probe");
            } catch (BpfException e) {
                return "cannot create a BPF map (" + e.getMessage() + ")"
                        + (Native.geteuid() != 0 ? "; not running as root" : "");
            }
            Native.close(map);
            byte[] retOne = new BpfAssembler().mov64(BpfAssembler.R0, 1).exit().assemble().bytes(java.util.Map.of());
            try {
                int prog = Bpf.progLoad(Bpf.PROG_TYPE_SOCK_OPS, retOne, "GPL", "smcj_probe", Bpf.ATTACH_CGROUP_SOCK_OPS);
                Native.close(prog);
            } catch (BpfException e) {
                return "cannot load a sock_ops program (" + e.getMessage().lines().findFirst().orElse("") + ")";
            }
            return null;
        } catch (IOException | RuntimeException | LinkageError e) {
            return "BPF probe failed: " + e;
        }
    }

    static boolean atLeast(String release, int major, int minor) {
        String[] p = release.split("[.-]");
        try {
            int ma = Integer.parseInt(p[0]);
            int mi = p.length > 1 ? Integer.parseInt(p[1].replaceAll("\\D.*", "")) : 0;
            return ma > major || (ma == major && mi >= minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
