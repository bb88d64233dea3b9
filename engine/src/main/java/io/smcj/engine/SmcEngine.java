package io.smcj.engine;

import io.smcj.clc.ClcAcceptConfirm;
import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcDecline;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcProposal;
import io.smcj.clc.ClcType;
import io.smcj.protocol.AlertToken;
import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Eid;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import io.smcj.protocol.ProtocolException;
import io.smcj.protocol.RmbeSize;
import io.smcj.protocol.SmcConstants;
import io.smcj.transport.rdma.ProtectionDomain;
import io.smcj.transport.rdma.VerbsGid;
import io.smcj.transport.rdma.VerbsProvider;
import io.smcj.transport.tcp.SmcOptionVerdict;
import io.smcj.transport.tcp.stream.InterfaceInfo;
import io.smcj.transport.tcp.stream.TcpNetwork;
import io.smcj.transport.tcp.stream.TcpStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SMC-R host (af_smc.c + smc_core.c): configuration, statistics, the RoCE devices, the link
 * groups, and the engine agent thread that polls completion queues and runs timers (TEST LINK,
 * link-group linger). {@link #connect} runs the client handshake on the calling thread
 * ({@code __smc_connect}); {@link #listen} gives a server socket whose accepted connections run
 * the server handshake on their own virtual threads ({@code smc_listen_work}).
 */
public final class SmcEngine implements AutoCloseable {
    final String name;
    final SmcConfig config;
    final SmcStats stats = new SmcStats();
    final EngineTrace trace;
    final TcpNetwork tcp;
    private final List<RdmaDevice> devices;
    private final Map<RdmaDevice, ProtectionDomain> pds = new java.util.LinkedHashMap<>(); // closed in device order
    final PeerId peerId;
    private final int prefixLen;
    private final String hostname;
    private final Duration clcWait;
    private final ClcChannel.Decoder clcDecoder;
    final long closeLingerMillis;
    final List<LinkGroup> lgrs = new CopyOnWriteArrayList<>();
    final Set<SmcSocket> sockets = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>()); // insertion order: reproducible close()
    final AtomicLong memInUse = new AtomicLong();
    final EngineRuntime runtime;
    private final AtomicInteger nextToken = new AtomicInteger();
    private final AtomicInteger nextLgrId = new AtomicInteger(1);
    private final AtomicInteger nextLinkId = new AtomicInteger(1);
    private final ReentrantLock clientLgrPending = new ReentrantLock();
    private final ReentrantLock serverLgrPending = new ReentrantLock();
    private final List<Object[]> deferredDestroy = new CopyOnWriteArrayList<>();
    private final Thread agent;
    private volatile boolean running = true;

    private SmcEngine(Builder b) {
        this.name = b.name;
        this.runtime = b.runtime;
        this.nextToken.set(runtime.random().nextInt(1, 1 << 20));
        this.config = b.config;
        this.trace = b.trace;
        this.tcp = Objects.requireNonNull(b.tcp, "tcp network");
        this.prefixLen = b.prefixLen;
        this.hostname = b.hostname;
        this.clcWait = b.clcWait;
        this.clcDecoder = b.clcDecoder;
        this.closeLingerMillis = b.closeLinger.toMillis();
        this.devices = b.verbs == null ? List.of() : RdmaDevice.open(b.verbs, b.deviceNames);
        MacAddress mac = devices.isEmpty() ? MacAddress.of(randomMac(runtime)) : devices.getFirst().mac;
        this.peerId = new PeerId(runtime.random().nextInt(1, 0x10000), mac);
        for (RdmaDevice d : devices) {
            pds.put(d, d.ctx.allocPd());
        }
        this.agent = runtime.startThread("smcj-agent-" + name, true, this::agentLoop);
        for (RdmaDevice d : devices) {
            // smc_ib_global_event_handler runs when the device reports an event: a reader per device
            // hands each one to the agent at once (a port error must not wait for the agent's tick)
            runtime.startThread("smcj-async-" + name + "-" + d.name, true, () -> asyncEventReader(d));
        }
    }

    /** Port and QP events read by the per-device readers, handled by the agent in arrival order. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Object[]> asyncEvents =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private void asyncEventReader(RdmaDevice d) {
        while (running) {
            io.smcj.transport.rdma.AsyncEvent ev;
            try {
                ev = d.ctx.awaitAsyncEvent(java.time.Duration.ofMillis(200));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                return; // the device is gone (closed with the engine)
            }
            if (ev != null) {
                asyncEvents.add(new Object[] {d, ev});
                wakeAgent();
            }
        }
    }

    private static byte[] randomMac(EngineRuntime runtime) {
        byte[] m = new byte[6];
        runtime.random().nextBytes(m);
        m[0] = (byte) ((m[0] & 0xfe) | 0x02);
        return m;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String name() {
        return name;
    }

    public SmcConfig config() {
        return config;
    }

    public SmcStats stats() {
        return stats;
    }

    public PeerId peerId() {
        return peerId;
    }

    /** Opens an SMC socket to {@code remote} (SMC-R when possible, else TCP with the reason recorded). */
    public SmcSocket connect(InetSocketAddress remote) throws IOException {
        return connect(remote, Duration.ofSeconds(10));
    }

    public SmcSocket connect(InetSocketAddress remote, Duration timeout) throws IOException {
        ensureRunning();
        TcpStream s = tcp.connect(remote, true, timeout);
        try {
            return clientHandshake(s);
        } catch (IOException | RuntimeException e) {
            s.abort();
            throw e;
        }
    }

    /** Listens for SMC connections on {@code address} (port 0: ephemeral). */
    public SmcServerSocket listen(InetSocketAddress address) throws IOException {
        return listen(address, SmcServerSocket.DEFAULT_BACKLOG);
    }

    /**
     * Listens with {@code backlog} as the bound on SMC handshakes in flight (the kernel's
     * {@code sk_max_ack_backlog} in {@code smc_tcp_syn_recv_sock}, see {@link SmcServerSocket}).
     */
    public SmcServerSocket listen(InetSocketAddress address, int backlog) throws IOException {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1, got " + backlog);
        }
        ensureRunning();
        return new SmcServerSocket(this, tcp.listen(address, true), backlog);
    }

    private void ensureRunning() throws IOException {
        if (!running) {
            throw new IOException("engine " + name + " is closed");
        }
    }

    // ------------------------------------------------------------------ local parameters

    private RdmaDevice chooseDevice() {
        for (RdmaDevice d : devices) {
            if (d.isActive()) {
                return d;
            }
        }
        return null;
    }

    private LocalSmc localSmc(TcpStream s, RdmaDevice dev) {
        int subnet = 0;
        if (s.localAddress().getAddress() instanceof Inet4Address a) {
            byte[] b = a.getAddress();
            int ip = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
            subnet = ip & LocalSmc.mask(prefixLen);
        }
        List<String> ueids = config.ueids().stream().map(Eid::text).toList();
        ClcProposal.IpPrefix prefix = ClcProposal.IpPrefix.ipv4(subnet, prefixLen);
        if (!(s.localAddress().getAddress() instanceof Inet4Address)) {
            // fallback for IPv6 without interface information: the local address as one /64 prefix
            prefix = DeviceSelection.proposalPrefix(s.localAddress().getAddress(), new InterfaceInfo("unknown",
                    List.of(new InterfaceInfo.Address(s.localAddress().getAddress(), 64))));
        }
        Gid gid = dev == null ? null : dev.gid();
        return new LocalSmc(peerId, gid, dev == null ? peerId.mac() : dev.mac, subnet,
                prefixLen, config.v1Enabled(), config.v2Enabled(), ueids, config.maxConnsPerLgr(),
                config.maxLinksPerLgr(), hostname, gid, prefix);
    }

    /**
     * The devices of one CLC socket. With the socket's net device known ({@link TcpStream#localInterface()}):
     * the kernel's choice ({@link DeviceSelection}); without: the first active port for both versions
     * and the configured IPv4 prefix length (our fallback, documented in engine/README.md).
     */
    private final class ClcDevices implements ClcHandshake.ServerDevices {
        final TcpStream s;
        final InterfaceInfo ifc;
        final RdmaDevice legacy;
        final LocalSmc me;
        RdmaDevice v1;
        RdmaDevice v2;
        /** The route to the peer's v2 GID address uses a gateway ({@code smcrv2.uses_gateway}). */
        boolean usesGateway;

        ClcDevices(TcpStream s, boolean client) {
            this.s = s;
            this.ifc = s.localInterface().orElse(null);
            if (ifc == null) {
                legacy = chooseDevice();
                v1 = legacy;
                v2 = legacy;
                me = localSmc(s, legacy);
                return;
            }
            legacy = null;
            java.net.InetAddress local = s.localAddress().getAddress();
            List<String> ueids = config.ueids().stream().map(Eid::text).toList();
            if (client) {
                // smc_find_proposal_devices: v1 GID; v2 only for an AF_INET socket and with a UEID
                v1 = config.v1Enabled() ? variant(DeviceSelection.findRoce(devices, ifc, null)) : null;
                v2 = config.v2Enabled() && local instanceof Inet4Address sa && !ueids.isEmpty()
                        ? variant(DeviceSelection.findRoce(devices, ifc, new DeviceSelection.Smcrv2(sa, null))) : null;
            }
            RdmaDevice any = v1 != null ? v1 : v2;
            ClcProposal.IpPrefix prefix = DeviceSelection.proposalPrefix(local, ifc);
            int subnet = prefix == null || !prefix.ipv6Prefixes().isEmpty() ? 0 : prefix.outgoingSubnet();
            me = new LocalSmc(peerId, v1 == null ? null : v1.gid(), any == null ? peerId.mac() : any.mac, subnet,
                    prefix == null ? 0 : prefix.prefixLen(), config.v1Enabled(), config.v2Enabled(), ueids,
                    config.maxConnsPerLgr(), config.maxLinksPerLgr(), hostname, v2 == null ? null : v2.gid(), prefix);
        }

        private RdmaDevice variant(DeviceSelection.Choice c) {
            return c == null ? null : c.port().forGid(c.gid());
        }

        RdmaDevice forVersion(int version) {
            return version >= 2 ? v2 : v1;
        }

        @Override
        public boolean prefixMatches(ClcProposal.IpPrefix prefix) {
            if (ifc == null) {
                return ClcHandshake.fixedDevices(me).prefixMatches(prefix);
            }
            return DeviceSelection.prefixMatches(prefix, ifc);
        }

        @Override
        public boolean findV2(ClcProposal p) {
            if (ifc == null) {
                return legacy != null;
            }
            Inet4Address daddr = p.v2Extension() == null ? null : DeviceSelection.gidToIpv4(p.v2Extension().roce());
            if (!(s.localAddress().getAddress() instanceof Inet4Address sa) || daddr == null) {
                return false; // no AF_INET source address, or INADDR_NONE: smc_ib_find_route fails
            }
            v2 = variant(DeviceSelection.findRoce(devices, ifc, new DeviceSelection.Smcrv2(sa, daddr)));
            usesGateway = v2 != null && Boolean.TRUE.equals(DeviceSelection.findRoute(ifc, daddr));
            return v2 != null;
        }

        @Override
        public boolean findV1(ClcProposal p) {
            if (ifc == null) {
                return legacy != null;
            }
            v1 = variant(DeviceSelection.findRoce(devices, ifc, null));
            return v1 != null;
        }

        /**
         * The client's route to the server's v2 GID address ({@code smc_ib_find_route}): true via a
         * gateway, false on-link, null none. Without interface information we cannot tell and
         * take the server's word (as if the route matched what it said).
         */
        Boolean routeTo(Gid serverGid) {
            if (ifc == null) {
                return Boolean.TRUE;
            }
            return DeviceSelection.findRoute(ifc, DeviceSelection.gidToIpv4(serverGid));
        }
    }

    // ------------------------------------------------------------------ client handshake

    private SmcSocket clientHandshake(TcpStream s) throws IOException {
        SmcOptionVerdict v = s.smcVerdict();
        if (!v.smcPossible()) {
            return fallback(s, SmcStats.Role.CLIENT, DeclineCode.PEERNOSMC, 0, v.reason());
        }
        ClcDevices devs = new ClcDevices(s, true);
        LocalSmc me = devs.me;
        ClcChannel ch = new ClcChannel(s, trace, name, clcDecoder, runtime);
        int declVersion = ClcHandshake.clientTypev2(me) != 0 ? 2 : 1;
        ClcHandshake.Decline pre = ClcHandshake.clientPrecheck(me);
        if (pre != null) {
            return declineAndFallback(s, ch, SmcStats.Role.CLIENT, declVersion, pre);
        }
        try {
            ClcProposal p = ClcHandshake.proposal(me);
            ch.send(p, clcWait);
            ClcMessage m;
            try {
                m = ch.receive(ClcType.ACCEPT, clcWait);
            } catch (HandshakeException e) {
                SmcSocket fb = clcErrorFallback(s, ch, SmcStats.Role.CLIENT, declVersion, e);
                if (fb == null) {
                    throw e;
                }
                return fb;
            }
            ClcHandshake.Outcome o = ClcHandshake.clientOnAccept(me, m);
            declVersion = ClcHandshake.declineVersion(m);
            if (o instanceof ClcHandshake.PeerDeclined pd) {
                return fallback(s, SmcStats.Role.CLIENT, DeclineCode.PEERDECL, pd.decline().peerDiagnosis(),
                        "server declined");
            }
            if (o instanceof ClcHandshake.Decline d) {
                return declineAndFallback(s, ch, SmcStats.Role.CLIENT, declVersion, d);
            }
            ClcAcceptConfirm a = (ClcAcceptConfirm) m;
            ClcHandshake.Proceed pr = (ClcHandshake.Proceed) o;
            boolean usesGateway = false;
            if (pr.version() >= 2 && a.firstContact() && a.fce() != null) {
                // smc_connect_rdma_v2_prepare
                Boolean route = a.fce().v2Direct() ? Boolean.FALSE : devs.routeTo(a.gid());
                ClcHandshake.Decline rd = ClcHandshake.clientV2Route(a.fce().v2Direct(), route);
                if (rd != null) {
                    return declineAndFallback(s, ch, SmcStats.Role.CLIENT, declVersion, rd);
                }
                usesGateway = Boolean.TRUE.equals(route);
            }
            return clientRdma(s, ch, me, devs.forVersion(pr.version()), a, pr, usesGateway);
        } catch (HandshakeException e) {
            if (!e.counted) { // counted once (a failed Decline or link in a nested step counts itself)
                stats.handshakeError(SmcStats.Role.CLIENT);
                e.counted = true;
            }
            trace.line(name + " handshake error: " + e.getMessage());
            throw e;
        } catch (ProtocolException e) {
            return onProtocolException(s, ch, SmcStats.Role.CLIENT, declVersion, e);
        }
    }

    /** {@code smc_connect_rdma}: link group lookup/creation, buffers, link, Confirm, CONFIRM LINK. */
    private SmcSocket clientRdma(TcpStream s, ClcChannel ch, LocalSmc me, RdmaDevice dev, ClcAcceptConfirm a,
                                 ClcHandshake.Proceed pr, boolean usesGateway) throws IOException {
        int declVersion = pr.version();
        clientLgrPending.lock();
        LinkGroup confLocked = null;
        LinkGroup lgr = null;
        boolean first = a.firstContact();
        RdmaBuffer rmb = null;
        RdmaBuffer snd = null;
        SmcConnection conn = null;
        try {
            if (!first) {
                // smcr_lgr_match: same peer system, our role, an active link to the Accept's QP and
                // GID; no connection count on the client (the server decided to reuse)
                VerbsGid peerGid = VerbsGid.of(a.gid().bytes());
                for (LinkGroup g : lgrs) {
                    Link l = g.activeLinkByPeer(a.qpn(), a.gid().bytes(), pr.version() >= 2 ? null : a.mac());
                    if (g.role == SmcStats.Role.CLIENT && g.peerId.equals(a.peerId()) && g.device == dev
                            && g.version == pr.version() && l != null && peerGid.equals(l.peerGid) && g.tryReserve()) {
                        lgr = g;
                        break;
                    }
                }
                if (lgr == null) {
                    return declineAndFallback(s, ch, SmcStats.Role.CLIENT, declVersion,
                            new ClcHandshake.Decline(DeclineCode.SYNCERR,
                                    "server reuses a link group this client does not have"));
                }
            } else {
                var f = pr.features();
                lgr = new LinkGroup(nextLgrId.getAndIncrement(), this, SmcStats.Role.CLIENT, a.peerId(), dev,
                        pr.version(), Math.max(0, pr.release()), f.maxConns(), f.maxLinks());
                lgr.saddr = s.localAddress().getAddress();
                lgr.tryReserveFirst();
            }
            int release = pr.version() >= 2 ? lgr.release : 0;
            ProtectionDomain pd = pds.get(dev.base);
            rmb = RdmaBuffer.allocate(pd, config.rmbeSize(), true, memInUse, config.bufferMemoryLimit());
            snd = rmb == null ? null : RdmaBuffer.allocate(pd, config.wmem(), false, memInUse,
                    config.bufferMemoryLimit());
            if (rmb == null || snd == null) {
                closeQuietly(rmb);
                rmb = null;
                lgr.unreserve();
                if (first) {
                    lgr.terminating = true;
                }
                lgr = null;
                return declineAndFallback(s, ch, SmcStats.Role.CLIENT, declVersion,
                        new ClcHandshake.Decline(DeclineCode.MEM, "memory watermark reached"));
            }
            stats.rmbAllocated(false);
            Link link;
            if (first) {
                link = newLink(dev, lgr);
                link.peerMac = a.mac();
                link.connect(a.qpn(), VerbsGid.of(a.gid().bytes()), a.psn(), a.qpMtu());
                lgr.links.add(link);
                lgrs.add(lgr);
                wakeAgent(); // the agent polls the link's CQ only from now on: it may hold completions already
                stats.linkGroupCreated();
                stats.linkUp();
            } else {
                link = lgr.activeLinkByPeer(a.qpn(), a.gid().bytes(), pr.version() >= 2 ? null : a.mac());
                lgr.confLock.lock();
                confLocked = lgr;
                if (link == null) {
                    throw new LinkDownException("the link of the Accept's QP number is gone");
                }
                if (!lgr.confirmRkey(link, rmb, snd)) {
                    SmcSocket fb = declineAndFallback(s, ch, SmcStats.Role.CLIENT, declVersion,
                            new ClcHandshake.Decline(DeclineCode.ERR_REGBUF, "CONFIRM RKEY not confirmed (smcr_lgr_reg_rmbs)"));
                    lgr.unreserve();
                    lgr = null;
                    return fb;
                }
            }
            AlertToken token = new AlertToken(nextToken.getAndIncrement());
            conn = new SmcConnection(this, lgr, s, SmcStats.Role.CLIENT, token, new AlertToken(a.rmbeAlertToken()), rmb,
                    snd, a.rmbDmaAddr(), link.linkNum, a.rmbRkey(), (int) a.rmbeSizeBytes(),
                    SmcStatus.smcr(pr.version(), release, "link group " + lgr.id + (first ? " (first contact)" : "")));
            conn.assignLink(link); // server: the assigned link; client: the link the Accept's QPN names
            lgr.applyPeerRtokens(conn);
            lgr.addConnection(conn);
            if (confLocked != null) {
                confLocked.confLock.unlock();
                confLocked = null;
            }
            var ourMr = rmb.mrFor(link.pd);
            ClcAcceptConfirm.Link l = new ClcAcceptConfirm.Link(peerId, link.device.gid(), link.device.mac, link.qpn(),
                    ourMr.rkey(), 1, token.value(), RmbeSize.compress(rmb.size()), link.mtu.ibvValue(), ourMr.address(),
                    link.psn);
            ClcAcceptConfirm confirm = pr.version() >= 2
                    ? ClcAcceptConfirm.v2(ClcType.CONFIRM, l, pr.eid(), first ? ClcAcceptConfirm.FirstContactExt.linux(
                            !usesGateway, release, hostname, lgr.maxConns, lgr.maxLinks, pr.features().featureMask()) : null,
                            first ? gidList(dev, s.localAddress().getAddress()) : null)
                    : ClcAcceptConfirm.v1(ClcType.CONFIRM, first, l);
            ch.send(confirm, clcWait);
            if (first) {
                DeclineCode dc = lgr.clientConfirmFirstLink(link);
                if (dc != null) {
                    SmcConnection c = conn;
                    conn = null;
                    c.discard();
                    terminateLinkGroup(lgr, "first link not confirmed: " + dc, false);
                    lgr = null;
                    rmb = null;
                    snd = null;
                    return declineAndFallback(s, ch, SmcStats.Role.CLIENT, declVersion,
                            new ClcHandshake.Decline(dc, "first link not confirmed"));
                }
                if (lgr.maxLinks > 1) {
                    // smcr_clnt_conf_first_link: the optional second link, an ADD LINK from the server
                    io.smcj.llc.AddLink add = lgr.awaitFirstAddLink();
                    if (add != null) {
                        lgr.clientAddLinkFlow(link, add);
                    } else {
                        // none within SMC_LLC_WAIT_TIME: a Decline within CLC_WAIT_TIME_SHORT aborts,
                        // else we go on with one link
                        ClcMessage d = ch.receiveIfAny(ClcType.DECLINE,
                                Duration.ofMillis(SmcConstants.CLC_WAIT_TIME_SHORT_MS));
                        if (d instanceof ClcDecline decl) {
                            SmcConnection c = conn;
                            conn = null;
                            c.discard();
                            terminateLinkGroup(lgr, "server declined after CONFIRM LINK", false);
                            lgr = null;
                            rmb = null;
                            snd = null;
                            return fallback(s, SmcStats.Role.CLIENT, DeclineCode.PEERDECL, decl.peerDiagnosis(),
                                    "server declined after CONFIRM LINK");
                        }
                    }
                }
            }
            stats.handshakeSucceeded(SmcStats.Role.CLIENT, pr.version() >= 2);
            SmcSocket sock = new SmcSocket(this, s, conn, conn.status, conn.role);
            sockets.add(sock);
            conn = null;
            rmb = null;
            snd = null;
            return sock;
        } catch (LinkDownException e) {
            stats.handshakeError(SmcStats.Role.CLIENT);
            HandshakeException he = new HandshakeException("link failed during the handshake: " + e.getMessage(), e,
                    false);
            he.counted = true;
            throw he;
        } finally {
            if (conn != null) {
                conn.linkGroupLost("handshake failed");
            } else {
                closeQuietly(rmb);
                closeQuietly(snd);
            }
            if (confLocked != null) {
                confLocked.confLock.unlock();
            }
            clientLgrPending.unlock();
        }
    }

    // ------------------------------------------------------------------ server handshake

    /** {@code smc_listen_work}: runs on a virtual thread per accepted TCP connection. */
    SmcSocket serverHandshake(TcpStream s) throws IOException {
        SmcOptionVerdict v = s.smcVerdict();
        if (!v.smcPossible()) {
            return fallback(s, SmcStats.Role.SERVER, DeclineCode.PEERNOSMC, 0, v.reason());
        }
        ClcDevices devs = new ClcDevices(s, false); // the server searches per Proposal (ServerDevices)
        LocalSmc me = devs.me;
        ClcChannel ch = new ClcChannel(s, trace, name, clcDecoder, runtime);
        int declVersion = 1; // smc_listen_work: proposal_version is v1 until a Proposal was read
        try {
            ClcMessage m;
            try {
                m = ch.receive(ClcType.PROPOSAL, clcWait);
            } catch (HandshakeException e) {
                SmcSocket fb = clcErrorFallback(s, ch, SmcStats.Role.SERVER, declVersion, e);
                if (fb == null) {
                    throw e;
                }
                return fb;
            }
            declVersion = ClcHandshake.declineVersion(m);
            ClcHandshake.Outcome o = ClcHandshake.serverOnProposal(me, m, devs);
            if (o instanceof ClcHandshake.PeerDeclined pd) {
                return fallback(s, SmcStats.Role.SERVER, DeclineCode.PEERDECL, pd.decline().peerDiagnosis(),
                        "client declined");
            }
            if (o instanceof ClcHandshake.Decline d) {
                return declineAndFallback(s, ch, SmcStats.Role.SERVER, declVersion, d);
            }
            ClcHandshake.Proceed pr = (ClcHandshake.Proceed) o;
            return serverRdma(s, ch, me, devs.forVersion(pr.version()), (ClcProposal) m, pr, declVersion,
                    pr.version() >= 2 && devs.usesGateway);
        } catch (HandshakeException e) {
            if (!e.counted) { // counted once (a failed Decline or link in a nested step counts itself)
                stats.handshakeError(SmcStats.Role.SERVER);
                e.counted = true;
            }
            trace.line(name + " handshake error: " + e.getMessage());
            throw e;
        } catch (ProtocolException e) {
            // the Decline goes out in the Proposal's version when one was read, else v1 as the kernel
            return onProtocolException(s, ch, SmcStats.Role.SERVER, declVersion, e);
        }
    }

    /**
     * A step of the handshake rejected what the peer sent: a positive {@code SMC_CLC_DECL_*} code
     * means Decline + fallback ({@code smc_connect_decline_fallback} / {@code smc_listen_decline}
     * with {@code reason_code > 0}); a handshake error ({@code reason_code < 0}) means no Decline,
     * the connection fails and the handshake error counter counts it.
     */
    private SmcSocket onProtocolException(TcpStream s, ClcChannel ch, SmcStats.Role role, int version,
                                          ProtocolException e) throws IOException {
        if (e.sendsDecline()) {
            return declineAndFallback(s, ch, role, version, new ClcHandshake.Decline(e.declineCode(), e.reason()));
        }
        stats.handshakeError(role);
        trace.line(name + " handshake error: " + e.getMessage());
        throw new HandshakeException("handshake error (-errno " + e.errno() + "): " + e.getMessage(), e,
                e.errno() == ProtocolException.EPROTO);
    }

    private SmcSocket serverRdma(TcpStream s, ClcChannel ch, LocalSmc me, RdmaDevice dev, ClcProposal p,
                                 ClcHandshake.Proceed pr, int declVersion, boolean usesGateway) throws IOException {
        serverLgrPending.lock();
        LinkGroup confLocked = null;
        boolean locked = true;
        LinkGroup lgr = null;
        boolean first = false;
        RdmaBuffer rmb = null;
        RdmaBuffer snd = null;
        Link link = null;
        AlertToken token = null;
        try {
            for (LinkGroup g : lgrs) {
                if (g.role == SmcStats.Role.SERVER && g.peerId.equals(p.peerId()) && g.device == dev
                        // smcr_lgr_match: a link to the peer's GID (v2: the v2 extension's, since a
                        // v2-only Proposal from Linux has a zero system id and GID)
                        && g.version == pr.version() && (pr.version() >= 2 ? p.v2Extension().roce().equals(g.peerGid())
                        : p.gid().equals(g.peerGid()))
                        && g.tryReserve()) {
                    lgr = g;
                    break;
                }
            }
            if (lgr == null) {
                first = true;
                var f = pr.features();
                lgr = new LinkGroup(nextLgrId.getAndIncrement(), this, SmcStats.Role.SERVER, p.peerId(), dev,
                        pr.version(), pr.release(), f.maxConns(), f.maxLinks());
                lgr.saddr = s.localAddress().getAddress();
                lgr.tryReserveFirst();
            } else {
                serverLgrPending.unlock();
                locked = false;
            }
            ProtectionDomain pd = pds.get(dev.base);
            rmb = RdmaBuffer.allocate(pd, config.rmbeSize(), true, memInUse, config.bufferMemoryLimit());
            snd = rmb == null ? null : RdmaBuffer.allocate(pd, config.wmem(), false, memInUse,
                    config.bufferMemoryLimit());
            if (rmb == null || snd == null) {
                closeQuietly(rmb);
                rmb = null;
                lgr.unreserve();
                lgr = null;
                return declineAndFallback(s, ch, SmcStats.Role.SERVER, declVersion,
                        new ClcHandshake.Decline(DeclineCode.MEM, "memory watermark reached"));
            }
            stats.rmbAllocated(false);
            if (first) {
                link = newLink(dev, lgr);
                lgr.links.add(link);
                lgrs.add(lgr);
                wakeAgent(); // the agent polls the link's CQ only from now on: it may hold completions already
                stats.linkGroupCreated();
            } else {
                lgr.confLock.lock();
                confLocked = lgr;
                link = lgr.assignLink(); // smcr_lgr_conn_assign_link: balance over the active links
                if (link == null) {
                    throw new LinkDownException("link group " + lgr.id + " lost its link");
                }
                if (!lgr.confirmRkey(link, rmb, snd)) {
                    return declineAndFallback(s, ch, SmcStats.Role.SERVER, declVersion,
                            new ClcHandshake.Decline(DeclineCode.ERR_REGBUF, "CONFIRM RKEY not confirmed (smcr_lgr_reg_rmbs)"));
                }
            }
            token = new AlertToken(nextToken.getAndIncrement());
            lgr.expectToken(token.value());
            int release = pr.version() >= 2 ? lgr.release : 0;
            var ourMr = rmb.mrFor(link.pd);
            ClcAcceptConfirm.Link l = new ClcAcceptConfirm.Link(peerId, link.device.gid(), link.device.mac, link.qpn(),
                    ourMr.rkey(), 1, token.value(), RmbeSize.compress(rmb.size()), first ? dev.activeMtu().ibvValue()
                    : link.mtu.ibvValue(), ourMr.address(), link.psn);
            ClcAcceptConfirm accept = pr.version() >= 2
                    ? ClcAcceptConfirm.v2(ClcType.ACCEPT, l, pr.eid(), first ? ClcAcceptConfirm.FirstContactExt.linux(
                            !usesGateway, release, hostname, lgr.maxConns, lgr.maxLinks, pr.features().featureMask()) : null,
                            null)
                    : ClcAcceptConfirm.v1(ClcType.ACCEPT, first, l);
            ch.send(accept, clcWait);
            ClcMessage cm = ch.receive(ClcType.CONFIRM, clcWait);
            ClcHandshake.Outcome o = ClcHandshake.serverOnConfirm(cm, pr);
            if (o instanceof ClcHandshake.PeerDeclined pdl) {
                if (pdl.decline().outOfSync() && !first) {
                    // smc_clc_wait_msg: a Decline with the out-of-sync flag (SYNCERR) sets
                    // lgr->sync_err and ends the group (smc_lgr_terminate_sched): never reused again
                    LinkGroup g = lgr;
                    g.syncErr = true;
                    onAgent(() -> terminateLinkGroup(g, "client out of sync (SYNCERR)", true));
                }
                return fallback(s, SmcStats.Role.SERVER, DeclineCode.PEERDECL, pdl.decline().peerDiagnosis(),
                        "client declined the Accept");
            }
            if (o instanceof ClcHandshake.Decline d) {
                return declineAndFallback(s, ch, SmcStats.Role.SERVER, declVersion, d);
            }
            ClcAcceptConfirm c = (ClcAcceptConfirm) cm;
            if (first) {
                link.peerMac = c.mac();
                link.connect(c.qpn(), VerbsGid.of(c.gid().bytes()), c.psn(), c.qpMtu());
                stats.linkUp();
                if (!lgr.serverConfirmFirstLink(link)) {
                    return declineAndFallback(s, ch, SmcStats.Role.SERVER, declVersion,
                            new ClcHandshake.Decline(DeclineCode.TIMEOUT_CL, "no CONFIRM LINK response"));
                }
            }
            SmcConnection conn = new SmcConnection(this, lgr, s, SmcStats.Role.SERVER, token,
                    new AlertToken(c.rmbeAlertToken()), rmb, snd, c.rmbDmaAddr(), link.linkNum, c.rmbRkey(),
                    (int) c.rmbeSizeBytes(),
                    SmcStatus.smcr(pr.version(), release, "link group " + lgr.id + (first ? " (first contact)" : "")));
            conn.assignLink(link); // server: the assigned link; client: the link the Accept's QPN names
            lgr.applyPeerRtokens(conn);
            lgr.addConnection(conn);
            rmb = null;
            snd = null;
            token = null;
            stats.handshakeSucceeded(SmcStats.Role.SERVER, pr.version() >= 2);
            if (first && lgr.maxLinks > 1) {
                // smcr_serv_conf_first_link: try a second link before the connection is accepted;
                // without another device (or with a client that has none) it is asymmetric or rejected
                lgr.serverAddLinkFlow(link, null, false);
            }
            SmcSocket sock = new SmcSocket(this, s, conn, conn.status, conn.role);
            sockets.add(sock);
            lgr = null;
            return sock;
        } catch (LinkDownException e) {
            stats.handshakeError(SmcStats.Role.SERVER);
            HandshakeException he = new HandshakeException("link failed during the handshake: " + e.getMessage(), e,
                    false);
            he.counted = true;
            throw he;
        } finally {
            closeQuietly(rmb);
            closeQuietly(snd);
            if (lgr != null) {
                if (token != null) {
                    lgr.forgetToken(token.value());
                }
                lgr.unreserve();
                if (first) {
                    terminateLinkGroup(lgr, "first contact failed", false);
                }
            }
            if (confLocked != null) {
                confLocked.confLock.unlock();
            }
            if (locked) {
                serverLgrPending.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ fallback

    private SmcSocket declineAndFallback(TcpStream s, ClcChannel ch, SmcStats.Role role, int version,
                                         ClcHandshake.Decline d) throws IOException {
        try {
            ch.send(ClcDecline.linux(version, peerId, d.code()), clcWait);
        } catch (IOException e) {
            stats.handshakeError(role);
            HandshakeException he = new HandshakeException("sending the Decline failed: " + e.getMessage(), e, false);
            he.counted = true;
            throw he;
        }
        return fallback(s, role, d.code(), 0, d.why());
    }

    /**
     * {@code smcj.clc_error_fallback}: a CLC timeout or a malformed message in the two safe places,
     * the client's wait for the Accept and the server's wait for the Proposal (engine/README.md,
     * "CLC timeout and malformed CLC"); null = stays a handshake error, as in Linux.
     */
    private SmcSocket clcErrorFallback(TcpStream s, ClcChannel ch, SmcStats.Role role, int version,
                                       HandshakeException e) throws IOException {
        if (!config.clcErrorFallback()) {
            return null;
        }
        ClcType expected = role == SmcStats.Role.CLIENT ? ClcType.ACCEPT : ClcType.PROPOSAL;
        String waitingFor = "waiting for " + ClcChannel.shortName(expected);
        if (e.position == HandshakeException.Position.BEFORE_MESSAGE) {
            trace.line(name + " CLC timeout " + waitingFor + ": TCP fallback, the late message will be discarded");
            if (role == SmcStats.Role.SERVER) {
                // the client reads this as the answer to its (late) Proposal and falls back
                try {
                    ch.send(ClcDecline.linux(version, peerId, LateClcMessage.TIMEOUT_CODE), clcWait);
                } catch (IOException ex) {
                    return null;
                }
            }
            SmcSocket sock = fallback(s, role, LateClcMessage.TIMEOUT_CODE, 0, "CLC timeout " + waitingFor
                    + (role == SmcStats.Role.SERVER ? ", Decline " + LateClcMessage.TIMEOUT_CODE.hex() + " sent" : ""));
            sock.discardLateClc(new LateClcMessage(this, s, ch, role, version, LateClcMessage.lateWait(clcWait)));
            return sock;
        }
        if (e.position == HandshakeException.Position.AFTER_MESSAGE && e.message != null
                && ClcChannel.framingError(e.message, e.message.length,
                        java.util.EnumSet.of(expected, ClcType.DECLINE)) == null) {
            String why = e.getCause() instanceof ProtocolException pe ? pe.getMessage() : e.getMessage();
            if (ClcType.ofWire(e.message[4] & 0xff) == ClcType.DECLINE) {
                // the peer declined (it fell back): no answer, whatever we could not parse in it
                int diag = e.message.length >= 24 ? java.nio.ByteBuffer.wrap(e.message, 16, 4).getInt() : 0;
                return fallback(s, role, DeclineCode.PEERDECL, diag,
                        "malformed Decline (" + why + ")");
            }
            // the peer waits for our answer to its Accept/Proposal: a Decline, and it falls back
            trace.line(name + " malformed " + ClcChannel.shortName(expected) + ": Decline and TCP fallback");
            return declineAndFallback(s, ch, role, version, new ClcHandshake.Decline(ClcCodec.MALFORMED_CODE,
                    "malformed " + ClcChannel.shortName(expected) + " (" + why + ")"));
        }
        return null;
    }

    private SmcSocket fallback(TcpStream s, SmcStats.Role role, DeclineCode code, int peerDiagnosis, String why) {
        // counted by fallback reason (smc->fallback_rsn), PEERDECL for a peer's Decline, as the kernel
        stats.fallback(role, code.value());
        SmcStatus st = SmcStatus.fallback(code, peerDiagnosis, why);
        trace.line(String.format("%-6s %s", name, st));
        SmcSocket sock = new SmcSocket(this, s, null, st, role);
        sockets.add(sock);
        return sock;
    }

    // ------------------------------------------------------------------ links and link groups

    /**
     * {@code smc_fill_gid_list}: the GID of {@code dev} and, when there is one, of our alternate
     * device (the Confirm's GID list on first contact).
     */
    private List<Gid> gidList(RdmaDevice dev, java.net.InetAddress saddr) {
        RdmaDevice alt = alternateDevice(dev, 2, subnetReference(dev, saddr));
        return alt == null ? List.of(dev.gid()) : List.of(dev.gid(), alt.gid());
    }

    /** An active device other than {@code not} (for a second link), or null ({@code smc_pnet_find_alt_roce}). */
    RdmaDevice alternateDevice(RdmaDevice not, LinkGroup lgr) {
        return alternateDevice(not, lgr.version, subnetReference(lgr.device, lgr.saddr));
    }

    /**
     * The address whose subnet an SMC-Rv2 alternate device must share: Linux takes {@code saddr},
     * the handshake's source address, for which it chose the first device's GID (same netdev
     * subnet). We take that device's GID address, which is the same in a Linux-like setup and still
     * meaningful when CLC runs elsewhere (the demo's CLC over loopback); {@code saddr} without one.
     */
    private static java.net.InetAddress subnetReference(RdmaDevice dev, java.net.InetAddress saddr) {
        return dev != null && dev.gidEntry.ipAddress() instanceof Inet4Address a ? a : saddr;
    }

    /**
     * {@code smc_pnet_find_alt_roce}: an active port of another device. For SMC-Rv2
     * ({@code check_smcrv2}, {@code smc_ib_determine_gid_rcu}) it needs a RoCE v2 IPv4 GID whose
     * address is in the subnet of the link group's {@code saddr} (our prefix length).
     */
    RdmaDevice alternateDevice(RdmaDevice not, int version, java.net.InetAddress saddr) {
        for (RdmaDevice d : devices) {
            if (d != not && d.ctx != not.ctx && d.isActive() && (version < 2 || v2SameSubnet(d, saddr))) {
                return d;
            }
        }
        return null;
    }

    private boolean v2SameSubnet(RdmaDevice d, java.net.InetAddress saddr) {
        if (!(saddr instanceof Inet4Address s4)) {
            return true; // no IPv4 handshake address known: no subnet to compare
        }
        if (d.gidEntry.type() != io.smcj.transport.rdma.GidType.ROCE_V2
                || !(d.gidEntry.ipAddress() instanceof Inet4Address a)) {
            return false;
        }
        int mask = LocalSmc.mask(prefixLen);
        return (ipv4(a) & mask) == (ipv4(s4) & mask);
    }

    private static int ipv4(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> agentTasks =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Runs {@code r} on the agent thread (never under an application thread's connection lock). */
    void onAgent(Runnable r) {
        agentTasks.add(r);
        wakeAgent();
    }

    /**
     * Set by {@link #wakeAgent()}, cleared by the agent before it looks for work; the agent parks
     * only while it is clear. The {@link LockSupport} permit alone lost wake-ups: the agent also
     * parks inside lock acquisitions (the fabric lock in {@code cq.poll}, connection locks in
     * handlers and slot waiters, LLC locks in {@link #tick}), such a park consumes a pending
     * permit, and a completion signalled while the agent was blocked there after its last poll
     * then waited for the idle park's timeout ({@code smcj.agent.parkMicros}, 5 ms).
     */
    private final AtomicBoolean wakeRequested = new AtomicBoolean();

    /** Wakes the agent (CQ completion listener, new agent tasks, link-group changes, close). */
    void wakeAgent() {
        // unpark only on the transition: while the flag is set the agent will poll again anyway
        if (!wakeRequested.getAndSet(true)) {
            LockSupport.unpark(agent);
        }
    }

    void destroyLater(Link l) {
        LinkGroup holder = new LinkGroup(0, this, SmcStats.Role.CLIENT, peerId, l.device, 1, 0, 0, 0);
        holder.links.add(l);
        deferredDestroy.add(new Object[] {runtime.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100), holder});
    }

    Link newLink(RdmaDevice dev, LinkGroup lgr) {
        int slot = lgr.version >= 2 ? SmcConstants.WR_BUF_V2_SIZE : SmcConstants.WR_BUF_SIZE;
        Link l = new Link(nextLinkId.getAndIncrement(), dev, pds.get(dev.base), config.maxSendWr(), config.maxRecvWr(),
                slot, memInUse, lgr);
        l.linkNum = 1;
        l.cq.setCompletionListener(this::wakeAgent);
        return l;
    }

    /**
     * Ends a link group ({@code smc_lgr_terminate} / {@code smc_lgr_free}): connections still on it
     * fail, the peer is told with DELETE LINK when {@code orderly}, and the links are destroyed.
     */
    void terminateLinkGroup(LinkGroup lgr, String why, boolean orderly) {
        synchronized (lgr) {
            if (lgr.terminating && !lgrs.contains(lgr)) {
                return;
            }
            lgr.terminating = true;
            lgr.terminateReason = why;
        }
        trace.line(name + " link group " + lgr.id + " ends: " + why);
        if (orderly) {
            lgr.sendDeleteAll();
        }
        for (SmcConnection c : List.copyOf(lgr.conns.values())) {
            c.linkGroupLost(why);
        }
        lgrs.remove(lgr);
        // give an orderly DELETE LINK time to leave before the QP goes
        deferredDestroy.add(new Object[] {runtime.nanoTime() + (orderly ? TimeUnit.MILLISECONDS.toNanos(200) : 0),
                lgr});
        wakeAgent();
    }

    void connectionReleased(SmcConnection c) {
        // the link group's linger timer starts when its last connection left (see agentLoop)
    }

    void socketClosed(SmcSocket s) {
        sockets.remove(s);
    }

    private List<SmcSocket> socketList() {
        synchronized (sockets) {
            return List.copyOf(sockets);
        }
    }

    // ------------------------------------------------------------------ agent

    private void agentLoop() {
        long lastTick = 0;
        while (running) {
            int n = 0;
            if (wakeRequested.get()) {
                wakeRequested.set(false); // before polling: a wake-up from now on is seen below
            }
            try {
                Runnable task;
                while ((task = agentTasks.poll()) != null) {
                    n++;
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        trace.line(name + " agent task failed: " + e);
                    }
                }
                for (LinkGroup g : lgrs) {
                    for (Link l : g.links) {
                        n += l.pollCompletions();
                    }
                }
                n += pollAsyncEvents();
                for (Object[] d : deferredDestroy) {
                    LinkGroup g = (LinkGroup) d[1];
                    for (Link l : g.links) {
                        n += l.pollCompletions();
                    }
                }
                long now = runtime.nanoTime();
                if (now - lastTick > TimeUnit.MILLISECONDS.toNanos(10)) {
                    lastTick = now;
                    tick(now);
                }
            } catch (RuntimeException e) {
                trace.line(name + " agent error: " + e);
            }
            if (n == 0 && !wakeRequested.get()) {
                runtime.parkNanos(TimeUnit.MICROSECONDS.toNanos(Long.getLong("smcj.agent.parkMicros", 5000)));
            }
        }
    }

    /**
     * Port and QP events of the devices ({@code smc_ib_global_event_handler},
     * {@code smc_ib_qp_event_handler}), as the readers queued them; returns how many.
     */
    private int pollAsyncEvents() {
        int n = 0;
        Object[] e;
        while ((e = asyncEvents.poll()) != null) {
            n++;
            RdmaDevice d = (RdmaDevice) e[0];
            io.smcj.transport.rdma.AsyncEvent ev = (io.smcj.transport.rdma.AsyncEvent) e[1];
            {
                trace.line(name + " device " + d.name + " event " + ev);
                switch (ev.type()) {
                    case PORT_ERR, DEVICE_FATAL -> {
                        for (LinkGroup g : lgrs) {
                            for (Link l : g.links) {
                                if (l.device.ctx == d.ctx && (ev.portNum() == 0 || ev.portNum() == l.device.port)) {
                                    l.fail("port " + ev.portNum() + " of " + d.name + ": " + ev.type());
                                }
                            }
                        }
                    }
                    case PORT_ACTIVE -> {
                        // smc_ib_port_event_work -> smcr_port_add
                        for (LinkGroup g : lgrs) {
                            g.portAdd();
                        }
                    }
                    case QP_FATAL, QP_REQ_ERR, QP_ACCESS_ERR -> {
                        for (LinkGroup g : lgrs) {
                            for (Link l : g.links) {
                                if (l.qpn() == ev.qpNum() && l.device.ctx == d.ctx) {
                                    l.fail("QP event " + ev.type());
                                }
                            }
                        }
                    }
                    default -> { }
                }
            }
        }
        return n;
    }

    /** {@code SMC_LGR_FREE_DELAY_CLNT - SMC_LGR_FREE_DELAY_SERV} (smc_core.c). */
    static final long CLIENT_EXTRA_LINGER_NANOS = TimeUnit.SECONDS.toNanos(10);

    private void tick(long now) {
        long testlink = config.testlinkTime().toNanos();
        long linger = config.lgrLinger().toNanos();
        for (LinkGroup g : lgrs) {
            g.deliverEarly();
            g.testLinkTick(now, testlink);
            // smc_lgr_schedule_free_work: the client waits 10 s longer than the server
            // (SMC_LGR_FREE_DELAY_CLNT), so an idle group ends from the server's side (DELETE LINK)
            // and a server reusing it never meets a client that just dropped it (SYNCERR)
            long mine = g.role == SmcStats.Role.CLIENT ? linger + CLIENT_EXTRA_LINGER_NANOS : linger;
            if (!g.terminating && g.connectionCount() == 0 && now - g.emptySinceNanos > mine
                    && g.activeLink() != null) {
                terminateLinkGroup(g, "no connections for " + TimeUnit.NANOSECONDS.toSeconds(mine) + " s", true);
            }
        }
        for (Object[] d : deferredDestroy) {
            if (now - (long) d[0] >= 0) {
                deferredDestroy.remove(d);
                for (Link l : ((LinkGroup) d[1]).links) {
                    l.destroy();
                }
            }
        }
    }

    // ------------------------------------------------------------------ observability

    /** The connections of this engine, like {@code smcss}. */
    public List<ConnectionInfo> connections() {
        List<ConnectionInfo> out = new ArrayList<>();
        for (SmcSocket s : socketList()) {
            out.add(s.info());
        }
        return out;
    }

    /** The link groups, one line each. */
    public List<String> linkGroups() {
        List<String> out = new ArrayList<>();
        for (LinkGroup g : lgrs) {
            out.add(g.toString());
        }
        return out;
    }

    /** Registered buffer bytes in use (RMBs, send buffers, link slots). */
    public long bufferMemoryInUse() {
        return memInUse.get();
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        for (SmcSocket s : socketList()) {
            s.abortQuietly();
        }
        for (LinkGroup g : List.copyOf(lgrs)) {
            terminateLinkGroup(g, "engine closed", true);
        }
        long deadline = runtime.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (!deferredDestroy.isEmpty() && runtime.nanoTime() < deadline) {
            wakeAgent();
            runtime.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        running = false;
        wakeAgent();
        try {
            runtime.join(agent, 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Object[] d : deferredDestroy) {
            for (Link l : ((LinkGroup) d[1]).links) {
                l.destroy();
            }
        }
        for (ProtectionDomain pd : pds.values()) {
            try {
                pd.close();
            } catch (RuntimeException ignored) {
                // MRs of leaked buffers keep it busy; the device goes anyway
            }
        }
        for (RdmaDevice d : devices) {
            try {
                d.ctx.close();
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** Engine settings that are not kernel sysctls. */
    public static final class Builder {
        private String name = "smcj";
        private SmcConfig config = SmcConfig.defaults();
        private EngineTrace trace = EngineTrace.NONE;
        private TcpNetwork tcp;
        private VerbsProvider verbs;
        private List<String> deviceNames = List.of();
        private int prefixLen = 24;
        private String hostname = "smcj";
        private Duration clcWait = Duration.ofMillis(SmcConstants.CLC_WAIT_TIME_MS);
        private Duration closeLinger = Duration.ofSeconds(10);
        private ClcChannel.Decoder clcDecoder = io.smcj.clc.ClcCodec::decode;
        private EngineRuntime runtime = EngineRuntime.REAL;

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder config(SmcConfig v) {
            config = v;
            return this;
        }

        public Builder trace(EngineTrace v) {
            trace = v;
            return this;
        }

        public Builder tcp(TcpNetwork v) {
            tcp = v;
            return this;
        }

        /** The verbs backend; none means no RoCE device (every connection falls back, NOSMCDEV). */
        public Builder verbs(VerbsProvider v, List<String> devices) {
            verbs = v;
            deviceNames = List.copyOf(devices);
            return this;
        }

        /** The IPv4 prefix length of our subnet (SMC-R v1 requires client and server in one subnet). */
        public Builder prefixLength(int v) {
            if (v < 0 || v > 32) {
                throw new IllegalArgumentException("prefix length 0..32: " + v);
            }
            prefixLen = v;
            return this;
        }

        public Builder hostname(String v) {
            hostname = v;
            return this;
        }

        /** CLC wait time ({@code CLC_WAIT_TIME}). */
        public Builder clcWait(Duration v) {
            clcWait = v;
            return this;
        }

        /** How long close() waits for the send buffer to drain. */
        public Builder closeLinger(Duration v) {
            closeLinger = v;
            return this;
        }

        /** Tests: decodes received CLC messages instead of {@code ClcCodec.decode} (to inject rejections). */
        Builder clcDecoder(ClcChannel.Decoder v) {
            clcDecoder = Objects.requireNonNull(v);
            return this;
        }

        /** Time, threads and randomness ({@link EngineRuntime#REAL} unless a test runs deterministically). */
        public Builder runtime(EngineRuntime v) {
            runtime = Objects.requireNonNull(v, "runtime");
            return this;
        }

        public SmcEngine build() {
            return new SmcEngine(this);
        }
    }
}
