package io.smcj.transport.tcp.bpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child cgroup v2 that smcj creates for itself, moves the JVM into, and removes on close.
 * Named {@code smcj-<pid>-<n>}; directories of dead smcj processes are swept when a new one is
 * created (a link dies with its process, an empty directory is all a crash can leave).
 */
public final class Cgroup2 implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Pattern OURS = Pattern.compile("smcj-(\\d+)-\\d+");

    private final Path dir;
    private final Path original;
    private final long pid = ProcessHandle.current().pid();
    private boolean closed;

    private Cgroup2(Path dir, Path original) {
        this.dir = dir;
        this.original = original;
    }

    /** Mount point of the cgroup2 hierarchy, from /proc/self/mountinfo. */
    public static Optional<Path> mountPoint() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                int dash = line.indexOf(" - ");
                if (dash < 0) {
                    continue;
                }
                String[] after = line.substring(dash + 3).split(" ");
                String[] before = line.substring(0, dash).split(" ");
                if (after.length > 0 && after[0].equals("cgroup2") && before.length > 4) {
                    return Optional.of(Path.of(before[4].replace("\\040", " ")));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The process's current cgroup v2 directory ({@code 0::/path} of /proc/self/cgroup). */
    public static Path currentCgroup(Path mount) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
            if (line.startsWith("0::")) {
                String rel = line.substring(3);
                return rel.equals("/") ? mount : mount.resolve(rel.substring(1));
            }
        }
        return mount;
    }

    /**
     * Creates {@code smcj-<pid>-<n>} under the process's current cgroup (or under the cgroup2 root
     * when that is not writable). The process is not moved yet: see {@link #enter()}.
     */
    public static Cgroup2 create() {
        Path mount = mountPoint().orElseThrow(() -> new BpfException("no cgroup2 hierarchy mounted", 0, null));
        Path current;
        try {
            current = currentCgroup(mount);
        } catch (IOException e) {
            throw new BpfException("cannot read /proc/self/cgroup", e);
        }
        long pid = ProcessHandle.current().pid();
        String name = "smcj-" + pid + "-" + SEQ.incrementAndGet();
        for (Path parent : List.of(current, mount)) {
            sweepStale(parent);
            Path dir = parent.resolve(name);
            try {
                Files.createDirectory(dir);
                return new Cgroup2(dir, current);
            } catch (IOException e) {
                if (parent.equals(mount)) {
                    throw new BpfException("cannot create cgroup " + dir + " (" + e + ")", e);
                }
            }
        }
        throw new AssertionError();
    }

    /** Removes empty smcj-PID-N directories whose process no longer exists. */
    static void sweepStale(Path parent) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "smcj-*")) {
            for (Path p : ds) {
                Matcher m = OURS.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    try {
                        Files.delete(p);
                    } catch (IOException ignored) {
                        // busy (other processes inside) or gone: not ours to force
                    }
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // nothing to sweep
        }
    }

    public Path path() {
        return dir;
    }

    public Path original() {
        return original;
    }

    /** Moves the whole process (all threads) into this cgroup. Sockets created later are attached. */
    public void enter() {
        move(dir);
    }

    /** Moves the process back to the cgroup it was in when this one was created. */
    public void leave() {
        move(original);
    }

    /** True when the process is in this cgroup now. */
    public boolean contains() {
        try {
            Path mount = mountPoint().orElseThrow();
            return currentCgroup(mount).equals(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void move(Path target) {
        try {
            Files.writeString(target.resolve("cgroup.procs"), Long.toString(pid) + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new BpfException("cannot move process " + pid + " into " + target + " (" + e + ")", e);
        }
    }

    /** Moves the process back if it is inside, then removes the directory (retrying briefly if busy). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (contains()) {
            leave();
        }
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                last = e; // EBUSY while a child process we spawned inside is still exiting
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new BpfException("cannot remove cgroup " + dir + " (" + last + ")", last);
    }
}
