package io.smcj.interop.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Drives interop-tests/vm/smcj-vm from Java: checks what the VMs need, boots them, reads their
 * state, restarts a hung one, stops them. One instance per test run (see {@link KernelPeerExtension}).
 */
public final class VmHarness {
    private final Path script;
    private final Path logDir;

    public VmHarness(Path script, Path logDir) {
        this.script = script;
        this.logDir = logDir;
    }

    /** Finds the repository's smcj-vm by walking up from the working directory. */
    public static Optional<Path> locateScript() {
        Path p = Path.of("").toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            Path s = p.resolve("interop-tests/vm/smcj-vm");
            if (Files.isExecutable(s)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Why VM tests cannot run here, or empty when the static prerequisites are met. */
    public static Optional<String> missingPrerequisite() {
        if (System.getenv("SMCJ_SKIP_VM") != null) {
            return Optional.of("SMCJ_SKIP_VM is set");
        }
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("not Linux");
        }
        if (!List.of("amd64", "x86_64").contains(System.getProperty("os.arch", ""))) {
            return Optional.of("not x86_64");
        }
        if (locateScript().isEmpty()) {
            return Optional.of("interop-tests/vm/smcj-vm not found from " + Path.of("").toAbsolutePath());
        }
        for (String cmd : List.of("qemu-system-x86_64", "python3")) {
            if (!onPath(cmd)) {
                return Optional.of(cmd + " not installed (Debian: qemu-system-x86, python3)");
            }
        }
        if (!isRoot()) {
            return Optional.of("not root: the VM tests need root for the host TAP link and the image build");
        }
        return Optional.empty();
    }

    static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor() == 0 && out.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static boolean onPath(String cmd) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, cmd))) {
                return true;
            }
        }
        return false;
    }

    /** Runs smcj-vm with arguments; output goes to a log file under the log directory. */
    public Result invoke(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve("smcj-vm-" + args[0] + "-" + System.currentTimeMillis() + ".log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return new Result(-1, "smcj-vm " + String.join(" ", args) + " timed out after " + timeout
                        + "\n" + Files.readString(log, StandardCharsets.ISO_8859_1));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return new Result(-1, "cannot run " + script + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Exit status and combined output of one smcj-vm call. */
    public record Result(int status, String output) {
        public boolean ok() {
            return status == 0;
        }
    }

    /** smcj-vm env, parsed. */
    public Map<String, String> env() {
        Result r = invoke(Duration.ofSeconds(30), "env");
        Map<String, String> m = new LinkedHashMap<>();
        if (!r.ok()) {
            return m;
        }
        for (String line : r.output().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("smcj-vm:")) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    /** The peers recorded in the state, in name order. */
    public List<KernelPeer> peers() {
        Map<String, String> env = env();
        List<KernelPeer> out = new ArrayList<>();
        for (int i = 1; env.containsKey("vm" + i + ".ip"); i++) {
            String v = "vm" + i;
            out.add(new KernelPeer(v, env.get(v + ".ip"), Integer.parseInt(env.get(v + ".port")),
                    Path.of(env.get(v + ".share")), Path.of(env.get(v + ".console"))));
        }
        return out;
    }
}
