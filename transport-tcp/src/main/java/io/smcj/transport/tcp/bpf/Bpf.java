package io.smcj.transport.tcp.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The {@code bpf()} commands smcj uses, with {@code union bpf_attr} laid out by hand
 * (include/uapi/linux/bpf.h). Every method returns a new fd or throws {@link BpfException}.
 */
public final class Bpf {
    static final int BPF_MAP_CREATE = 0, BPF_MAP_LOOKUP_ELEM = 1, BPF_MAP_UPDATE_ELEM = 2,
            BPF_MAP_DELETE_ELEM = 3, BPF_PROG_LOAD = 5, BPF_PROG_QUERY = 16, BPF_LINK_CREATE = 28;
    public static final int MAP_TYPE_HASH = 1, MAP_TYPE_ARRAY = 2, MAP_TYPE_LRU_HASH = 9;
    public static final int PROG_TYPE_SOCK_OPS = 13;
    public static final int ATTACH_CGROUP_SOCK_OPS = 3;
    private static final int ATTR_SIZE = 128;
    private static final int LOG_SIZE = 4 << 20;

    private Bpf() {
    }

    private static MemorySegment attr(Arena arena) {
        return arena.allocate(ATTR_SIZE, 8); // zeroed: unused fields must be 0
    }

    private static void name(MemorySegment attr, long off, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(b, 0, attr, ValueLayout.JAVA_BYTE, off, Math.min(b.length, 15));
    }

    /** BPF_MAP_CREATE; {@code name} up to 15 characters [A-Za-z0-9_.]. */
    public static int mapCreate(int type, int keySize, int valueSize, int maxEntries, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(ValueLayout.JAVA_INT, 0, type);
            a.set(ValueLayout.JAVA_INT, 4, keySize);
            a.set(ValueLayout.JAVA_INT, 8, valueSize);
            a.set(ValueLayout.JAVA_INT, 12, maxEntries);
            name(a, 28, name);
            Native.Result r = Native.bpf(BPF_MAP_CREATE, a);
            if (r.value() < 0) {
                throw new BpfException("BPF_MAP_CREATE type " + type, r.errno(), null);
            }
            return (int) r.value();
        }
    }

    /**
     * BPF_PROG_LOAD. Loads without a log first; on failure loads again with log_level 1 so the
     * exception carries the verifier's explanation.
     */
    public static int progLoad(int type, byte[] insns, String license, String name, int expectedAttachType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = arena.allocate(insns.length, 8);
            MemorySegment.copy(insns, 0, code, ValueLayout.JAVA_BYTE, 0, insns.length);
            MemorySegment lic = arena.allocateFrom(license, StandardCharsets.US_ASCII);
            MemorySegment a = attr(arena);
            a.set(ValueLayout.JAVA_INT, 0, type);
            a.set(ValueLayout.JAVA_INT, 4, insns.length / 8);
            a.set(ValueLayout.JAVA_LONG, 8, code.address());
            a.set(ValueLayout.JAVA_LONG, 16, lic.address());
            name(a, 48, name);
            a.set(ValueLayout.JAVA_INT, 68, expectedAttachType);
            Native.Result r = Native.bpf(BPF_PROG_LOAD, a);
            if (r.value() >= 0) {
                return (int) r.value();
            }
            MemorySegment log = arena.allocate(LOG_SIZE);
            a.set(ValueLayout.JAVA_INT, 24, 1);
            a.set(ValueLayout.JAVA_INT, 28, LOG_SIZE);
            a.set(ValueLayout.JAVA_LONG, 32, log.address());
            Native.Result again = Native.bpf(BPF_PROG_LOAD, a);
            if (again.value() >= 0) { // loaded the second time (transient failure): keep it
                return (int) again.value();
            }
            throw new BpfException("BPF_PROG_LOAD of '" + name + "' (" + insns.length / 8 + " insns)", r.errno(),
                    log.getString(0, StandardCharsets.UTF_8));
        }
    }

    /** BPF_LINK_CREATE: attaches {@code progFd} to {@code targetFd}; the link lives as long as its fd. */
    public static int linkCreate(int progFd, int targetFd, int attachType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(ValueLayout.JAVA_INT, 0, progFd);
            a.set(ValueLayout.JAVA_INT, 4, targetFd);
            a.set(ValueLayout.JAVA_INT, 8, attachType);
            Native.Result r = Native.bpf(BPF_LINK_CREATE, a);
            if (r.value() < 0) {
                throw new BpfException("BPF_LINK_CREATE attach type " + attachType, r.errno(), null);
            }
            return (int) r.value();
        }
    }

    /** BPF_MAP_LOOKUP_ELEM: the value, or null when the key is absent (ENOENT). */
    public static byte[] mapLookup(int mapFd, byte[] key, int valueSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = arena.allocate(valueSize, 8);
            MemorySegment a = attr(arena);
            a.set(ValueLayout.JAVA_INT, 0, mapFd);
            a.set(ValueLayout.JAVA_LONG, 8, k.address());
            a.set(ValueLayout.JAVA_LONG, 16, v.address());
            Native.Result r = Native.bpf(BPF_MAP_LOOKUP_ELEM, a);
            if (r.value() < 0) {
                if (r.errno() == 2) {
                    return null;
                }
                throw new BpfException("BPF_MAP_LOOKUP_ELEM", r.errno(), null);
            }
            return v.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** BPF_MAP_UPDATE_ELEM with BPF_ANY. */
    public static void mapUpdate(int mapFd, byte[] key, byte[] value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_BYTE, value);
            MemorySegment a = attr(arena);
            a.set(ValueLayout.JAVA_INT, 0, mapFd);
            a.set(ValueLayout.JAVA_LONG, 8, k.address());
            a.set(ValueLayout.JAVA_LONG, 16, v.address());
            Native.Result r = Native.bpf(BPF_MAP_UPDATE_ELEM, a);
            if (r.value() < 0) {
                throw new BpfException("BPF_MAP_UPDATE_ELEM", r.errno(), null);
            }
        }
    }

    /** BPF_MAP_DELETE_ELEM; false when the key was absent. */
    public static boolean mapDelete(int mapFd, byte[] key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
            MemorySegment a = attr(arena);
            a.set(ValueLayout.JAVA_INT, 0, mapFd);
            a.set(ValueLayout.JAVA_LONG, 8, k.address());
            Native.Result r = Native.bpf(BPF_MAP_DELETE_ELEM, a);
            if (r.value() < 0) {
                if (r.errno() == 2) {
                    return false;
                }
                throw new BpfException("BPF_MAP_DELETE_ELEM", r.errno(), null);
            }
            return true;
        }
    }

    /** BPF_PROG_QUERY: how many programs of {@code attachType} are attached directly to the cgroup {@code targetFd}. */
    public static int progQueryCount(int targetFd, int attachType) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = attr(arena);
            a.set(ValueLayout.JAVA_INT, 0, targetFd);
            a.set(ValueLayout.JAVA_INT, 4, attachType);
            Native.Result r = Native.bpf(BPF_PROG_QUERY, a);
            if (r.value() < 0) {
                throw new BpfException("BPF_PROG_QUERY", r.errno(), null);
            }
            return a.get(ValueLayout.JAVA_INT, 24);
        }
    }
}
