package io.smcj.transport.tcp.bpf;

import io.smcj.transport.tcp.PolicyEnforcement;
import io.smcj.transport.tcp.SmcCapabilityProbe;
import io.smcj.transport.tcp.SmcOptionVerdict;
import io.smcj.transport.tcp.SmcRole;
import io.smcj.transport.tcp.policy.PolicyDecision;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link SmcCapabilityProbe.Kind#BPF}: the SMC option really goes on the wire. {@link #open}
 * creates the result map, loads {@link SmcSockOpsProgram} (verifier log on failure), creates a
 * child cgroup v2, attaches with BPF_LINK_CREATE and (by default) moves the JVM into the cgroup so
 * every TCP socket created afterwards runs the program. {@link #verdict} reads (and removes) the
 * map entry of a connection after connect()/accept().
 *
 * <p>{@link #close} closes the link (detach), the program and the map, moves the JVM back and
 * removes the cgroup. If the JVM dies instead, the kernel drops link, program and map with the
 * fds; the empty cgroup directory is swept by the next {@code open} ({@link Cgroup2}).
 */
public final class BpfCapabilityProbe implements SmcCapabilityProbe {
    /**
     * @param policy       rules (null = {@link SmcPolicy#allowAll()})
     * @param enforcement  {@link PolicyEnforcement#BPF}: checks compiled into the program
     * @param enterCgroup  move the JVM into the new cgroup now (tests that mix sockets with and
     *                     without the program pass false and use {@link #enter()} / {@link #leave()})
     * @param attachBefore other sock_ops programs to attach to the same cgroup before ours (they
     *                     run first; tests use one that fills the TCP option space)
     * @param maxEntries   LRU map size: connections in their handshake whose verdict is unread
     */
    public record Options(SmcPolicy policy, PolicyEnforcement enforcement, boolean enterCgroup,
            List<BpfAssembler.Program> attachBefore, int maxEntries) {
        public Options {
            policy = policy == null ? SmcPolicy.allowAll() : policy;
            Objects.requireNonNull(enforcement);
            attachBefore = List.copyOf(attachBefore);
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries " + maxEntries);
            }
        }

        public static Options defaults(SmcPolicy policy) {
            return new Options(policy, PolicyEnforcement.BPF, true, List.of(), 16384);
        }

        public Options withEnterCgroup(boolean enter) {
            return new Options(policy, enforcement, enter, attachBefore, maxEntries);
        }

        public Options withAttachBefore(List<BpfAssembler.Program> programs) {
            return new Options(policy, enforcement, enterCgroup, programs, maxEntries);
        }
    }

    private final Options options;
    private final int mapFd;
    private final int congestedMapFd;
    private final List<Integer> fds; // programs and links, closed in reverse
    private final Cgroup2 cgroup;
    private final int insnCount;
    private final Thread shutdownHook;
    private boolean closed;

    private BpfCapabilityProbe(Options options, int mapFd, int congestedMapFd, List<Integer> fds, Cgroup2 cgroup,
                               int insnCount) {
        this.options = options;
        this.mapFd = mapFd;
        this.congestedMapFd = congestedMapFd;
        this.fds = fds;
        this.cgroup = cgroup;
        this.insnCount = insnCount;
        // a normal exit without close() also removes the cgroup (a crash leaves it to the sweep)
        this.shutdownHook = new Thread(this::closeQuietly, "smcj-bpf-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("smcj: BPF probe cleanup at exit failed: " + e.getMessage());
        }
    }

    /** Loads and attaches; throws {@link BpfException} (with the verifier log when the load failed). */
    public static BpfCapabilityProbe open(Options options) {
        String why = BpfSupport.unavailabilityCause();
        if (why != null) {
            throw new BpfException("BPF unavailable: " + why, 0, null);
        }
        List<Integer> fds = new ArrayList<>();
        int mapFd = -1;
        int congestedFd = -1;
        Cgroup2 cg = null;
        try {
            mapFd = Bpf.mapCreate(Bpf.MAP_TYPE_LRU_HASH, SmcSockOpsProgram.KEY_SIZE, SmcSockOpsProgram.VALUE_SIZE,
                    options.maxEntries(), "smcj_results");
            congestedFd = Bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, 4, SmcSockOpsProgram.CONGESTED_ENTRIES,
                    "smcj_hs_cong");
            BpfAssembler.Program prog = SmcSockOpsProgram.generate(
                    options.enforcement() == PolicyEnforcement.BPF ? options.policy() : null);
            int progFd = Bpf.progLoad(Bpf.PROG_TYPE_SOCK_OPS, prog.bytes(Map.of(SmcSockOpsProgram.MAP, mapFd,
                            SmcSockOpsProgram.CONGESTED_MAP, congestedFd)),
                    "GPL", "smcj_smc_opt", Bpf.ATTACH_CGROUP_SOCK_OPS);
            fds.add(progFd);
            List<Integer> before = new ArrayList<>();
            for (BpfAssembler.Program p : options.attachBefore()) {
                int fd = Bpf.progLoad(Bpf.PROG_TYPE_SOCK_OPS, p.bytes(Map.of()), "GPL", "smcj_extra",
                        Bpf.ATTACH_CGROUP_SOCK_OPS);
                fds.add(fd);
                before.add(fd);
            }
            cg = Cgroup2.create();
            int cgFd = Native.open(cg.path().toString(), Native.O_RDONLY | Native.O_DIRECTORY);
            try {
                for (int fd : before) {
                    fds.add(Bpf.linkCreate(fd, cgFd, Bpf.ATTACH_CGROUP_SOCK_OPS));
                }
                fds.add(Bpf.linkCreate(progFd, cgFd, Bpf.ATTACH_CGROUP_SOCK_OPS));
            } finally {
                Native.close(cgFd);
            }
            BpfCapabilityProbe probe = new BpfCapabilityProbe(options, mapFd, congestedFd, fds, cg,
                    prog.insnCount());
            if (options.enterCgroup()) {
                cg.enter();
            }
            return probe;
        } catch (RuntimeException e) {
            for (int i = fds.size() - 1; i >= 0; i--) {
                Native.close(fds.get(i));
            }
            Native.close(mapFd);
            if (congestedFd >= 0) {
                Native.close(congestedFd);
            }
            if (cg != null) {
                try {
                    cg.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    @Override
    public Kind kind() {
        return Kind.BPF;
    }

    /** Moves the JVM into this probe's cgroup: TCP sockets created from now on run the program. */
    public void enter() {
        cgroup.enter();
    }

    /** Moves the JVM back to its original cgroup: sockets created from now on do not. */
    public void leave() {
        cgroup.leave();
    }

    public Cgroup2 cgroup() {
        return cgroup;
    }

    /** Instructions in the loaded program (slots, as the kernel counts). */
    public int insnCount() {
        return insnCount;
    }

    public Options options() {
        return options;
    }

    /** The raw map entry for a connection (not removed), or null. */
    public SmcOptionRecord record(InetSocketAddress local, InetSocketAddress remote) {
        byte[] v = Bpf.mapLookup(mapFd, key(local, remote), SmcSockOpsProgram.VALUE_SIZE);
        return v == null ? null : SmcOptionRecord.decode(v);
    }

    @Override
    public SmcOptionVerdict verdict(InetSocketAddress local, InetSocketAddress remote, SmcRole role) {
        byte[] key = key(local, remote);
        byte[] v;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("probe closed");
            }
            v = Bpf.mapLookup(mapFd, key, SmcSockOpsProgram.VALUE_SIZE);
            if (v != null) {
                Bpf.mapDelete(mapFd, key); // read once; keeps the LRU map for handshakes in flight
            }
        }
        return interpret(v == null ? null : SmcOptionRecord.decode(v), local, remote, role);
    }

    /**
     * {@code limit_smc_hs}: sets the program's congestion switch for {@code localPort} (the array
     * map {@link SmcSockOpsProgram#CONGESTED_MAP}); while it is on, SYN-ACKs from that port carry no
     * SMC option. The switch is per port: listeners on one port with different addresses share it.
     */
    @Override
    public synchronized boolean setListenerCongested(int localPort, boolean congested) {
        if (localPort < 1 || localPort > 0xffff) {
            throw new IllegalArgumentException("local port 1..65535: " + localPort);
        }
        if (closed) {
            throw new IllegalStateException("probe closed");
        }
        byte[] k = {(byte) localPort, (byte) (localPort >> 8), 0, 0};
        Bpf.mapUpdate(congestedMapFd, k, new byte[] {(byte) (congested ? 1 : 0), 0, 0, 0});
        return true;
    }

    /** The congestion switch of {@code localPort} as the program sees it. */
    public synchronized boolean listenerCongested(int localPort) {
        byte[] v = Bpf.mapLookup(congestedMapFd, new byte[] {(byte) localPort, (byte) (localPort >> 8), 0, 0}, 4);
        return v != null && v[0] != 0;
    }

    SmcOptionVerdict interpret(SmcOptionRecord r, InetSocketAddress local, InetSocketAddress remote, SmcRole role) {
        SmcPolicy policy = options.policy();
        PolicyDecision javaDecision = policy.decide(role, local.getPort(), remote.getAddress());
        if (r == null) {
            return new SmcOptionVerdict(Kind.BPF, role, false, false, false, javaDecision,
                    "no BPF record for this connection (socket created outside the smcj cgroup or before the"
                            + " program was attached, or the entry was already read)");
        }
        PolicyDecision d = r.portRule() < 0 ? javaDecision : policy.explain(r.portRule(), r.prefixRule());
        boolean sent = r.has(SmcOptionRecord.OPT_SENT);
        boolean peer = r.has(SmcOptionRecord.PEER_OPT);
        boolean passive = r.has(SmcOptionRecord.PASSIVE);
        String flags = " {" + r.flagNames() + "}";
        if (passive != (role == SmcRole.SERVER)) {
            return new SmcOptionVerdict(Kind.BPF, role, sent, peer, false, d,
                    "BPF record is for the " + (passive ? "passive" : "active") + " side, asked as " + role + flags);
        }
        String reason;
        boolean ok = false;
        if (role == SmcRole.CLIENT) {
            if (r.has(SmcOptionRecord.POLICY_DENIED)) {
                reason = "policy turned SMC off: our SYN carried no SMC option";
            } else if (r.has(SmcOptionRecord.RESERVE_FAILED)) {
                reason = "TCP option space full: our SYN carried no SMC option";
            } else if (!sent) {
                reason = "our SYN carried no SMC option (option could not be written)";
            } else if (!peer) {
                reason = "our SYN carried the SMC option, the SYN-ACK did not (peer not SMC-capable, or a"
                        + " middlebox stripped it)";
            } else {
                reason = "SMC option on our SYN and on the peer's SYN-ACK";
                ok = true;
            }
        } else {
            if (!peer) {
                reason = "the peer's SYN carried no SMC option";
            } else if (r.has(SmcOptionRecord.POLICY_DENIED)) {
                reason = "peer offered SMC, but the policy turned it off: our SYN-ACK carried no SMC option";
            } else if (r.has(SmcOptionRecord.HS_CONGESTED)) {
                reason = "peer offered SMC, but the listener was congested (limit_smc_hs): our SYN-ACK carried no"
                        + " SMC option";
            } else if (r.has(SmcOptionRecord.RESERVE_FAILED)) {
                reason = "peer offered SMC, but the TCP option space was full: our SYN-ACK carried no SMC option";
            } else if (!sent) {
                reason = "peer offered SMC, but our SYN-ACK carried no SMC option (could not be written)";
            } else {
                reason = "SMC option on the peer's SYN and on our SYN-ACK";
                ok = true;
            }
        }
        if (ok && options.enforcement() == PolicyEnforcement.JAVA && !d.enabled()) {
            ok = false;
            reason += ", but the policy (enforced in Java) turned SMC off";
        }
        return new SmcOptionVerdict(Kind.BPF, role, sent, peer, ok, d, reason + flags);
    }

    /** The map key the program builds: local port (LE u32), remote port (network order in the upper half), address. */
    static byte[] key(InetSocketAddress local, InetSocketAddress remote) {
        byte[] k = new byte[SmcSockOpsProgram.KEY_SIZE];
        int lp = local.getPort();
        int rp = remote.getPort();
        k[0] = (byte) lp;
        k[1] = (byte) (lp >> 8);
        k[6] = (byte) (rp >> 8);
        k[7] = (byte) rp;
        System.arraycopy(SmcPolicy.mapped(remote.getAddress()), 0, k, 8, 16);
        return k;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        RuntimeException failure = null;
        try {
            if (cgroup.contains()) {
                cgroup.leave();
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        for (int i = fds.size() - 1; i >= 0; i--) {
            try {
                Native.close(fds.get(i));
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        try {
            Native.close(mapFd);
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        try {
            Native.close(congestedMapFd);
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        try {
            cgroup.close();
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
