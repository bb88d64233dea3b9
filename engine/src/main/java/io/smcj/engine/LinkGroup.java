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
    volatile String terminateReason;
    long emptySinceNanos;
    private final Map<Integer, List<CdcMessage>> early = new java.util.HashMap<>();
    private final LinkedBlockingQueue<LlcMessage> llcQueue = new LinkedBlockingQueue<>();
    /** {@code llc_conf_mutex}: one link/rkey configuration flow at a time. */
    final java.util.concurrent.locks.ReentrantLock confLock = new java.util.concurrent.locks.ReentrantLock();
    /** The peer's RMB rkeys from CONFIRM RKEY: RMB vaddr -> link number -> rkey. */
    final Map<Long, Map<Integer, Integer>> peerRtokens = new ConcurrentHashMap<>();
    /** TEST LINK sent and not answered yet: the time it was sent, else 0. */
    volatile long testLinkSentNanos;

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

    /** Whether a new connection may join ({@code smcr_lgr_match} + conn count). */
    synchronized boolean tryReserve() {
        if (terminating || activeLink() == null || reserved >= maxConns) {
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
        link.linkNum = 1;
        int uid = engine.runtime.random().nextInt();
        sendLlc(link, ConfirmLink.of(framing, false, device.mac, device.gid(), new Qpn(link.qpn()), link.linkNum, uid,
                maxLinks, release >= 1 ? maxConns : 0));
        LlcMessage r = awaitLlc(m -> m instanceof ConfirmLink c && c.isResponse(), SmcConstants.LLC_WAIT_TIME_MS);
        return r != null;
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
        sendLlc(link, ConfirmLink.of(framing, true, device.mac, device.gid(), new Qpn(link.qpn()), c.linkNum(),
                c.linkUid(), c.maxLinks(), c.maxConns()));
        return null;
    }

    @Override
    public void onCdc(Link link, CdcMessage m) {
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
                    if (role == SmcStats.Role.CLIENT && maxLinks >= 2 && activeLinks().size() < 2
                            && engine.alternateDevice(device) != null) {
                        engine.runtime.startThread("smcj-add-link", false, () -> clientAddLink(link, a));
                    } else {
                        sendLlc(link, a.reject());
                    }
                }
                case DeleteRkey r -> {
                    // a response to our DELETE RKEY: nothing waits for it
                }
                case DeleteLink d when d.isResponse() -> {
                    // nothing waits for it
                }
                case DeleteLink d when !d.isResponse() && !d.all() -> {
                    sendLlc(link, d.withHeader(d.header().withFlags(d.header().flags() | io.smcj.llc.LlcFlags.RESP)));
                    Link gone = linkByNum(d.linkNum());
                    if (gone != null && gone != link) {
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
        engine.stats.linkDown();
        engine.trace.line(engine.name + " link " + link.linkId + " (link_num " + link.linkNum + ") of link group " + id
                + " failed: " + why);
        // never inline: the caller may hold a connection lock. Until the agent has moved a
        // connection, it posts nothing (SmcConnection.pump checks the link of its in-flight CDCs).
        engine.onAgent(() -> {
            link.pollCompletions(); // completions that succeeded before the failure count first
            Link survivor = activeLink();
            if (survivor == null) {
                engine.terminateLinkGroup(this, "last link failed: " + why, false);
                return;
            }
            // smcr_link_down: tell the peer on the surviving link, move the connections to it
            try {
                if (!link.deletedByPeer) {
                    sendLlc(survivor, DeleteLink.of(framing, false, false, link.linkNum,
                            LlcDeleteReason.LOST_PATH.code()));
                }
            } catch (LinkDownException ignored) {
                // the survivor failing too is handled by its own error
            }
            engine.trace.line(engine.name + " link group " + id + ": connections move to link_num "
                    + survivor.linkNum);
            links.remove(link);
            engine.destroyLater(link);
            for (SmcConnection c : conns.values()) {
                c.failover(link);
            }
        });
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

    /**
     * Server: {@code smc_llc_srv_add_link} after the first link is up: a second link on another
     * device (if both sides have one), ADD LINK on the first link, the rkey exchange, and CONFIRM
     * LINK on the new link.
     */
    void serverAddLink() {
        confLock.lock();
        Link neu = null;
        try {
            Link old = activeLink();
            RdmaDevice alt = engine.alternateDevice(device);
            if (old == null || alt == null || maxLinks < 2 || activeLinks().size() >= 2 || terminating) {
                return;
            }
            neu = engine.newLink(alt, this);
            neu.linkNum = old.linkNum + 1;
            io.smcj.llc.AddLinkV2Ext ext = version >= 2
                    ? io.smcj.llc.AddLinkV2Ext.of(false, peerGid(), ourPairs(old, neu)) : null;
            sendLlc(old, AddLink.of(framing, false, alt.mac, alt.gid(), new Qpn(neu.qpn()), neu.linkNum,
                    io.smcj.protocol.QpMtu.ofWire(alt.activeMtu().ibvValue()), new io.smcj.protocol.Psn(neu.psn), ext));
            LlcMessage r = awaitLlc(m -> m instanceof AddLink a && a.isResponse(), SmcConstants.LLC_WAIT_TIME_MS);
            if (!(r instanceof AddLink resp) || resp.rejected()) {
                neu.destroy();
                neu = null;
                return;
            }
            neu.connect(resp.senderQpNum().value(), io.smcj.transport.rdma.VerbsGid.of(resp.senderGid().bytes()),
                    resp.initialPsn().value(), resp.qpMtu());
            links.add(neu);
            if (version >= 2) {
                if (resp.v2Ext() != null) {
                    for (io.smcj.llc.RkeyPair p : resp.v2Ext().rkeys()) {
                        applyPeerPair(old, neu, p);
                    }
                }
            } else if (!rkeyExchangeV1(old, neu, true)) {
                throw new LinkDownException("no ADD LINK CONT from the client");
            }
            int uid = engine.runtime.random().nextInt();
            sendLlc(neu, ConfirmLink.of(framing, false, alt.mac, alt.gid(), new Qpn(neu.qpn()), neu.linkNum, uid,
                    maxLinks, release >= 1 ? maxConns : 0));
            if (awaitLlc(m -> m instanceof ConfirmLink c && c.isResponse(), SmcConstants.LLC_WAIT_TIME_MS) == null) {
                throw new LinkDownException("no CONFIRM LINK response on the new link");
            }
            engine.stats.linkUp();
            engine.trace.line(engine.name + " link group " + id + ": second link up (link_num " + neu.linkNum + ", "
                    + alt + ")");
            neu = null;
        } catch (LinkDownException | RuntimeException e) {
            engine.trace.line(engine.name + " ADD LINK failed: " + e.getMessage());
        } finally {
            if (neu != null) {
                links.remove(neu);
                neu.destroy();
            }
            confLock.unlock();
        }
    }

    /** Client: {@code smc_llc_cli_add_link} for the server's ADD LINK request. */
    void clientAddLink(Link old, AddLink req) {
        confLock.lock();
        Link neu = null;
        try {
            RdmaDevice alt = engine.alternateDevice(device);
            if (alt == null || terminating) {
                sendLlc(old, req.reject());
                return;
            }
            neu = engine.newLink(alt, this);
            neu.linkNum = req.linkNum();
            neu.connect(req.senderQpNum().value(), io.smcj.transport.rdma.VerbsGid.of(req.senderGid().bytes()),
                    req.initialPsn().value(), req.qpMtu());
            links.add(neu);
            io.smcj.llc.AddLinkV2Ext ext = version >= 2
                    ? io.smcj.llc.AddLinkV2Ext.of(false, peerGid(), ourPairs(old, neu)) : null;
            if (version >= 2 && req.v2Ext() != null) {
                for (io.smcj.llc.RkeyPair p : req.v2Ext().rkeys()) {
                    applyPeerPair(old, neu, p);
                }
            }
            sendLlc(old, AddLink.of(framing, true, alt.mac, alt.gid(), new Qpn(neu.qpn()), neu.linkNum,
                    io.smcj.protocol.QpMtu.ofWire(neu.mtu.ibvValue()), new io.smcj.protocol.Psn(neu.psn), ext));
            if (version < 2 && !rkeyExchangeV1(old, neu, false)) {
                throw new LinkDownException("no ADD LINK CONT from the server");
            }
            LlcMessage m = awaitLlc(x -> x instanceof ConfirmLink c && !c.isResponse(), SmcConstants.LLC_WAIT_TIME_MS);
            if (!(m instanceof ConfirmLink c)) {
                throw new LinkDownException("no CONFIRM LINK on the new link");
            }
            sendLlc(neu, ConfirmLink.of(framing, true, alt.mac, alt.gid(), new Qpn(neu.qpn()), c.linkNum(),
                    c.linkUid(), c.maxLinks(), c.maxConns()));
            engine.stats.linkUp();
            engine.trace.line(engine.name + " link group " + id + ": second link up (link_num " + neu.linkNum + ", "
                    + alt + ")");
            neu = null;
        } catch (LinkDownException | RuntimeException e) {
            engine.trace.line(engine.name + " ADD LINK failed: " + e.getMessage());
        } finally {
            if (neu != null) {
                links.remove(neu);
                neu.destroy();
            }
            confLock.unlock();
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
                + " conns " + conns.size() + "]";
    }
}
