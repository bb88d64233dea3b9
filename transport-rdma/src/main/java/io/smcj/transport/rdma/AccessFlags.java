package io.smcj.transport.rdma;

/** {@code enum ibv_access_flags} bits for memory regions and QPs (same values as libibverbs). */
public final class AccessFlags {
    public static final int LOCAL_WRITE = 1;
    public static final int REMOTE_WRITE = 1 << 1;
    public static final int REMOTE_READ = 1 << 2;
    public static final int REMOTE_ATOMIC = 1 << 3;

    private AccessFlags() {}

    public static boolean has(int flags, int bit) {
        return (flags & bit) == bit;
    }

    /** Validates a flag word: remote write/atomic require local write, as ibv_reg_mr demands. */
    public static int check(int flags) {
        if ((flags & ~0xf) != 0) {
            throw new VerbsException(VerbsException.Errno.EINVAL, "unknown access flags 0x" + Integer.toHexString(flags));
        }
        if ((has(flags, REMOTE_WRITE) || has(flags, REMOTE_ATOMIC)) && !has(flags, LOCAL_WRITE)) {
            throw new VerbsException(VerbsException.Errno.EINVAL, "REMOTE_WRITE/REMOTE_ATOMIC require LOCAL_WRITE");
        }
        return flags;
    }

    public static String toString(int flags) {
        StringBuilder sb = new StringBuilder();
        if (has(flags, LOCAL_WRITE)) sb.append("LW|");
        if (has(flags, REMOTE_WRITE)) sb.append("RW|");
        if (has(flags, REMOTE_READ)) sb.append("RR|");
        if (has(flags, REMOTE_ATOMIC)) sb.append("RA|");
        return sb.isEmpty() ? "0" : sb.substring(0, sb.length() - 1);
    }
}
