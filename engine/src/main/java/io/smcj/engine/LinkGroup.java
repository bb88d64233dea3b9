package io.smcj.engine;

import io.smcj.cdc.CdcMessage;
import io.smcj.llc.AddLink;
import io.smcj.llc.ConfirmLink;
import io.smcj.llc.ConfirmRkey;
import io.smcj.llc.DeleteLink;
import io.smcj.llc.DeleteRkey;
import io.smcj.llc.LlcCodec;
import io.smcj.llc.LlcDeleteReason;
import io.smcj.llc.LlcFraming;
import io.smcj.llc.LlcMessage;
import io.smcj.llc.Octets;
import io.smcj.llc.TestLink;
import io.smcj.protocol.Gid;
import io.smcj.protocol.PeerId;
import io.smcj.protocol.ProtocolException;
import io.smcj.protocol.Qpn;
import io.smcj.protocol.SmcConstants;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A link group ({@code struct smc_link_group}, smc_core.c + smc_llc.c): the links to one peer
 * system for one role and device, and the connections multiplexed over them (found by their
 * alert token when a CDC arrives). LLC requests that need an answer (TEST LINK, CONFIRM RKEY,
 * DELETE LINK, ADD LINK we cannot serve) are answered here; others are queued for the flow that
 * waits for them ({@code smc_llc_wait}).
 */
final class LinkGroup implements Link.Events {
    final int id;
    final SmcEngine engine;
    final SmcStats.Role role;
    final PeerId peerId;
    final RdmaDevice device;
    final int version;
    final int release;
    final int maxConns;
    final int maxLinks;
    final LlcFraming framing;
    final List<Link> links = new CopyOnWriteArrayList<>();
    final Map<Integer, SmcConnection> conns = new ConcurrentHashMap<>();
    /** Connections counted against max conns from Accept until release (including in-flight handshakes). */
    int reserved;
    volatile boolean terminating;
    /** {@code lgr->sync_err}: the peer declined our reuse of this group with SYNCERR; never reused again. */
    volatile boolean syncErr;
    volatile String terminateReason;
    long emptySinceNanos;
    private final Map<Integer, List<CdcMessage>> early = new java.util.HashMap<>();
    private final LinkedBlockingQueue<LlcMessage> llcQueue = new LinkedBlockingQueue<>();
    /** {@code llc_conf_mutex}: one link/rkey configuration flow at a time. */
    final java.util.concurrent.locks.ReentrantLock confLock = new java.util.concurrent.locks.ReentrantLock();
    /** The peer's RMB rkeys from CONFIRM RKEY: RMB vaddr -> link number -> rkey. */
    final Map<Long, Map<Integer, Integer>> peerRtokens = new ConcurrentHashMap<>();
    /** Server: DELETE LINK requests of the client to send back once their link's connections moved. */
    private final Map<Link, DeleteLink> deleteEchoes = new ConcurrentHashMap<>();
    /** TEST LINK sent and not answered yet: the time it was sent, else 0. */
    volatile long testLinkSentNanos;
    /** {@code lgr->saddr}: our IPv4 address of the CLC handshake (SMC-Rv2 alternate devices need its subnet). */
    volatile java.net.InetAddress saddr;
    /** {@code lgr->type}. */
    volatile Type type = Type.NONE;
    /** {@code lgr->next_link_id}. */
    private int nextLinkId;
    /** Client, first contact: the connect thread waits for the server's ADD LINK (it is queued for it). */
    volatile boolean awaitingFirstAddLink;
    /** Client: REQ ADD LINK sent, no response or ADD LINK yet ({@code SMC_LLC_FLOW_REQ_ADD_LINK}). */
    volatile boolean reqAddLinkPending;

    LinkGroup(int id, SmcEngine engine, SmcStats.Role role, PeerId peerId, RdmaDevice device, int version,
              int release, int maxConns, int maxLinks) {
        this.id = id;
        this.engine = engine;
        this.role = role;
        this.peerId = peerId;
        this.device = device;
        this.version = version;
        this.release = release;
        this.maxConns = maxConns;
        this.maxLinks = maxLinks;
        this.framing = version >= 2 ? LlcFraming.V2 : LlcFraming.V1;
        this.emptySinceNanos = engine.runtime.nanoTime();
    }

    Link activeLink() {
        for (Link l : links) {
            if (l.isActive()) {
                return l;
            }
        }
        return null;
    }

    Link linkByNum(int num) {
        for (Link l : links) {
            if (l.linkNum == num) {
                return l;
            }
        }
        return null;
    }

    /** The active link the peer reaches with this QP number (the CLC's qpn), or null. */
    Link activeLinkByPeerQpn(int qpn) {
        for (Link l : links) {
            if (l.isActive() && l.peerQpn == qpn) {
                return l;
            }
        }
        return null;
    }

    /**
     * {@code smcr_lgr_conn_assign_link} (smc_core.c), server side: link balancing over the active
     * links (the kernel also skips asymmetric ones). With an even number of connections already in
     * the group ({@code conns_num}, counted here as the reserved slots before this connection's) the
     * first active link, with an odd number the next active link after it (the first if there is
     * none). The client does not balance: it takes the link whose QP the server's Accept names.
     *
     * @return the link, or null when none is active ({@code SMC_CLC_DECL_NOACTLINK})
     */
    synchronized Link assignLink() {
        // smcr_lgr_conn_assign_link skips asymmetric links: they only carry failover traffic
        List<Link> act = new java.util.ArrayList<>(activeLinks());
        act.removeIf(l -> l.asym);
        if (act.isEmpty()) {
            return null;
        }
        int connsNum = Math.max(0, reserved - 1);
        if (role == SmcStats.Role.SERVER && connsNum % 2 == 1 && act.size() > 1) {
            return act.get(1);
        }
        return act.get(0);
    }

    /**
     * The active link to the server's QP the Accept names ({@code smc_connect_rdma}): QP number
     * and GID must both match, QP numbers alone are only unique per device; for SMC-R v1 the
     * peer's MAC too ({@code mac} null for v2).
     */
    Link activeLinkByPeer(int qpn, byte[] gid, io.smcj.protocol.MacAddress mac) {
        io.smcj.transport.rdma.VerbsGid g = io.smcj.transport.rdma.VerbsGid.of(gid);
        for (Link l : links) {
            if (l.isActive() && l.peerQpn == qpn && g.equals(l.peerGid) && (mac == null || mac.equals(l.peerMac))) {
                return l;
            }
        }
        return null;
    }

    boolean hasOtherActiveLink(Link l) {
        for (Link x : links) {
            if (x != l && x.isActive()) {
                return true;
            }
        }
        return false;
    }

    List<Link> activeLinks() {
        return links.stream().filter(Link::isActive).toList();
    }

    /**
     * {@code smcr_lgr_reg_rmbs} + {@code smc_llc_do_confirm_rkey}: on a group with more than one
     * link, a new RMB is registered on every link and announced with CONFIRM RKEY (its rkey on
     * the sending link plus rtokens for the others) before its CLC Accept/Confirm goes out.
     * Call with {@link #confLock} held.
     *
     * @return false when the peer did not confirm
     */
    boolean confirmRkey(Link via, RdmaBuffer rmb, RdmaBuffer sndbuf) throws LinkDownException {
        List<Link> act = activeLinks();
        for (Link l : act) {
            rmb.mrFor(l.pd);
            sndbuf.mrFor(l.pd);
        }
        List<io.smcj.llc.Rtoken> others = new java.util.ArrayList<>();
        for (Link l : act) {
            if (l != via) {
                others.add(new io.smcj.llc.Rtoken(l.linkNum, new io.smcj.protocol.Rkey(rmb.mrFor(l.pd).rkey()),
                        rmb.address()));
            }
        }
        int n = others.size();
        while (others.size() < 2) {
            others.add(io.smcj.llc.Rtoken.ZERO);
        }
        // Linux 6.x confirms every new RMB of a reused link group, one link or two (fixture
        // kernel-6.12-harness/smcr612-harness-reuse-4k.pcap: CONFIRM RKEY both ways)
        sendLlc(via, new ConfirmRkey(io.smcj.llc.LlcHeader.of(framing, 0), n,
                new io.smcj.protocol.Rkey(rmb.mrFor(via.pd).rkey()), rmb.address(), others, 0));
        LlcMessage r = awaitLlc(m -> m instanceof ConfirmRkey c && c.isResponse(), SmcConstants.LLC_WAIT_TIME_MS);
        return r instanceof ConfirmRkey c && !c.negative();
    }

    /** Gives a new connection the peer's rkeys on the other links (from its CONFIRM RKEY). */
    void applyPeerRtokens(SmcConnection c) {
        Map<Integer, Integer> t = peerRtokens.get(c.peerRmbAddr);
        if (t != null) {
            t.forEach(c.peerRkeys::putIfAbsent);
        }
    }

    private void storePeerRtokens(Link arrivedOn, ConfirmRkey r) {
        Map<Integer, Integer> m = peerRtokens.computeIfAbsent(r.rmbVaddr(), k -> new ConcurrentHashMap<>());
        m.put(arrivedOn.linkNum, r.rmbKey().value());
        for (int i = 0; i < Math.min(r.numRkeys(), r.others().size()); i++) {
            io.smcj.llc.Rtoken t = r.others().get(i);
            m.put(t.linkId(), t.rmbKey().value());
        }
        SmcConnection c = null;
        for (SmcConnection x : conns.values()) {
            if (x.peerRmbAddr == r.rmbVaddr()) {
                c = x;
            }
        }
        if (c != null) {
            applyPeerRtokens(c);
        }
    }

    /**
     * Whether a new connection may join ({@code smc_conn_create}). Only the server counts against
     * max conns ({@code lgr->conns_num < lgr->max_conns} is checked for {@code SMC_SERV} alone): the
     * server decides first contact vs. reuse and the client follows its Accept. A client that also
     * counted would see connections it has not freed yet (its close completes later than the
     * server's, or its application still holds a socket the server aborted) and decline the
     * server's reuse with SYNCERR.
     */
    synchronized boolean tryReserve() {
        if (terminating || syncErr || activeLink() == null || (role == SmcStats.Role.SERVER && reserved >= maxConns)) {
            return false;
        }
        reserved++;
        return true;
    }

    synchronized void unreserve() {
        reserved--;
        if (reserved == 0) {
            emptySinceNanos = engine.runtime.nanoTime();
        }
    }

    synchronized void tryReserveFirst() {
        reserved++;
    }

    /**
     * The server sent an Accept with this token: CDCs for it may arrive before the Confirm has been
     * processed (the client may write at once), so they are held until the connection exists.
     */
    synchronized void expectToken(int token) {
        early.put(token, new java.util.ArrayList<>());
    }

    synchronized void forgetToken(int token) {
        early.remove(token);
    }

    void addConnection(SmcConnection c) {
        synchronized (this) {
            conns.put(c.localToken.value(), c);
        }
    }

    /** Agent: delivers held CDCs of connections that now exist (in arrival order). */
    void deliverEarly() {
        List<Map.Entry<SmcConnection, List<CdcMessage>>> todo = new java.util.ArrayList<>();
        synchronized (this) {
            if (early.isEmpty()) {
                return;
            }
            for (var it = early.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                SmcConnection c = conns.get(e.getKey());
                if (c != null) {
                    it.remove();
                    todo.add(Map.entry(c, e.getValue()));
                }
            }
        }
        for (var e : todo) {
            for (CdcMessage m : e.getValue()) {
                e.getKey().onCdc(m);
            }
        }
    }

    void removeConnection(SmcConnection c) {
        if (conns.remove(c.localToken.value(), c)) {
            unreserve();
            Link l = activeLink();
            if (l != null && !terminating) {
                // smcr_buf_unuse -> smc_llc_do_delete_rkey: the peer forgets this RMB's rtokens
                // (Linux 6.x does it for every confirmed RMB; asked, not awaited)
                int key = c.rmb.mrFor(l.pd).rkey();
                try {
                    sendLlc(l, DeleteRkey.of(framing, List.of(new io.smcj.protocol.Rkey(key))));
                } catch (LinkDownException | RuntimeException ignored) {
                    // the link error path handles it
                }
            }
        }
    }

    synchronized int connectionCount() {
        return reserved;
    }

    // ------------------------------------------------------------------ LLC

    void sendLlc(Link link, LlcMessage m) throws LinkDownException {
        engine.trace.llc(engine.name, true, EngineTrace.llcSummary(m));
        link.sendLlc(LlcCodec.toBytes(m));
    }

    /** Waits for a queued LLC message matching {@code p} ({@code smc_llc_wait}); null on timeout. */
    LlcMessage awaitLlc(Predicate<LlcMessage> p, long timeoutMillis) {
        long deadline = engine.runtime.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            while (true) {
                long left = deadline - engine.runtime.nanoTime();
                if (left <= 0) {
                    return null;
                }
                LlcMessage m = engine.runtime.poll(llcQueue, left);
                if (m == null) {
                    return null;
                }
                if (p.test(m)) {
                    return m;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Server, first link: CONFIRM LINK request and the client's response ({@code smcr_serv_conf_first_link}). */
    boolean serverConfirmFirstLink(Link link) throws LinkDownException {
        link.linkNum = 0; // not in use yet: smcr_next_link_id gives the first link 1
        link.linkNum = nextLinkId();
        int uid = engine.runtime.random().nextInt();
        sendLlc(link, ConfirmLink.of(framing, false, device.mac, device.gid(), new Qpn(link.qpn()), link.linkNum, uid,
                maxLinks, release >= 1 ? maxConns : 0));
        LlcMessage r = awaitLlc(m -> m instanceof ConfirmLink c && c.isResponse(), SmcConstants.LLC_WAIT_TIME_MS);
        if (r == null) {
            return false;
        }
        setType(Type.SINGLE);
        return true;
    }

    /**
     * Client, first link: waits for the server's CONFIRM LINK and answers it
     * ({@code smcr_clnt_conf_first_link}).
     *
     * @return null when done, else the decline reason
     */
    io.smcj.protocol.DeclineCode clientConfirmFirstLink(Link link) throws LinkDownException {
        LlcMessage m = awaitLlc(x -> x instanceof ConfirmLink c && !c.isResponse(), SmcConstants.LLC_WAIT_FIRST_TIME_MS);
        if (m == null) {
            return io.smcj.protocol.DeclineCode.TIMEOUT_CL;
        }
        ConfirmLink c = (ConfirmLink) m;
        if (!c.noRmbeEyecatcher()) {
            return io.smcj.protocol.DeclineCode.RMBE_EC;
        }
        if (c.linkNum() != link.linkNum) {
            for (SmcConnection x : conns.values()) {
                Integer k = x.peerRkeys.remove(link.linkNum);
                if (k != null) {
                    x.peerRkeys.put(c.linkNum(), k);
                }
            }
            link.linkNum = c.linkNum();
        }
        // the server starts its ADD LINK as soon as it has our response: from now on an ADD LINK
        // request is for the connect thread (smcr_clnt_conf_first_link), not a flow of its own
        awaitingFirstAddLink = maxLinks > 1;
        sendLlc(link, ConfirmLink.of(framing, true, device.mac, device.gid(), new Qpn(link.qpn()), c.linkNum(),
                c.linkUid(), c.maxLinks(), c.maxConns()));
        setType(Type.SINGLE);
        return null;
    }

    @Override
    public void onCdc(Link link, CdcMessage m) {
        if (m.prodFlags().failoverValidation()) {
            // smc_cdc_msg_validate compares with the last seqno we received: CDCs the peer saw
            // complete on the failed link may still wait in that link's CQ; take them in first
            for (Link other : links) {
                if (other != link) {
                    other.pollCompletions();
                }
            }
        }
        int token = m.token().value();
        SmcConnection c = conns.get(token);
        List<CdcMessage> held = null;
        if (c == null || !early.isEmpty()) {
            synchronized (this) {
                c = conns.get(token);
                List<CdcMessage> q = early.get(token);
                if (c == null) {
                    if (q != null) {
                        q.add(m);
                    }
                    return;
                }
                if (q != null) {
                    early.remove(token);
                    held = q;
                }
            }
        }
        if (held != null) {
            for (CdcMessage x : held) {
                c.onCdc(x);
            }
        }
        c.onCdc(m);
    }

    @Override
    public void onLlc(Link link, byte[] payload) {
        LlcMessage m;
        try {
            m = LlcCodec.DEFAULT.decode(payload);
        } catch (ProtocolException e) {
            engine.trace.line(engine.name + " LLC dropped: " + e.getMessage());
            return;
        }
        engine.trace.llc(engine.name, false, EngineTrace.llcSummary(m));
        try {
            switch (m) {
                case TestLink t when !t.isResponse() -> sendLlc(link, t.response());
                case TestLink t -> testLinkSentNanos = 0;
                case ConfirmRkey r when !r.isResponse() -> {
                    storePeerRtokens(link, r);
                    sendLlc(link, r.response(false));
                }
                case DeleteRkey r when !r.isResponse() -> {
                    // smc_llc_rmt_delete_rkey: forget the peer's RMB known by this rkey on this link
                    for (int i = 0; i < Math.min(r.numRkeys(), r.rkeys().size()); i++) {
                        int key = r.rkeys().get(i).value();
                        int num = link.linkNum;
                        peerRtokens.values().removeIf(t -> Integer.valueOf(key).equals(t.get(num)));
                    }
                    sendLlc(link, r.withHeader(r.header().withFlags(r.header().flags() | io.smcj.llc.LlcFlags.RESP)));
                }
                case AddLink a when !a.isResponse() -> {
                    if (role == SmcStats.Role.CLIENT) {
                        reqAddLinkPending = false; // the server started its add link processing
                        if (awaitingFirstAddLink) {
                            llcQueue.add(a); // smcr_clnt_conf_first_link waits for it
                        } else {
                            engine.runtime.startThread("smcj-add-link", false, () -> clientAddLinkFlow(link, a));
                        }
                    } else {
                        // smc_llc_process_srv_add_link: the client's suggestion (v1) starts our own flow
                        engine.runtime.startThread("smcj-add-link", false, () -> serverAddLinkFlow(link, a, true));
                    }
                }
                case io.smcj.llc.ReqAddLink r when !r.isResponse() && role == SmcStats.Role.SERVER ->
                        engine.runtime.startThread("smcj-add-link", false, () -> serverAddLinkFlow(link, r, true));
                case io.smcj.llc.ReqAddLink r when r.isResponse() && role == SmcStats.Role.CLIENT ->
                        reqAddLinkPending = false; // the server adds no link now
                case io.smcj.llc.ReqAddLink r -> {
                    // not for our role: dropped, as the kernel does
                }
                case DeleteRkey r -> {
                    // a response to our DELETE RKEY: nothing waits for it
                }
                case DeleteLink d when d.isResponse() -> llcQueue.add(d); // smc_llc_delete_asym_link may wait
                case DeleteLink d when !d.isResponse() && !d.all() -> {
                    Link gone = linkByNum(d.linkNum());
                    if (role == SmcStats.Role.CLIENT) {
                        // smc_llc_process_cli_delete_link: the response first (reason 0, or NOLNK
                        // for a link we do not have), then the connections move
                        sendLlc(link, new DeleteLink(d.header().withFlags(d.header().flags() | io.smcj.llc.LlcFlags.RESP),
                                d.linkNum(), gone != null ? 0 : LlcDeleteReason.NOLNK.code(), d.reserved()));
                    }
                    if (gone != null && gone != link) {
                        if (role == SmcStats.Role.SERVER) {
                            // smc_llc_process_srv_delete_link: the connections move, then the request
                            // goes back to the client (after the failover, see onLinkError)
                            deleteEchoes.put(gone, d);
                        }
                        // smc_llc_process_cli_delete_link: deleting the asymmetric link keeps the type
                        gone.asymDeletedByPeer = gone == findAsymLink();
                        gone.deletedByPeer = true;
                        gone.fail("peer sent DELETE LINK for link " + d.linkNum());
                    }
                }
                case DeleteLink d when !d.isResponse() -> {
                    sendLlc(link, d.withHeader(d.header().withFlags(d.header().flags() | io.smcj.llc.LlcFlags.RESP)));
                    engine.terminateLinkGroup(this, "peer sent DELETE LINK (reason 0x" + Long.toHexString(d.reason())
                            + ")", false);
                }
                default -> llcQueue.add(m);
            }
        } catch (LinkDownException e) {
            // the link error path handles it
        }
    }

    @Override
    public void onLinkError(Link link, String why) {
        if (link.retiring) {
            // the asymmetric link being deleted: smc_llc_delete_asym_link clears it and moves its connections
            engine.trace.line(engine.name + " asymmetric link_num " + link.linkNum + " failed while deleted: " + why);
            return;
        }
        engine.stats.linkDown();
        engine.trace.line(engine.name + " link " + link.linkId + " (link_num " + link.linkNum + ") of link group " + id
                + " failed: " + why);
        // never inline: the caller may hold a connection lock. Until the agent has moved a
        // connection, it posts nothing (SmcConnection.pump checks the link of its in-flight CDCs).
        engine.onAgent(() -> {
            // completions that succeeded before the failure count first (smc_cdc_tx_handler moves
            // tx_curs_fin); the rest come back flushed (WR_FLUSH_ERR) and only free their slots
            link.pollCompletions();
            Link survivor = failoverTarget(link);
            if (survivor == null) {
                engine.terminateLinkGroup(this, "last link failed: " + why, false);
                return;
            }
            // smcr_link_down: smc_switch_conns first (each connection's validation CDC and re-send
            // on the survivor), then DELETE LINK (lost path) for the failed link
            engine.trace.line(engine.name + " link group " + id + ": connections move to link_num "
                    + survivor.linkNum);
            // smcr_link_down / smc_llc_process_*_delete_link: the group type; an expected deletion
            // of the asymmetric link keeps it
            if (!link.asymDeletedByPeer) {
                setType(Type.SINGLE);
            }
            links.remove(link);
            engine.destroyLater(link);
            for (SmcConnection c : conns.values()) {
                c.failover(link, survivor);
            }
            try {
                DeleteLink echo = deleteEchoes.remove(link);
                if (!link.deletedByPeer) {
                    // smcr_link_down: the client sends it directly, the server through
                    // smc_llc_srv_delete_link_local; both set the orderly flag
                    sendLlc(survivor, DeleteLink.of(framing, false, true, link.linkNum,
                            LlcDeleteReason.LOST_PATH.code()));
                } else if (echo != null) {
                    sendLlc(survivor, echo); // server: the client's request goes back to it as a request
                }
            } catch (LinkDownException ignored) {
                // the survivor failing too is handled by its own error
            }
            if (role == SmcStats.Role.SERVER && type == Type.SINGLE && !terminating) {
                // smc_llc_process_srv_delete_link: trigger the setup of an (asymmetric) alternate link
                addLinkLocal(survivor);
            }
        });
    }

    /**
     * {@code smc_switch_conns}: the first active link other than {@code from}, preferring one on
     * another device or port (a device error there would hit it too).
     */
    private Link failoverTarget(Link from) {
        Link any = null;
        for (Link l : links) {
            if (l == from || !l.isActive()) {
                continue;
            }
            if (l.device != from.device) {
                return l;
            }
            if (any == null) {
                any = l;
            }
        }
        return any;
    }

    @Override
    public void onHandlerError(Link link, RuntimeException e) {
        engine.trace.line(engine.name + " link " + link.linkId + ": completion handler failed: " + e);
    }

    @Override
    public EngineRuntime runtime() {
        return engine.runtime;
    }

    /** TEST LINK keepalive ({@code smc_llc_testlink_work}); called by the agent. */
    void testLinkTick(long now, long intervalNanos) {
        if (intervalNanos <= 0 || terminating) {
            return;
        }
        for (Link l : links) {
            if (!l.isActive()) {
                continue;
            }
            long sent = testLinkSentNanos;
            if (sent != 0) {
                if (now - sent > TimeUnit.MILLISECONDS.toNanos(SmcConstants.LLC_WAIT_TIME_MS)
                        && l.lastRecvNanos - sent < 0) {
                    testLinkSentNanos = 0;
                    l.fail("TEST LINK not answered within " + SmcConstants.LLC_WAIT_TIME_MS + " ms");
                }
            } else if (now - l.lastRecvNanos > intervalNanos) {
                try {
                    testLinkSentNanos = now;
                    sendLlc(l, TestLink.of(framing, false, Octets.zeros(16)));
                } catch (LinkDownException e) {
                    // handled by the link error path
                }
            }
        }
    }

    // ------------------------------------------------------------------ second link (ADD LINK)

    /** Our RMBs as (rkey on {@code old}, rkey on {@code neu}, vaddr) pairs. */
    private List<io.smcj.llc.RkeyPair> ourPairs(Link old, Link neu) {
        List<io.smcj.llc.RkeyPair> out = new java.util.ArrayList<>();
        for (SmcConnection c : conns.values()) {
            c.sndbuf.mrFor(neu.pd);
            out.add(new io.smcj.llc.RkeyPair(new io.smcj.protocol.Rkey(c.rmb.mrFor(old.pd).rkey()),
                    new io.smcj.protocol.Rkey(c.rmb.mrFor(neu.pd).rkey()), c.rmb.address()));
        }
        return out;
    }

    /** A peer pair: the connection whose peer RMB has rkey {@code pair.rmbKey} on {@code old} learns the new rkey. */
    private void applyPeerPair(Link old, Link neu, io.smcj.llc.RkeyPair pair) {
        for (SmcConnection c : conns.values()) {
            Integer k = c.peerRkeys.get(old.linkNum);
            if (k != null && k == pair.rmbKey().value()) {
                c.peerRkeys.put(neu.linkNum, pair.rmbKeyNew().value());
                peerRtokens.computeIfAbsent(c.peerRmbAddr, x -> new ConcurrentHashMap<>())
                        .put(neu.linkNum, pair.rmbKeyNew().value());
            }
        }
    }

    /**
     * {@code smc_llc_srv_rkey_exchange} / {@code smc_llc_cli_rkey_exchange} (SMC-Rv1): ADD LINK CONT
     * messages alternate, each with up to two pairs and the count still to send; the server starts.
     */
    private boolean rkeyExchangeV1(Link old, Link neu, boolean server) throws LinkDownException {
        List<io.smcj.llc.RkeyPair> mine = ourPairs(old, neu);
        int[] sendLeft = {mine.size()};
        int recvLeft;
        do {
            if (server) {
                sendCont(old, neu, mine, sendLeft, false);
            }
            LlcMessage m = awaitLlc(x -> x instanceof io.smcj.llc.AddLinkCont, SmcConstants.LLC_WAIT_TIME_MS);
            if (m == null) {
                return false;
            }
            io.smcj.llc.AddLinkCont c = (io.smcj.llc.AddLinkCont) m;
            for (io.smcj.llc.RkeyPair p : c.usedPairs()) {
                applyPeerPair(old, neu, p);
            }
            recvLeft = Math.max(0, c.numRkeys() - c.usedPairs().size());
            if (!server) {
                sendCont(old, neu, mine, sendLeft, true);
            }
        } while (sendLeft[0] > 0 || recvLeft > 0);
        return true;
    }

    /** One ADD LINK CONT: up to two of our pairs, num_rkeys = pairs still to send including these. */
    private void sendCont(Link old, Link neu, List<io.smcj.llc.RkeyPair> mine, int[] left, boolean resp)
            throws LinkDownException {
        int from = mine.size() - left[0];
        List<io.smcj.llc.RkeyPair> two = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            two.add(from + i < mine.size() ? mine.get(from + i) : io.smcj.llc.RkeyPair.ZERO);
        }
        sendLlc(old, new io.smcj.llc.AddLinkCont(io.smcj.llc.LlcHeader.of(framing, resp ? io.smcj.llc.LlcFlags.RESP : 0),
                neu.linkNum, left[0], Octets.zeros(2), two, Octets.zeros(4)));
        left[0] = Math.max(0, left[0] - 2);
    }

    // ------------------------------------------------------------------ link group type (smc_core.c)

    /** {@code enum smc_lgr_type}. */
    enum Type {
        NONE, SINGLE, SYMMETRIC, ASYMMETRIC_PEER, ASYMMETRIC_LOCAL;

        boolean asymmetric() {
            return this == ASYMMETRIC_PEER || this == ASYMMETRIC_LOCAL;
        }
    }

    /** {@code SMC_LINKS_PER_LGR_MAX}: link slots of a group (one more than max_links, for the asymmetric swap). */
    static final int LINK_SLOTS = 3;

    /** {@code smcr_lgr_set_type}: the new type; every usable link loses its asymmetric tag. */
    void setType(Type t) {
        for (Link l : links) {
            if (l.isUsable()) {
                l.asym = false;
            }
        }
        if (type == t) {
            return;
        }
        type = t;
        // the kernel logs this ("SMC-R lg ... state changed: SYMMETRIC")
        engine.trace.line(engine.name + " link group " + id + " type " + t);
    }

    /** {@code smcr_lgr_set_type_asym}: the new type, and {@code asymLink} tagged asymmetric. */
    void setTypeAsym(Type t, Link asymLink) {
        setType(t);
        asymLink.asym = true;
    }

    /** {@code smcr_next_link_id}: the server's next link_num (u8, never 0, not in use). */
    synchronized int nextLinkId() {
        while (true) {
            nextLinkId = (nextLinkId + 1) & 0xff;
            if (nextLinkId == 0) {
                nextLinkId = 1;
            }
            int cand = nextLinkId;
            if (links.stream().noneMatch(l -> l.isUsable() && l.linkNum == cand)) {
                return cand;
            }
        }
    }

    /**
     * {@code smc_llc_alloc_alt_link}: whether a link of the new type may be added. A symmetric
     * group takes none; an asymmetric link only joins a SINGLE group; three link slots at most.
     */
    boolean allocAltLink(Type newType) {
        if (type == Type.SYMMETRIC || (type != Type.SINGLE && newType.asymmetric())) {
            return false;
        }
        return links.stream().filter(Link::isUsable).count() < LINK_SLOTS;
    }

    /** The ADD LINK came from the peer port {@code link} already uses (same GID; v1: and MAC). */
    private boolean samePeerPort(Link link, Gid gid, io.smcj.protocol.MacAddress mac) {
        return link.peerGid != null && java.util.Arrays.equals(link.peerGid.bytes(), gid.bytes())
                && (version >= 2 || mac.equals(link.peerMac));
    }

    private static boolean samePeerGid(Link a, Link b) {
        return a.peerGid != null && b.peerGid != null && java.util.Arrays.equals(a.peerGid.bytes(), b.peerGid.bytes());
    }

    /**
     * {@code smc_llc_find_asym_link}: of two usable links on the same local GID, the one whose peer
     * GID another link also uses; null when there is none.
     */
    Link findAsymLink() {
        List<Link> u = links.stream().filter(Link::isUsable).toList();
        int fi = -1;
        int fj = -1;
        for (int i = 0; i < u.size() && fi < 0; i++) {
            for (int j = i + 1; j < u.size(); j++) {
                if (u.get(i).device.gid().equals(u.get(j).device.gid())) {
                    fi = i;
                    fj = j;
                    break;
                }
            }
        }
        if (fi < 0) {
            return null;
        }
        for (int k = 0; k < u.size(); k++) {
            if (k != fi && samePeerGid(u.get(fi), u.get(k))) {
                return u.get(fi);
            }
            if (k != fj && samePeerGid(u.get(fj), u.get(k))) {
                return u.get(fj);
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ ADD LINK (smc_llc.c)

    private void linkUp(Link neu, Type newType) {
        if (newType.asymmetric()) {
            setTypeAsym(newType, neu);
        } else {
            setType(newType);
        }
        engine.stats.linkUp();
        engine.trace.line(engine.name + " link group " + id + ": new link up (link_num " + neu.linkNum + ", "
                + neu.device + ", " + newType + ")");
    }

    /**
     * {@code smc_llc_process_srv_add_link} (and the first contact's {@code smcr_serv_conf_first_link},
     * which does not look for an asymmetric link to delete): {@link #serverAddLink} under the
     * {@code llc_conf_mutex}; when the group became SYMMETRIC, {@link #deleteAsymLink}.
     */
    boolean serverAddLinkFlow(Link link, LlcMessage req, boolean deleteAsym) {
        confLock.lock();
        try {
            boolean ok = serverAddLink(link, req);
            if (ok && deleteAsym && type == Type.SYMMETRIC) {
                deleteAsymLink();
            }
            return ok;
        } finally {
            confLock.unlock();
        }
    }

    /**
     * Server: {@code smc_llc_srv_add_link} (call with {@link #confLock} held). A new link on another
     * device, or on the same device when there is none (ASYMMETRIC_LOCAL); ADD LINK on {@code link}
     * (v2: with our rkey pairs and the new link's GID as client_target_gid), the client's response
     * (same peer port on a SINGLE group: ASYMMETRIC_PEER), the rkey exchange (v1: ADD LINK CONT)
     * and CONFIRM LINK on the new link. {@code req} is the client's ADD LINK or REQ ADD LINK that
     * started it, or null; a REQ ADD LINK that led to no ADD LINK is answered with its response.
     */
    boolean serverAddLink(Link link, LlcMessage req) {
        boolean reqResponse = req instanceof io.smcj.llc.ReqAddLink;
        Link neu = null;
        try {
            awaitFailuresHandled();
            if (terminating || !link.isActive()) {
                return false;
            }
            if (type == Type.SINGLE && maxLinks <= 1) {
                return false;
            }
            Type newType = Type.SYMMETRIC;
            RdmaDevice alt = engine.alternateDevice(link.device, this);
            if (alt == null) {
                newType = Type.ASYMMETRIC_LOCAL;
                alt = link.device;
            }
            if (!allocAltLink(newType)) {
                return false;
            }
            neu = engine.newLink(alt, this);
            neu.linkNum = nextLinkId();
            sendLlc(link, addLinkMessage(framing, false, alt.mac, alt.gid(), neu.qpn(), neu.linkNum,
                    alt.activeMtu().ibvValue(), neu.psn, version >= 2 ? ourPairs(link, neu) : null));
            reqResponse = false;
            LlcMessage r = awaitLlc(m -> m instanceof AddLink a && a.isResponse(), SmcConstants.LLC_WAIT_TIME_MS);
            if (!(r instanceof AddLink resp) || resp.rejected()) {
                engine.trace.line(engine.name + " link group " + id + ": ADD LINK "
                        + (r == null ? "not answered" : "rejected") + ", staying " + type);
                return false;
            }
            if (type == Type.SINGLE && samePeerPort(link, resp.senderGid(), resp.senderMac())) {
                newType = Type.ASYMMETRIC_PEER;
            }
            neu.peerMac = resp.senderMac();
            neu.connect(resp.senderQpNum().value(), io.smcj.transport.rdma.VerbsGid.of(resp.senderGid().bytes()),
                    resp.initialPsn().value(), resp.qpMtu());
            links.add(neu);
            engine.wakeAgent(); // the agent polls the new link's CQ only from now on
            if (version >= 2) {
                if (resp.v2Ext() != null) {
                    for (io.smcj.llc.RkeyPair p : resp.v2Ext().rkeys()) {
                        applyPeerPair(link, neu, p);
                    }
                }
            } else if (!rkeyExchangeV1(link, neu, true)) {
                throw new LinkDownException("no ADD LINK CONT from the client");
            }
            // smc_llc_srv_conf_link
            int uid = engine.runtime.random().nextInt();
            sendLlc(neu, ConfirmLink.of(framing, false, alt.mac, alt.gid(), new Qpn(neu.qpn()), neu.linkNum, uid,
                    maxLinks, release >= 1 ? maxConns : 0));
            if (awaitLlc(m -> m instanceof ConfirmLink c && c.isResponse(), SmcConstants.LLC_WAIT_FIRST_TIME_MS) == null) {
                sendLlc(link, DeleteLink.of(framing, false, false, neu.linkNum, LlcDeleteReason.LOST_PATH.code()));
                throw new LinkDownException("no CONFIRM LINK response on the new link");
            }
            linkUp(neu, newType);
            neu = null;
            return true;
        } catch (LinkDownException | RuntimeException e) {
            engine.trace.line(engine.name + " ADD LINK failed: " + e.getMessage());
            return false;
        } finally {
            if (neu != null) {
                links.remove(neu);
                neu.destroy();
            }
            if (reqResponse) {
                // smc_llc_send_req_add_link_response: no ADD LINK came of the client's request
                try {
                    sendLlc(link, ((io.smcj.llc.ReqAddLink) req).response());
                } catch (LinkDownException | RuntimeException ignored) {
                    // the link error path handles it
                }
            }
        }
    }

    /**
     * The kernel runs DELETE LINK and ADD LINK flows one after the other (an LLC message that
     * arrives during a flow waits for it): a link that failed before this flow started is handled
     * by the agent (removed, the group type set) before the flow decides anything.
     */
    private void awaitFailuresHandled() {
        pollUntil(() -> terminating || links.stream().noneMatch(l -> l.state == Link.State.FAILED),
                SmcConstants.LLC_WAIT_TIME_MS);
    }

    /**
     * Checks {@code done} every millisecond (the state it watches changes on the agent, which
     * signals nothing for it) until it holds or {@code timeoutMillis} passed.
     */
    private void pollUntil(java.util.function.BooleanSupplier done, long timeoutMillis) {
        long deadline = engine.runtime.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!done.getAsBoolean() && engine.runtime.nanoTime() - deadline < 0) {
            engine.runtime.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * ADD LINK request or response as {@code smc_llc_send_add_link} builds it for a new link: the
     * new link's MAC, GID, QP, link_num, MTU and PSN; v2 ({@code pairs} not null): the extension
     * of {@code smc_llc_fill_ext_v2} with v2_direct (no gateway), the new link's own GID as
     * client_target_gid, and our rkey pairs.
     */
    static AddLink addLinkMessage(LlcFraming framing, boolean response, io.smcj.protocol.MacAddress mac, Gid gid,
                                  int qpn, int linkNum, int mtuIbv, int psn, List<io.smcj.llc.RkeyPair> pairs) {
        io.smcj.llc.AddLinkV2Ext ext = pairs == null ? null : io.smcj.llc.AddLinkV2Ext.of(true, gid, pairs);
        return AddLink.of(framing, response, mac, gid, new Qpn(qpn), linkNum, io.smcj.protocol.QpMtu.ofWire(mtuIbv),
                new io.smcj.protocol.Psn(psn), ext);
    }

    /** {@code smc_llc_process_cli_add_link}: {@link #clientAddLink} under the {@code llc_conf_mutex}. */
    boolean clientAddLinkFlow(Link link, AddLink req) {
        confLock.lock();
        try {
            return clientAddLink(link, req);
        } finally {
            confLock.unlock();
        }
    }

    /**
     * Client: {@code smc_llc_cli_add_link} for the server's ADD LINK request (call with
     * {@link #confLock} held). Rejected (NO_ALT_PATH) when max_links is 1, or when the server offers
     * the peer port we already use and we have no other device. Otherwise a new link on our other
     * device (server on the same port: ASYMMETRIC_PEER), or on the same device when we have no
     * other (ASYMMETRIC_LOCAL); ADD LINK response, rkey exchange, CONFIRM LINK on the new link.
     */
    boolean clientAddLink(Link link, AddLink req) {
        Link neu = null;
        boolean reject = true;
        try {
            awaitFailuresHandled();
            if (terminating || req.qpMtu() == 0) {
                return false;
            }
            if (type == Type.SINGLE && maxLinks <= 1) {
                return false;
            }
            Type newType = Type.SYMMETRIC;
            RdmaDevice alt = engine.alternateDevice(link.device, this);
            if (samePeerPort(link, req.senderGid(), req.senderMac())) {
                if (alt == null) {
                    return false;
                }
                newType = Type.ASYMMETRIC_PEER;
            }
            if (alt == null) {
                newType = Type.ASYMMETRIC_LOCAL;
                alt = link.device;
            }
            if (!allocAltLink(newType)) {
                return false;
            }
            neu = engine.newLink(alt, this);
            neu.linkNum = req.linkNum(); // the server assigns link ids
            neu.peerMac = req.senderMac();
            neu.connect(req.senderQpNum().value(), io.smcj.transport.rdma.VerbsGid.of(req.senderGid().bytes()),
                    req.initialPsn().value(), req.qpMtu());
            links.add(neu);
            engine.wakeAgent(); // the agent polls the new link's CQ only from now on
            sendLlc(link, addLinkMessage(framing, true, alt.mac, alt.gid(), neu.qpn(), neu.linkNum,
                    neu.mtu.ibvValue(), neu.psn, version >= 2 ? ourPairs(link, neu) : null));
            if (version >= 2) {
                if (req.v2Ext() != null) {
                    for (io.smcj.llc.RkeyPair p : req.v2Ext().rkeys()) {
                        applyPeerPair(link, neu, p);
                    }
                }
            } else if (!rkeyExchangeV1(link, neu, false)) {
                throw new LinkDownException("no ADD LINK CONT from the server");
            }
            // smc_llc_cli_conf_link
            LlcMessage m = awaitLlc(x -> x instanceof ConfirmLink c && !c.isResponse(),
                    SmcConstants.LLC_WAIT_FIRST_TIME_MS);
            if (!(m instanceof ConfirmLink c)) {
                sendLlc(link, DeleteLink.of(framing, false, false, neu.linkNum, LlcDeleteReason.LOST_PATH.code()));
                throw new LinkDownException("no CONFIRM LINK on the new link");
            }
            sendLlc(neu, ConfirmLink.of(framing, true, alt.mac, alt.gid(), new Qpn(neu.qpn()), c.linkNum(),
                    c.linkUid(), c.maxLinks(), c.maxConns()));
            linkUp(neu, newType);
            neu = null;
            reject = false;
            return true;
        } catch (LinkDownException | RuntimeException e) {
            engine.trace.line(engine.name + " ADD LINK failed: " + e.getMessage());
            return false;
        } finally {
            if (neu != null) {
                links.remove(neu);
                neu.destroy();
            }
            if (reject) {
                // smc_llc_cli_add_link_reject: the request echoed with RESP|ADD_LNK_REJ (NO_ALT_PATH)
                try {
                    sendLlc(link, req.reject());
                } catch (LinkDownException | RuntimeException ignored) {
                    // the link error path handles it
                }
            }
        }
    }

    /**
     * Client, first contact ({@code smcr_clnt_conf_first_link}): with max_links above 1 the
     * server's ADD LINK is awaited for {@code SMC_LLC_WAIT_TIME}; null when none came.
     */
    AddLink awaitFirstAddLink() {
        try {
            return (AddLink) awaitLlc(m -> m instanceof AddLink a && !a.isResponse(), SmcConstants.LLC_WAIT_TIME_MS);
        } finally {
            awaitingFirstAddLink = false;
        }
    }

    /**
     * Client: {@code smc_llc_cli_add_link_invite} (call with {@link #confLock} held): v2 sends REQ
     * ADD LINK ({@code smc_llc_send_request_add_link}: our GID and our other device's, only when
     * there are two); v1 sends an ADD LINK request with the other device's MAC and GID only.
     */
    void clientInvite(Link link) throws LinkDownException {
        if (type == Type.SYMMETRIC || type == Type.ASYMMETRIC_PEER) {
            return;
        }
        RdmaDevice alt = engine.alternateDevice(link.device, this);
        if (version >= 2) {
            if (alt == null || reqAddLinkPending) {
                return; // smc_fill_gid_list gave one GID / a REQ ADD LINK flow is still open
            }
            reqAddLinkPending = true; // SMC_LLC_FLOW_REQ_ADD_LINK until the response or an ADD LINK
            sendLlc(link, io.smcj.llc.ReqAddLink.request(framing, List.of(link.device.gid(), alt.gid())));
            return;
        }
        if ((type == Type.SINGLE && maxLinks <= 1) || alt == null) {
            return;
        }
        sendLlc(link, new AddLink(io.smcj.llc.LlcHeader.of(framing, 0), alt.mac, Octets.zeros(2), alt.gid(),
                new Qpn(0), 0, 0, 0, new io.smcj.protocol.Psn(0), Octets.zeros(8), null));
    }

    /**
     * {@code smc_llc_add_link_local}: start an ADD LINK flow of our own (a port came up, or the
     * server lost a link): the server runs {@code smc_llc_srv_add_link}, the client invites the
     * server to.
     */
    void addLinkLocal(Link link) {
        engine.runtime.startThread("smcj-add-link", false, () -> {
            if (terminating) {
                return;
            }
            if (role == SmcStats.Role.SERVER) {
                serverAddLinkFlow(link, null, true);
                return;
            }
            confLock.lock();
            try {
                if (!terminating && link.isActive()) {
                    clientInvite(link);
                }
            } catch (LinkDownException | RuntimeException e) {
                engine.trace.line(engine.name + " ADD LINK invitation failed: " + e.getMessage());
            } finally {
                confLock.unlock();
            }
        });
    }

    /**
     * {@code smcr_port_add}: a port became active. Groups that are SYMMETRIC or ASYMMETRIC_PEER, or
     * SINGLE with max_links 1, need nothing; others start {@link #addLinkLocal} on a usable link.
     */
    void portAdd() {
        Type t = type;
        if (terminating || t == Type.SYMMETRIC || t == Type.ASYMMETRIC_PEER || (t == Type.SINGLE && maxLinks <= 1)) {
            return;
        }
        Link l = activeLink();
        if (l != null) {
            addLinkLocal(l);
        }
    }

    /**
     * Server: {@code smc_llc_delete_asym_link} (call with {@link #confLock} held) once a symmetric
     * link exists: the asymmetric link takes no new sends, its sends complete, DELETE LINK
     * (orderly, NO_ASYM_NEEDED) on another link, the client's response, then it is cleared.
     */
    void deleteAsymLink() {
        Link asym = findAsymLink();
        if (asym == null || !asym.isActive()) {
            return;
        }
        asym.retiring = true; // no new connection or flow picks it from now on
        Link to = activeLink();
        if (to != null) {
            // smc_switch_conns first: each connection rewinds, sends its failover-validation CDC and
            // re-sends on the symmetric link; what is still in flight on the asymmetric link only
            // completes (its completions are stale for the moved connections)
            for (SmcConnection c : conns.values()) {
                c.failover(asym, to);
            }
        }
        try {
            if (to == null) {
                return;
            }
            pollUntil(() -> !asym.sendsPending(), SmcConstants.LLC_WAIT_TIME_MS); // smc_wr_tx_wait_no_pending_sends
            int num = asym.linkNum;
            try {
                sendLlc(to, DeleteLink.of(framing, false, true, num, LlcDeleteReason.NO_ASYM_NEEDED.code()));
                if (awaitLlc(m -> m instanceof DeleteLink d && d.isResponse() && d.linkNum() == num,
                        SmcConstants.LLC_WAIT_TIME_MS) == null) {
                    to.fail("no DELETE LINK response for the asymmetric link"); // smcr_link_down_cond
                }
            } catch (LinkDownException e) {
                to.fail("DELETE LINK for the asymmetric link failed: " + e.getMessage());
            }
        } finally {
            // smcr_link_clear
            links.remove(asym);
            engine.destroyLater(asym);
            engine.trace.line(engine.name + " link group " + id + ": asymmetric link_num " + asym.linkNum
                    + " deleted (" + type + ")");
        }
    }

    /** Orderly end: DELETE LINK (all) to the peer, then the links go ({@code smc_lgr_free}). */
    void sendDeleteAll() {
        Link l = activeLink();
        if (l != null) {
            try {
                sendLlc(l, DeleteLink.of(framing, false, true, 0, LlcDeleteReason.PROG_INIT_TERM.code()));
            } catch (LinkDownException | RuntimeException ignored) {
                // going away anyway
            }
        }
    }

    Gid peerGid() {
        Link l = links.isEmpty() ? null : links.getFirst();
        return l == null || l.peerGid == null ? null : Gid.of(l.peerGid.bytes());
    }

    @Override
    public String toString() {
        return "lgr" + id + "[" + role + " peer " + peerId + " " + device + " v" + version + " links " + links.size()
                + " type " + type + " conns " + conns.size() + "]";
    }
}
