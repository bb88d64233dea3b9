package io.smcj.tools;

import io.smcj.cdc.CdcCodec;
import io.smcj.cdc.CdcCursor;
import io.smcj.cdc.CdcMessage;
import io.smcj.cdc.ConnStateFlags;
import io.smcj.cdc.ProducerFlags;
import io.smcj.clc.ClcAcceptConfirm;
import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcMessage;
import io.smcj.clc.ClcProposal;
import io.smcj.clc.ClcType;
import io.smcj.llc.ConfirmLink;
import io.smcj.llc.LlcCodec;
import io.smcj.llc.LlcFraming;
import io.smcj.llc.LlcMessage;
import io.smcj.protocol.AlertToken;
import io.smcj.protocol.Described;
import io.smcj.protocol.Gid;
import io.smcj.protocol.MacAddress;
import io.smcj.protocol.PeerId;
import io.smcj.protocol.Qpn;
import io.smcj.protocol.QpMtu;
import io.smcj.protocol.RmbeSize;
import io.smcj.protocol.SmcConstants;
import io.smcj.protocol.SmcRelease;
import io.smcj.protocol.SmcType;
import io.smcj.protocol.pcap.PcapWriter;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code ./smcj handshake}: builds a complete SMC-R v2 first-contact exchange from values (no
 * network, no engine), the way two Linux 6.12 kernels run it (CLC Proposal, Accept
 * with first-contact extension, Confirm with GID list; LLC CONFIRM LINK request and response; CDC
 * messages carrying the cursors of a 4 KiB exchange and the close flags), encodes every message,
 * decodes it back, and checks {@code decode(encode(x)) == x} and {@code encode(decode(b)) == b}.
 * {@code --verbose} prints every field; {@code --pcap FILE} writes the exchange as a capture that
 * Wireshark dissects.
 */
public final class HandshakeCommand implements Command {
    @Override
    public String summary() {
        return "encode/decode/check an SMC-R v2 handshake + CDC exchange from values (--verbose, --pcap FILE for Wireshark)";
    }

    /** One message of the exchange, with its encoder and decoder. */
    record Step(boolean fromClient, Object message, byte[] bytes, Function<byte[], Object> decoder,
                Function<Object, byte[]> encoder) {
    }

    // the two hosts: RoCEv2 GIDs are their IPv4-mapped addresses
    static final PcapWriter.Host CLIENT = PcapWriter.Host.of("52:54:00:00:00:02", "10.0.0.2");
    static final PcapWriter.Host SERVER = PcapWriter.Host.of("52:54:00:00:00:01", "10.0.0.1");

    @Override
    public int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception {
        boolean verbose = false;
        Path pcap = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--verbose", "-v" -> verbose = true;
                case "--pcap" -> {
                    if (i + 1 >= args.length) {
                        err.println("usage: ./smcj handshake [--verbose] [--pcap FILE]");
                        return 2;
                    }
                    pcap = Path.of(args[++i]);
                }
                default -> {
                    err.println("usage: ./smcj handshake [--verbose] [--pcap FILE]");
                    return 2;
                }
            }
        }
        List<Step> steps = exchange();
        int failures = 0;
        int n = 0;
        int clc = 0;
        int llc = 0;
        int cdc = 0;
        for (Step s : steps) {
            n++;
            String problem = check(s);
            Described d = (Described) s.message();
            out.printf("%2d  %s  %-22s %4d B  %s%s%n", n, s.fromClient() ? "client -> server" : "server -> client",
                    d.messageName(), s.bytes().length, keyFields(s.message()), problem == null ? "" : "  MISMATCH: " + problem);
            if (verbose) {
                d.describe().toText().lines().forEach(l -> out.println("        " + l));
            }
            if (problem != null) {
                failures++;
            }
            switch (s.message()) {
                case ClcMessage m -> clc++;
                case LlcMessage m -> llc++;
                default -> cdc++;
            }
        }
        String crossLayer = crossLayerCheck(steps);
        if (crossLayer != null) {
            out.println("cross-layer MISMATCH: " + crossLayer);
            failures++;
        }
        if (pcap != null) {
            writePcap(steps, pcap);
            out.println("wrote " + pcap + " (open it with Wireshark or: ./smcj decode --pcap " + pcap + ")");
        }
        if (failures > 0) {
            out.println("handshake: FAILED - " + failures + " of " + steps.size() + " checks failed");
            return 1;
        }
        out.printf("handshake: OK - %d messages (%d CLC, %d LLC, %d CDC) encoded and decoded: decode(encode(x)) == x and "
                + "encode(decode(bytes)) == bytes for each; alert tokens, QPNs, GIDs and cursors agree across "
                + "CLC, LLC and CDC%n", steps.size(), clc, llc, cdc);
        return 0;
    }

    /** The messages of one first-contact connection, in order, as Linux 6.12 builds them. */
    static List<Step> exchange() {
        PeerId clientId = new PeerId(0x02cc, CLIENT.mac());
        PeerId serverId = new PeerId(0x5d3b, SERVER.mac());
        Gid clientGid = Gid.ofIpv4(CLIENT.ip());
        Gid serverGid = Gid.ofIpv4(SERVER.ip());
        String eid = "SMCJ-DEMO-UEID";
        int rmbe = RmbeSize.compress(64 * 1024);
        int release = SmcRelease.V2_1.wire();
        int maxConns = SmcConstants.CONN_PER_LGR_MAX;
        int maxLinks = SmcConstants.LINKS_PER_LGR_MAX;
        int clientToken = 3;
        int serverToken = 7;
        List<Step> s = new ArrayList<>();

        // CLC: SMC-R v2 only (no RoCE v1 GID), like the kernel with a RoCEv2-only device
        ClcProposal proposal = ClcProposal.linux(SmcType.N.wire(), SmcType.R.wire(), clientId, Gid.ZERO, CLIENT.mac(),
                ClcProposal.SmcdArea.empty(0), null,
                ClcProposal.V2Extension.smcr(release, clientGid, maxConns, maxLinks, SmcConstants.FEATURE_MASK,
                        List.of(eid)), null);
        s.add(clc(true, proposal));
        ClcAcceptConfirm.Link serverLink = new ClcAcceptConfirm.Link(serverId, serverGid, SERVER.mac(), 0x11,
                0x39b, 1, serverToken, rmbe, QpMtu.MTU_1024.wire(), 0xff181dbdc9b40000L, 0x3c125b);
        s.add(clc(false, ClcAcceptConfirm.v2(ClcType.ACCEPT, serverLink, eid,
                ClcAcceptConfirm.FirstContactExt.linux(true, release, "server", maxConns, maxLinks,
                        SmcConstants.FEATURE_MASK), null)));
        ClcAcceptConfirm.Link clientLink = new ClcAcceptConfirm.Link(clientId, clientGid, CLIENT.mac(), 0x12,
                0x3dc, 1, clientToken, rmbe, QpMtu.MTU_1024.wire(), 0xff1ac156c9d40000L, 0x9e2a28);
        s.add(clc(true, ClcAcceptConfirm.v2(ClcType.CONFIRM, clientLink, eid,
                ClcAcceptConfirm.FirstContactExt.linux(true, release, "client", maxConns, maxLinks,
                        SmcConstants.FEATURE_MASK), List.of(clientGid))));

        // LLC over the new link (v2 framing): the server confirms the link, the client answers
        s.add(llc(false, ConfirmLink.of(LlcFraming.V2, false, SERVER.mac(), serverGid, new Qpn(0x11), 1, 0x100 + 1,
                maxLinks, maxConns)));
        s.add(llc(true, ConfirmLink.of(LlcFraming.V2, true, CLIENT.mac(), clientGid, new Qpn(0x12), 1, 0x200 + 1,
                maxLinks, maxConns)));

        // CDC: the client wrote 4096 bytes into the server's RMBE, the server consumed them and answered
        // with 4096 bytes; then shutdown(SHUT_WR) and close() on both sides
        s.add(cdc(true, 1, serverToken, cur(0, 4096), cur(0, 0), 0, 0));
        s.add(cdc(false, 1, clientToken, cur(0, 4096), cur(0, 4096), 0, 0));
        s.add(cdc(true, 2, serverToken, cur(0, 4096), cur(0, 4096), 0, ConnStateFlags.PEER_DONE_WRITING));
        s.add(cdc(false, 2, clientToken, cur(0, 4096), cur(0, 4096), 0,
                ConnStateFlags.PEER_DONE_WRITING | ConnStateFlags.PEER_CONN_CLOSED));
        s.add(cdc(true, 3, serverToken, cur(0, 4096), cur(0, 4096), 0,
                ConnStateFlags.PEER_DONE_WRITING | ConnStateFlags.PEER_CONN_CLOSED));
        return s;
    }

    private static CdcCursor cur(int wrap, long count) {
        return new CdcCursor(0, wrap, count);
    }

    private static Step clc(boolean fromClient, ClcMessage m) {
        return new Step(fromClient, m, ClcCodec.encode(m), ClcCodec::decode, x -> ClcCodec.encode((ClcMessage) x));
    }

    private static Step llc(boolean fromClient, LlcMessage m) {
        return new Step(fromClient, m, LlcCodec.toBytes(m), LlcCodec.DEFAULT::decode,
                x -> LlcCodec.toBytes((LlcMessage) x));
    }

    private static Step cdc(boolean fromClient, int seqno, int token, CdcCursor prod, CdcCursor cons, int prodFlags,
                            int connFlags) {
        CdcMessage m = new CdcMessage(seqno, new AlertToken(token), prod, cons, new ProducerFlags(prodFlags),
                new ConnStateFlags(connFlags), new byte[CdcMessage.RESERVED_LENGTH]);
        return new Step(fromClient, m, CdcCodec.encode(m),
                CdcCodec::decode, x -> CdcCodec.encode((CdcMessage) x));
    }

    /** Null when decode(encode(x)) == x and the re-encoding gives the same bytes, else what differs. */
    static String check(Step s) {
        Object back;
        try {
            back = s.decoder().apply(s.bytes().clone());
        } catch (RuntimeException e) {
            return "our own encoding is rejected: " + e.getMessage();
        }
        if (!Objects.equals(back, s.message())) {
            return "decode(encode(x)) != x: " + back;
        }
        byte[] again = s.encoder().apply(back);
        if (!Arrays.equals(again, s.bytes())) {
            return "encode(decode(bytes)) differs from bytes";
        }
        if (!s.message().toString().isEmpty() && ((Described) back).describe().toJson().isEmpty()) {
            return "no fields";
        }
        return null;
    }

    /** The values one layer announces are the ones the next layer uses. */
    static String crossLayerCheck(List<Step> steps) {
        ClcAcceptConfirm accept = (ClcAcceptConfirm) steps.get(1).message();
        ClcAcceptConfirm confirm = (ClcAcceptConfirm) steps.get(2).message();
        ConfirmLink req = (ConfirmLink) steps.get(3).message();
        ConfirmLink resp = (ConfirmLink) steps.get(4).message();
        if (req.senderQpNum().value() != accept.qpn() || resp.senderQpNum().value() != confirm.qpn()) {
            return "CONFIRM LINK QPNs differ from the CLC Accept/Confirm";
        }
        if (!req.senderGid().equals(accept.gid()) || !resp.senderGid().equals(confirm.gid())) {
            return "CONFIRM LINK GIDs differ from the CLC Accept/Confirm";
        }
        if (!confirm.gidList().gids().contains(confirm.gid())) {
            return "the Confirm's GID list lacks the client's GID";
        }
        for (Step s : steps.subList(5, steps.size())) {
            CdcMessage m = (CdcMessage) s.message();
            // a CDC carries the RECEIVER's alert token
            int expected = s.fromClient() ? accept.rmbeAlertToken() : confirm.rmbeAlertToken();
            if (m.token().value() != expected) {
                return "CDC seqno " + m.seqno() + " carries token " + m.token() + ", the receiver announced " + expected;
            }
            long peerRmbe = s.fromClient() ? accept.rmbeSizeBytes() : confirm.rmbeSizeBytes();
            if (m.prod().count() >= peerRmbe) {
                return "CDC producer cursor beyond the receiver's RMBE";
            }
        }
        return null;
    }

    /** The exchange as a capture: CLC in a TCP connection with the SMC option, LLC and CDC as RoCEv2 SENDs. */
    static void writePcap(List<Step> steps, Path file) throws java.io.IOException {
        PcapWriter w = new PcapWriter();
        PcapWriter.TcpConnection tcp = w.tcpConnect(CLIENT, 40000, SERVER, 12345, true);
        int psnC = 0x9e2a28;
        int psnS = 0x3c125b;
        for (Step s : steps) {
            if (s.message() instanceof ClcMessage) {
                if (s.fromClient()) {
                    tcp.clientSends(s.bytes());
                } else {
                    tcp.serverSends(s.bytes());
                }
            } else if (s.fromClient()) {
                w.roceSend(CLIENT, SERVER, 0x11, psnC++, s.bytes());
            } else {
                w.roceSend(SERVER, CLIENT, 0x12, psnS++, s.bytes());
            }
        }
        tcp.close();
        w.write(file);
    }

    /** The few fields that tell the story of each message. */
    static String keyFields(Object m) {
        return switch (m) {
            case ClcProposal p -> String.format("v%d, offers SMC-R v2 release %d, roce gid %s, eid %s",
                    p.header().version(), p.v2Extension().release(), p.v2Extension().roce(),
                    p.v2Extension().userEids().get(0).asciiText());
            case ClcAcceptConfirm a -> String.format("v%d%s, qpn 0x%x, rkey 0x%x, alert token %d, RMBE %d KiB, psn 0x%x%s",
                    a.header().version(), a.firstContact() ? " first contact" : "", a.qpn(), a.rmbRkey(),
                    a.rmbeAlertToken(), a.rmbeSizeBytes() / 1024, a.psn(),
                    a.gidList() != null ? ", gid list " + a.gidList().gids() : "");
            case ConfirmLink c -> String.format("%s, link %d, qpn 0x%x, gid %s, max_links %d, max_conns %d",
                    c.isResponse() ? "response" : "request", c.linkNum(), c.senderQpNum().value(), c.senderGid(),
                    c.maxLinks(), c.maxConns());
            case CdcMessage c -> {
                yield String.format("seqno %d, token %d, prod %d:%d, cons %d:%d%s", c.seqno(),
                        c.token().unsigned(), c.prod().wrap(), c.prod().count(), c.cons().wrap(), c.cons().count(),
                        c.connStateFlags().raw() == 0 ? "" : ", " + CdcMessage.flagNames(c.connStateFlags().raw(),
                                "peer_done_writing", "peer_conn_closed", "peer_conn_abort"));
            }
            default -> "";
        };
    }
}
