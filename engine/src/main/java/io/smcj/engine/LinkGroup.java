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
import java.util.concurrent.ThreadLocalRandom;
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
    long emptySinceNanos = System.nanoTime();
    private final Map<Integer, List<CdcMessage>> early = new java.util.HashMap<>();
    private final LinkedBlockingQueue<LlcMessage> llcQueue = new LinkedBlockingQueue<>();
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
    }

    Link activeLink() {
        for (Link l : links) {
            if (l.isActive()) {
                return l;
            }
        }
        return null;
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
            emptySinceNanos = System.nanoTime();
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
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                LlcMessage m = llcQueue.poll(left, TimeUnit.NANOSECONDS);
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
        int uid = ThreadLocalRandom.current().nextInt();
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
        link.linkNum = c.linkNum();
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
                case ConfirmRkey r when !r.isResponse() ->
                    sendLlc(link, r.withHeader(r.header().withFlags(r.header().flags() | io.smcj.llc.LlcFlags.RESP)));
                case DeleteRkey r when !r.isResponse() ->
                    sendLlc(link, r.withHeader(r.header().withFlags(r.header().flags() | io.smcj.llc.LlcFlags.RESP)));
                case AddLink a when !a.isResponse() && links.size() >= 1 -> sendLlc(link, a.reject());
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
        engine.trace.line(engine.name + " link " + link.linkId + " of link group " + id + " failed: " + why);
        if (activeLink() == null) {
            engine.terminateLinkGroup(this, "last link failed: " + why, false);
        }
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
