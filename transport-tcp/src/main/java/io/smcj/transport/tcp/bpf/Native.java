package io.smcj.transport.tcp.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The few libc entry points smcj needs, through {@code java.lang.foreign}: {@code syscall(SYS_bpf,
 * ...)}, {@code open}, {@code close}, {@code setns}, {@code geteuid}; errno is captured per call.
 * Linux only (x86_64 and aarch64 syscall numbers).
 */
public final class Native {
    /** __NR_bpf: 321 on x86_64, 280 on aarch64 (asm-generic). */
    public static final long SYS_BPF;
    public static final int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL3;
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle SETNS;
    private static final MethodHandle GETEUID;
    private static final Throwable LOAD_FAILURE;

    static {
        String arch = System.getProperty("os.arch", "");
        SYS_BPF = switch (arch) {
            case "amd64", "x86_64" -> 321;
            case "aarch64" -> 280;
            default -> -1;
        };
        MethodHandle sys = null, open = null, close = null, setns = null, euid = null;
        Throwable failure = null;
        try {
            SymbolLookup libc = LINKER.defaultLookup();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            sys = LINKER.downcallHandle(libc.find("syscall").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                    errno, Linker.Option.firstVariadicArg(1));
            open = LINKER.downcallHandle(libc.find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), errno);
            close = LINKER.downcallHandle(libc.find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
            setns = LINKER.downcallHandle(libc.find("setns").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
            euid = LINKER.downcallHandle(libc.find("geteuid").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
        } catch (Throwable t) {
            failure = t;
        }
        SYSCALL3 = sys;
        OPEN = open;
        CLOSE = close;
        SETNS = setns;
        GETEUID = euid;
        LOAD_FAILURE = failure;
    }

    private Native() {
    }

    /** Null when the native calls are usable, else why not (not Linux, no native access ...). */
    static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "not Linux (" + System.getProperty("os.name") + ")";
        }
        if (SYS_BPF < 0) {
            return "unsupported CPU architecture " + System.getProperty("os.arch");
        }
        if (LOAD_FAILURE != null) {
            return "native calls unavailable (" + LOAD_FAILURE + "); run with --enable-native-access=ALL-UNNAMED";
        }
        return null;
    }

    /** Result of a system call: return value and errno (meaningful when the value is negative). */
    record Result(long value, int errno) {
    }

    /** {@code syscall(SYS_bpf, cmd, attr, size)}. */
    static Result bpf(int cmd, MemorySegment attr) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            long r = (long) SYSCALL3.invokeExact(state, SYS_BPF, cmd, attr, (int) attr.byteSize());
            return new Result(r, r < 0 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** open(2); returns the fd or throws with errno. */
    public static int open(String path, int flags) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment p = arena.allocateFrom(path, StandardCharsets.UTF_8);
            int fd = (int) OPEN.invokeExact(state, p, flags | O_CLOEXEC);
            if (fd < 0) {
                throw new BpfException("open " + path, (int) ERRNO.get(state, 0L), null);
            }
            return fd;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void close(int fd) {
        if (fd < 0) {
            return;
        }
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int r = (int) CLOSE.invokeExact(state, fd);
            if (r < 0) {
                throw new BpfException("close fd " + fd, (int) ERRNO.get(state, 0L), null);
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * setns(2) for the CALLING THREAD only: a network namespace switch affects sockets this thread
     * creates afterwards. Use a dedicated thread.
     */
    public static void setns(int fd, int nstype) {
        check();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int r = (int) SETNS.invokeExact(state, fd, nstype);
            if (r < 0) {
                throw new BpfException("setns", (int) ERRNO.get(state, 0L), null);
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int geteuid() {
        check();
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void check() {
        String why = unavailableReason();
        if (why != null) {
            throw new BpfException(why, LOAD_FAILURE);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static final Map<Integer, String> ERRNO_NAMES = Map.ofEntries(
            Map.entry(1, "EPERM (operation not permitted: needs root or CAP_BPF+CAP_NET_ADMIN)"),
            Map.entry(2, "ENOENT"), Map.entry(4, "EINTR"), Map.entry(7, "E2BIG"), Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES (permission denied)"),
            Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"),
            Map.entry(22, "EINVAL (invalid argument; kernel too old or program rejected)"),
            Map.entry(28, "ENOSPC"), Map.entry(38, "ENOSYS (no bpf() syscall)"),
            Map.entry(95, "EOPNOTSUPP"), Map.entry(524, "ENOTSUPP"));

    static String errnoName(int errno) {
        return ERRNO_NAMES.getOrDefault(errno, "errno " + errno);
    }
}
