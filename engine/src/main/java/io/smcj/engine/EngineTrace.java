package io.smcj.engine;

import io.smcj.clc.ClcAcceptConfirm;
import io.smcj.clc.ClcDecline;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcProposal;
import io.smcj.clc.ClcType;
import io.smcj.protocol.DeclineCode;
import java.util.function.Consumer;

/** One line per CLC / LLC message and per notable engine event, to a sink (the demo prints them). */
public final class EngineTrace {
    public static final EngineTrace NONE = new EngineTrace(null);

    private final Consumer<String> sink;
    private final boolean sentOnly;

    public EngineTrace(Consumer<String> sink) {
        this(sink, false);
    }

    /** @param sentOnly log each message once, when it is sent (two engines in one JVM) */
    public EngineTrace(Consumer<String> sink, boolean sentOnly) {
        this.sink = sink;
        this.sentOnly = sentOnly;
    }

    public boolean enabled() {
        return sink != null;
    }

    void line(String s) {
        if (sink != null) {
            sink.accept(s);
        }
    }

    void clc(String side, boolean sent, ClcMessage m) {
        if (sink != null && (sent || !sentOnly)) {
            line(String.format("%-6s %s %s", side, sent ? "->" : "<-", summary(m)));
        }
    }

    void llc(String side, boolean sent, String summary) {
        if (sink != null && (sent || !sentOnly)) {
            line(String.format("%-6s %s %s", side, sent ? "->" : "<-", summary));
        }
    }

    /** A one-line summary of a CLC message. */
    public static String summary(ClcMessage m) {
        StringBuilder b = new StringBuilder("CLC ").append(m.type()).append(" v").append(m.header().version());
        switch (m) {
            case ClcProposal p -> {
                b.append(" typev1=").append(io.smcj.protocol.SmcType.ofWire(p.header().typev1()))
                        .append(" typev2=").append(io.smcj.protocol.SmcType.ofWire(p.header().typev2()));
                b.append(" peer=").append(p.peerId()).append(" gid=").append(p.gid());
                if (p.prefix() != null) {
                    b.append(" prefix=").append(ClcHandshake.describe(p.prefix()));
                }
                if (p.v2Extension() != null) {
                    var e = p.v2Extension();
                    b.append(" release=").append(e.release()).append(" ueids=").append(e.eidTexts())
                            .append(" max_conns=").append(e.maxConns()).append(" max_links=").append(e.maxLinks());
                }
            }
            case ClcAcceptConfirm a -> {
                if (a.firstContact()) {
                    b.append(" first_contact");
                }
                b.append(" peer=").append(a.peerId()).append(" gid=").append(a.gid()).append(" qpn=0x").append(Integer.toHexString(a.qpn()))
                        .append(" rkey=0x").append(Integer.toHexString(a.rmbRkey()))
                        .append(" token=").append(Integer.toUnsignedString(a.rmbeAlertToken()))
                        .append(" rmbe=").append(a.rmbeSizeBytes()).append(" mtu=").append(a.qpMtuBytes())
                        .append(" psn=0x").append(Integer.toHexString(a.psn()));
                if (a.fce() != null) {
                    b.append(a.fce().v2Direct() ? " v2_direct" : " v2_indirect");
                    b.append(" release=").append(a.fce().release());
                    if (a.fce().v2x() != null) {
                        b.append(" max_conns=").append(a.fce().v2x().maxConns())
                                .append(" max_links=").append(a.fce().v2x().maxLinks());
                    }
                }
                if (a.header().isV2() && a.eidText() != null && !a.eidText().isBlank()) {
                    b.append(" eid=").append(a.eidText().strip());
                }
            }
            case ClcDecline d -> b.append(" peer_diagnosis=").append(DeclineCode.hex(d.peerDiagnosis()))
                    .append(DeclineCode.of(d.peerDiagnosis()).map(c -> " (" + c.name() + ")").orElse(""));
            default -> { }
        }
        return b.toString();
    }

    /** A one-line summary of an LLC message. */
    public static String llcSummary(io.smcj.llc.LlcMessage m) {
        StringBuilder b = new StringBuilder(m.messageName());
        b.append(m.isResponse() ? " response" : " request");
        switch (m) {
            case io.smcj.llc.ConfirmLink c -> b.append(" link_num=").append(c.linkNum()).append(" qpn=0x")
                    .append(Integer.toHexString(c.senderQpNum().value())).append(" gid=").append(c.senderGid())
                    .append(" max_links=").append(c.maxLinks()).append(" max_conns=").append(c.maxConns());
            case io.smcj.llc.DeleteLink d -> b.append(" link_num=").append(d.linkNum()).append(" reason=0x")
                    .append(Long.toHexString(d.reason()));
            case io.smcj.llc.AddLink a -> b.append(a.rejected() ? " rejected" : "").append(" qpn=0x")
                    .append(Integer.toHexString(a.senderQpNum().value())).append(" link_num=").append(a.linkNum())
                    .append(" gid=").append(a.senderGid())
                    .append(a.rejectReason() != 0 ? " rej_rsn=" + a.rejectReason() : "");
            case io.smcj.llc.ReqAddLink r -> b.append(" gids=").append(r.gids());
            default -> { }
        }
        return b.toString();
    }

    static boolean isType(ClcMessage m, ClcType t) {
        return m.type() == t;
    }
}
