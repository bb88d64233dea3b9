package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Link management as Linux 6.12 does it (smc_llc.c, smc_core.c, af_smc.c), checked on the LLC
 * sequence in the engine trace and by data integrity: the ADD LINK window after the first CONFIRM
 * LINK (and no window with max_links 1, as in fixtures/kernel-6.12-harness), asymmetric link
 * groups, REQ ADD LINK, and a link re-added after a port came back, followed by another failover.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LinkManagementTest {

    /** Asserts that lines containing each of {@code steps} occur in this order (others may come between). */
    static void assertSequence(List<String> trace, String... steps) {
        int at = 0;
        List<String> llc = new ArrayList<>(trace);
        for (String step : steps) {
            int found = -1;
            for (int i = at; i < llc.size(); i++) {
                if (llc.get(i).contains(step)) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                llc.forEach(System.err::println);
                fail("not found in order after line " + at + ": " + step);
            }
            at = found + 1;
        }
    }

    private static SimPair pair(SmcConfig cfg, boolean twoDevices, boolean serverOne, boolean clientOne) {
        synchronized (SimPair.class) {
            SimPair.serverOneDevice = serverOne;
            SimPair.clientOneDevice = clientOne;
            try {
                return new SimPair(cfg, cfg, true, true, null, twoDevices);
            } finally {
                SimPair.serverOneDevice = false;
                SimPair.clientOneDevice = false;
            }
        }
    }

    /** Connects; returns {client, server} and the trace size at the moment connect() returned. */
    private static SmcSocket[] connect(SimPair p, SmcServerSocket ss, int[] traceAtConnect) throws Exception {
        CompletableFuture<SmcSocket> a = CompletableFuture.supplyAsync(() -> {
            try {
                return ss.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, Exchange.POOL);
        SmcSocket c = p.client.connect(p.serverAddr);
        if (traceAtConnect != null) {
            traceAtConnect[0] = p.traceLines.size();
        }
        return new SmcSocket[] {c, a.get(20, TimeUnit.SECONDS)};
    }

    private static void roundTrip(SmcSocket[] x, int n, long seed) throws Exception {
        byte[] up = Exchange.random(n, seed);
        byte[] down = Exchange.random(n / 2 + 1, seed + 1);
        CompletableFuture<byte[]> r1 = SecondLinkTest.read(x[1], up.length);
        CompletableFuture<byte[]> r2 = SecondLinkTest.read(x[0], down.length);
        CompletableFuture<Void> w1 = SecondLinkTest.write(x[0], up);
        CompletableFuture<Void> w2 = SecondLinkTest.write(x[1], down);
        assertArrayEquals(up, r1.get(30, TimeUnit.SECONDS));
        assertArrayEquals(down, r2.get(30, TimeUnit.SECONDS));
        w1.get(5, TimeUnit.SECONDS);
        w2.get(5, TimeUnit.SECONDS);
    }

    private static int indexOf(List<String> trace, String s) {
        for (int i = 0; i < trace.size(); i++) {
            if (trace.get(i).contains(s)) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ item 1: the ADD LINK window

    /**
     * One device on each side, max_links 2 (fixtures/kernel-6.12/smcr612-a-first-4k.pcap): right
     * after the CONFIRM LINK response the server offers a link on its only device (same GID:
     * ASYMMETRIC_LOCAL attempt, link_num 2); the client, offered the port it already uses and
     * having no other device, rejects it (RESP|ADD_LNK_REJ). connect() and accept() return only
     * after that, and data flows on the one link.
     */
    @Test
    void oneDeviceEachSideV2AddLinkIsOfferedAndRejectedBeforeConnectReturns() throws Exception {
        try (SimPair p = pair(SimPair.v2Config(), false, false, false);
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            int[] atConnect = new int[1];
            SmcSocket[] x = connect(p, ss, atConnect);
            assertSequence(p.traceLines,
                    "server -> LLC CONFIRM LINK request link_num=1",
                    "client -> LLC CONFIRM LINK response link_num=1",
                    "server -> LLC ADD LINK request qpn=",
                    "client -> LLC ADD LINK response rejected");
            int add = indexOf(p.traceLines, "server -> LLC ADD LINK request");
            assertTrue(p.traceLines.get(add).contains("link_num=2 gid=::ffff:10.0.0.1"), p.traceLines.get(add));
            int rej = indexOf(p.traceLines, "client -> LLC ADD LINK response rejected");
            assertTrue(rej < atConnect[0], "connect() returned only after the ADD LINK was rejected");
            roundTrip(x, 300_000, 11);
            assertTrue(p.client.linkGroups().getFirst().contains("links 1 type SINGLE"), p.client.linkGroups().toString());
            assertTrue(p.server.linkGroups().getFirst().contains("links 1 type SINGLE"), p.server.linkGroups().toString());
            x[0].close();
            x[1].close();
        }
    }

    /** The same with SMC-R v1: the reject carries NO_ALT_PATH in v1 and is answered before connect returns. */
    @Test
    void oneDeviceEachSideV1AddLinkIsRejected() throws Exception {
        SmcConfig cfg = SmcConfig.builder().v2Enabled(false).build();
        try (SimPair p = pair(cfg, false, false, false); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            int[] atConnect = new int[1];
            SmcSocket[] x = connect(p, ss, atConnect);
            assertSequence(p.traceLines, "client -> LLC CONFIRM LINK response", "server -> LLC ADD LINK request",
                    "client -> LLC ADD LINK response rejected");
            int rej = indexOf(p.traceLines, "client -> LLC ADD LINK response rejected");
            assertTrue(rej < atConnect[0], "connect() returned only after the ADD LINK was rejected");
            assertTrue(p.traceLines.get(rej).endsWith("rej_rsn=1"), p.traceLines.get(rej)); // SMC_LLC_REJ_RSN_NO_ALT_PATH
            roundTrip(x, 200_000, 12);
            x[0].close();
            x[1].close();
        }
    }

    /**
     * max_links 1 negotiated (fixtures/kernel-6.12-harness, {@code smcr_max_links_per_lgr=1}):
     * neither the server's ADD LINK nor the client's wait; not a single ADD LINK on the wire, also
     * when only the server is limited (the v2.1 negotiation takes the smaller value).
     */
    @Test
    void maxLinksOneMeansNoAddLinkAtAll() throws Exception {
        SmcConfig one = SmcConfig.builder().addUeid("SMCJ-TEST").maxLinksPerLgr(1).build();
        SimPair p;
        synchronized (SimPair.class) {
            p = new SimPair(one, SimPair.v2Config(), true, true, null, true);
        }
        try (p; SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss, null);
            roundTrip(x, 200_000, 13);
            assertSequence(p.traceLines, "server -> LLC CONFIRM LINK request link_num=1 ", "max_links=1",
                    "client -> LLC CONFIRM LINK response link_num=1");
            assertTrue(p.traceLines.stream().noneMatch(l -> l.contains("ADD LINK")), "no ADD LINK");
            assertTrue(p.server.linkGroups().getFirst().contains("links 1 type SINGLE"), p.server.linkGroups().toString());
            x[0].close();
            x[1].close();
        }
    }

    /**
     * SMC-R v1 has no max_links negotiation: the link group's max_links is SMC_LINKS_ADD_LNK_MAX (2)
     * whatever {@code smcr_max_links_per_lgr} says, so the ADD LINK still comes.
     */
    @Test
    void v1IgnoresMaxLinksPerLgr() throws Exception {
        SmcConfig cfg = SmcConfig.builder().v2Enabled(false).maxLinksPerLgr(1).build();
        try (SimPair p = pair(cfg, true, false, false); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss, null);
            SecondLinkTest.awaitTwoLinks(p);
            assertSequence(p.traceLines, "server -> LLC ADD LINK request", "client -> LLC ADD LINK response",
                    "server -> LLC ADD LINK CONT", "client -> LLC ADD LINK CONT",
                    "server -> LLC CONFIRM LINK request link_num=2", "client -> LLC CONFIRM LINK response link_num=2");
            roundTrip(x, 200_000, 14);
            x[0].close();
            x[1].close();
        }
    }

    /** "server CONFIRM LINK request", "client ADD LINK response rejected", ... for each LLC message sent. */
    private static final java.util.regex.Pattern SENT_LLC =
            java.util.regex.Pattern.compile("^(server|client) +-> (LLC .*? (request|response)( rejected)?)");

    private static List<String> sentLlc(List<String> trace) {
        List<String> out = new ArrayList<>();
        for (String l : trace) {
            java.util.regex.Matcher m = SENT_LLC.matcher(l);
            if (m.find()) {
                out.add(m.group(1) + " " + m.group(2));
            }
        }
        return out;
    }

    /** The kernel's LLC messages before the first CDC of a capture, named as {@link #sentLlc} names them. */
    private static List<String> kernelLlcBeforeData(String fixture) throws IOException {
        java.nio.file.Path root = java.nio.file.Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures");
        java.nio.file.Path f = root.resolve(fixture);
        assertTrue(java.nio.file.Files.exists(f), "fixture missing: " + f);
        List<String> out = new ArrayList<>();
        for (io.smcj.protocol.pcap.SmcCapture.Message m : io.smcj.protocol.pcap.SmcCapture.messages(f)) {
            if (m.carrier() != io.smcj.protocol.pcap.SmcCapture.Carrier.ROCE_SEND) {
                continue;
            }
            if (m.firstByte() == 0xFE) {
                break; // the first CDC: the handshake is over
            }
            io.smcj.llc.LlcMessage llc = io.smcj.llc.LlcCodec.DEFAULT.decode(m.bytes());
            String who = m.src().getHostAddress().equals("10.99.0.1") ? "server" : "client";
            out.add(who + " " + llc.messageName() + (llc.isResponse() ? " response" : " request")
                    + (llc instanceof io.smcj.llc.AddLink a && a.rejected() ? " rejected" : ""));
        }
        return out;
    }

    /**
     * Byte for byte: the ADD LINK smcj's server builds ({@link LinkGroup#addLinkMessage}) from the
     * values of the kernel's ADD LINK in fixtures/kernel-6.12 (v2_direct, the new link's own GID as
     * client_target_gid, one rkey pair), and the client's reject of it ({@code AddLink.reject}).
     */
    @Test
    void addLinkAndItsRejectAreTheKernelsBytes() throws Exception {
        java.nio.file.Path f = java.nio.file.Path.of(System.getProperty("smcj.root.dir", ".."))
                .resolve("fixtures/kernel-6.12/smcr612-a-first-4k.pcap");
        List<byte[]> adds = new ArrayList<>();
        for (io.smcj.protocol.pcap.SmcCapture.Message m : io.smcj.protocol.pcap.SmcCapture.messages(f)) {
            if (m.carrier() == io.smcj.protocol.pcap.SmcCapture.Carrier.ROCE_SEND && m.firstByte() == 0x22) {
                adds.add(m.bytes());
            }
        }
        assertEquals(2, adds.size(), "ADD LINK request and its reject");
        io.smcj.llc.AddLink k = (io.smcj.llc.AddLink) io.smcj.llc.LlcCodec.DEFAULT.decode(adds.get(0));
        io.smcj.llc.AddLink ours = LinkGroup.addLinkMessage(io.smcj.llc.LlcFraming.V2, false, k.senderMac(),
                k.senderGid(), k.senderQpNum().value(), k.linkNum(), k.qpMtu(), k.initialPsn().value(),
                k.v2Ext().rkeys());
        assertArrayEquals(adds.get(0), io.smcj.llc.LlcCodec.toBytes(ours));
        assertArrayEquals(adds.get(1), io.smcj.llc.LlcCodec.toBytes(ours.reject()));
    }

    /**
     * The LLC messages smcj sends on a first contact between two single-device hosts, up to the
     * return of connect(), are the ones Linux 6.12 sends before its first CDC: with max_links 2
     * (fixtures/kernel-6.12) CONFIRM LINK, then ADD LINK and its reject; with max_links 1
     * (fixtures/kernel-6.12-harness) CONFIRM LINK only.
     */
    @Test
    void firstContactLlcSequenceIsTheKernels() throws Exception {
        record Case(String fixture, SmcConfig cfg) { }
        for (Case c : List.of(new Case("kernel-6.12/smcr612-a-first-4k.pcap", SimPair.v2Config()),
                new Case("kernel-6.12-harness/smcr612-harness-first-4k.pcap",
                        SmcConfig.builder().addUeid("SMCJ-TEST").maxLinksPerLgr(1).build()))) {
            List<String> kernel = kernelLlcBeforeData(c.fixture());
            try (SimPair p = pair(c.cfg(), false, false, false); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
                int[] atConnect = new int[1];
                SmcSocket[] x = connect(p, ss, atConnect);
                List<String> ours = sentLlc(List.copyOf(p.traceLines).subList(0, atConnect[0]));
                assertEquals(kernel, ours, c.fixture());
                roundTrip(x, 4096, 61);
                x[0].close();
                x[1].close();
            }
        }
    }

    /**
     * SMC-Rv2 takes an alternate device only with an IPv4 RoCE v2 GID in the subnet of the
     * handshake's address ({@code smc_ib_determine_gid_rcu}); v1 has no such rule. Second devices in
     * another subnet: v2 behaves as with one device (asymmetric offer, rejected), v1 builds a
     * symmetric second link.
     */
    @Test
    void v2AlternateDevicesMustBeInTheHandshakeSubnet() throws Exception {
        for (boolean v2 : new boolean[] {true, false}) {
            SmcConfig cfg = v2 ? SimPair.v2Config() : SmcConfig.builder().v2Enabled(false).build();
            SimPair p;
            synchronized (SimPair.class) {
                SimPair.secondDevicesElsewhere = true;
                try {
                    p = new SimPair(cfg, cfg, true, true, null, true);
                } finally {
                    SimPair.secondDevicesElsewhere = false;
                }
            }
            try (p; SmcServerSocket ss = p.server.listen(p.serverAddr)) {
                int[] atConnect = new int[1];
                SmcSocket[] x = connect(p, ss, atConnect);
                if (v2) {
                    int add = indexOf(p.traceLines, "server -> LLC ADD LINK request");
                    assertTrue(p.traceLines.get(add).contains("gid=::ffff:10.0.0.1"), p.traceLines.get(add));
                    assertTrue(indexOf(p.traceLines, "client -> LLC ADD LINK response rejected") < atConnect[0]);
                    assertTrue(p.server.linkGroups().getFirst().contains("links 1 type SINGLE"),
                            p.server.linkGroups().toString());
                } else {
                    SecondLinkTest.awaitTwoLinks(p);
                    awaitTypes(p, "links 2 type SYMMETRIC", "links 2 type SYMMETRIC");
                    assertTrue(p.traceLines.stream().anyMatch(l -> l.contains("server -> LLC ADD LINK request")
                            && l.contains("gid=::ffff:10.1.0.1")), "v1: the other subnet's device");
                }
                roundTrip(x, 100_000, 71);
                x[0].close();
                x[1].close();
            }
        }
    }

    // ------------------------------------------------------------------ item 2: asymmetric link groups

    /**
     * Server with one device, client with two: the server offers its only device again
     * (ASYMMETRIC_LOCAL), the client builds the link on its other device (ASYMMETRIC_PEER); losing
     * the client's first port moves the connection to the asymmetric link without losing a byte.
     */
    @Test
    void serverWithOneDeviceBuildsAnAsymmetricLinkThatCarriesAFailover() throws Exception {
        try (SimPair p = pair(SimPair.v2Config(), true, true, false);
             SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss, null);
            SecondLinkTest.awaitTwoLinks(p);
            int add = indexOf(p.traceLines, "server -> LLC ADD LINK request");
            assertTrue(p.traceLines.get(add).contains("link_num=2 gid=::ffff:10.0.0.1"), p.traceLines.get(add));
            assertSequence(p.traceLines, "server -> LLC ADD LINK request", "client -> LLC ADD LINK response",
                    "gid=::ffff:10.0.0.12", "server -> LLC CONFIRM LINK request link_num=2",
                    "client -> LLC CONFIRM LINK response link_num=2");
            assertTrue(p.server.linkGroups().getFirst().contains("links 2 type ASYMMETRIC_LOCAL"),
                    p.server.linkGroups().toString());
            assertTrue(p.client.linkGroups().getFirst().contains("links 2 type ASYMMETRIC_PEER"),
                    p.client.linkGroups().toString());
            transferWithPortDown(p, x, "cli0", 21);
            x[0].close();
            x[1].close();
        }
    }

    /** Writes both ways and takes {@code device}'s port down once a third of the upload arrived. */
    private static void transferWithPortDown(SimPair p, SmcSocket[] x, String device, long seed) throws Exception {
        byte[] up = Exchange.random(4_000_000, seed);
        byte[] down = Exchange.random(3_000_000, seed + 1);
        CountDownLatch third = new CountDownLatch(1);
        CompletableFuture<byte[]> r1 = SecondLinkTest.read(x[1], up.length, third);
        CompletableFuture<byte[]> r2 = SecondLinkTest.read(x[0], down.length);
        CompletableFuture<Void> w1 = SecondLinkTest.write(x[0], up);
        CompletableFuture<Void> w2 = SecondLinkTest.write(x[1], down);
        assertTrue(third.await(30, TimeUnit.SECONDS));
        p.fabric.linkDown(device, 1);
        try {
            assertArrayEquals(up, r1.get(30, TimeUnit.SECONDS));
            assertArrayEquals(down, r2.get(30, TimeUnit.SECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            p.traceLines.forEach(System.err::println);
            throw e;
        }
        w1.get(5, TimeUnit.SECONDS);
        w2.get(5, TimeUnit.SECONDS);
    }

    /** A snapshot of the trace from line {@code mark} on. */
    private static List<String> since(SimPair p, int mark) {
        List<String> all = List.copyOf(p.traceLines);
        return all.subList(mark, all.size());
    }

    private static long count(SimPair p, String s) {
        return p.traceLines.stream().filter(l -> l.contains(s)).count();
    }

    private static void awaitTypes(SimPair p, String server, String client) throws InterruptedException {
        CloseAndAbortTest.await(() -> p.server.linkGroups().stream().anyMatch(l -> l.contains(server))
                && p.client.linkGroups().stream().anyMatch(l -> l.contains(client)),
                "server " + server + ", client " + client + ": " + p.server.linkGroups() + " " + p.client.linkGroups());
    }

    // ------------------------------------------------------------------ items 3 and 4: re-adding links

    /**
     * v2, the server's port: srv0 goes down during a transfer (failover, no byte lost); the
     * server sets up an asymmetric link on srv1 at once ({@code smc_llc_process_srv_delete_link}
     * -> {@code smc_llc_add_link_local}); srv0 comes back ({@code smcr_port_add}): a symmetric link
     * on srv0, then the asymmetric link is deleted (DELETE LINK, NO_ASYM_NEEDED); two links again,
     * and losing srv1 afterwards still loses no byte.
     */
    @Test
    void v2ServerPortDownAndUpRestoresTwoSymmetricLinks() throws Exception {
        portDownUp(SimPair.v2Config(), "srv0", "srv1", false);
    }

    /**
     * v2, the client's port: cli0 goes down; the server builds srv0-cli1 (client ASYMMETRIC_LOCAL);
     * cli0 comes back: the client sends REQ ADD LINK with its two GIDs, the server answers with
     * ADD LINK, the group becomes SYMMETRIC and the asymmetric link is deleted; then cli1 fails.
     */
    @Test
    void v2ClientPortDownAndUpSendsReqAddLink() throws Exception {
        portDownUp(SimPair.v2Config(), "cli0", "cli1", true);
    }

    /** v1, the client's port: the client invites the server with an ADD LINK request (no REQ ADD LINK in v1). */
    @Test
    void v1ClientPortDownAndUpInvitesWithAddLink() throws Exception {
        portDownUp(SmcConfig.builder().v2Enabled(false).build(), "cli0", "cli1", true);
    }

    /** v1, the server's port. */
    @Test
    void v1ServerPortDownAndUpRestoresTwoSymmetricLinks() throws Exception {
        portDownUp(SmcConfig.builder().v2Enabled(false).build(), "srv0", "srv1", false);
    }

    /**
     * Ports of both hosts go down and come back one after another (srv0, cli1, srv1, cli0), each
     * during a transfer: after every round the group is back to two symmetric links, and no byte
     * is lost.
     */
    @Test
    void everyPortFlapsInTurnDuringTransfers() throws Exception {
        for (SmcConfig cfg : List.of(SimPair.v2Config(), SmcConfig.builder().v2Enabled(false).build())) {
            try (SimPair p = pair(cfg, true, false, false); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
                SmcSocket[] x = connect(p, ss, null);
                SecondLinkTest.awaitTwoLinks(p);
                long seed = 100;
                for (String dev : List.of("srv0", "cli1", "srv1", "cli0")) {
                    awaitTypes(p, "links 2 type SYMMETRIC", "links 2 type SYMMETRIC");
                    transferWithPortDown(p, x, dev, seed += 2);
                    CloseAndAbortTest.await(() -> p.server.linkGroups().stream().anyMatch(l -> l.contains("links 2 type ASYM"))
                            && p.client.linkGroups().stream().anyMatch(l -> l.contains("links 2 type ASYM")),
                            "asymmetric link after " + dev + " went down: " + p.server.linkGroups() + p.client.linkGroups());
                    p.fabric.linkUp(dev, 1);
                }
                awaitTypes(p, "links 2 type SYMMETRIC", "links 2 type SYMMETRIC");
                roundTrip(x, 200_000, 199);
                x[0].close();
                x[1].close();
            }
        }
    }

    private void portDownUp(SmcConfig cfg, String first, String second, boolean clientPort) throws Exception {
        boolean v2 = cfg.v2Enabled();
        try (SimPair p = pair(cfg, true, false, false); SmcServerSocket ss = p.server.listen(p.serverAddr)) {
            SmcSocket[] x = connect(p, ss, null);
            SecondLinkTest.awaitTwoLinks(p);
            awaitTypes(p, "links 2 type SYMMETRIC", "links 2 type SYMMETRIC");
            transferWithPortDown(p, x, first, 31);
            // after the failover the server adds an asymmetric link at once
            String serverAsym = clientPort ? "ASYMMETRIC_PEER" : "ASYMMETRIC_LOCAL";
            String clientAsym = clientPort ? "ASYMMETRIC_LOCAL" : "ASYMMETRIC_PEER";
            awaitTypes(p, "links 2 type " + serverAsym, "links 2 type " + clientAsym);
            int mark = p.traceLines.size();
            p.fabric.linkUp(first, 1);
            CloseAndAbortTest.await(() -> since(p, mark).stream()
                    .anyMatch(l -> l.contains("server link group 1: asymmetric link_num")), "asymmetric link deleted");
            awaitTypes(p, "links 2 type SYMMETRIC", "links 2 type SYMMETRIC");
            List<String> after = since(p, mark);
            List<String> steps = new ArrayList<>();
            if (clientPort) {
                steps.add(v2 ? "client -> LLC REQ ADD LINK request gids=[::ffff:10.0.0.12, ::ffff:10.0.0.2]"
                        : "client -> LLC ADD LINK request qpn=0x0 link_num=0 gid=::ffff:10.0.0.2");
            }
            steps.add("server -> LLC ADD LINK request");
            steps.add("client -> LLC ADD LINK response");
            if (!v2) {
                steps.add("server -> LLC ADD LINK CONT");
                steps.add("client -> LLC ADD LINK CONT");
            }
            steps.add("server -> LLC CONFIRM LINK request");
            steps.add("client -> LLC CONFIRM LINK response");
            steps.add("server link group 1 type SYMMETRIC");
            steps.add("server -> LLC DELETE LINK request");
            steps.add("client -> LLC DELETE LINK response");
            steps.add("server link group 1: asymmetric link_num");
            assertSequence(List.copyOf(after), steps.toArray(String[]::new));
            assertTrue(after.stream().noneMatch(l -> l.contains("ADD LINK response rejected")), "no reject");
            // smc_llc_delete_asym_link: NO_ASYM_NEEDED; smc_llc_process_cli_delete_link answers with reason 0
            assertTrue(after.stream().anyMatch(l -> l.startsWith("server -> LLC DELETE LINK request")
                    && l.endsWith("reason=0x50000")), after.toString());
            assertTrue(after.stream().anyMatch(l -> l.startsWith("client -> LLC DELETE LINK response")
                    && l.endsWith("reason=0x0")), after.toString());
            // the new symmetric link uses the port that came back
            int add = indexOf(List.copyOf(after), "server -> LLC ADD LINK request");
            String newPeer = clientPort ? "client -> LLC ADD LINK response" : "server -> LLC ADD LINK request";
            String gid = clientPort ? "gid=::ffff:10.0.0.2" : "gid=::ffff:10.0.0.1";
            assertTrue(after.stream().anyMatch(l -> l.contains(newPeer) && l.contains(gid)), after.toString());
            assertTrue(add >= 0);
            awaitTypes(p, "links 2 type SYMMETRIC", "links 2 type SYMMETRIC");
            // a following failover still loses no byte
            long moves = count(p, "connections move");
            transferWithPortDown(p, x, second, 41);
            CloseAndAbortTest.await(() -> count(p, "connections move") > moves, "the second failover");
            roundTrip(x, 100_000, 51);
            assertEquals(2, x.length);
            x[0].close();
            x[1].close();
        }
    }
}
