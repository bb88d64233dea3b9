package io.smcj.tools;

import io.smcj.cdc.CdcCodec;
import io.smcj.cdc.CdcMessage;
import io.smcj.protocol.AlertToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandshakeCommandTest {
    static String[] run(Command c, String... args) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = c.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(rc), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void printsOneLinePerMessageAndEndsWithOk() throws Exception {
        String[] r = run(new HandshakeCommand());
        assertEquals("0", r[0], r[1] + r[2]);
        List<String> lines = r[1].lines().toList();
        int n = HandshakeCommand.exchange().size();
        assertEquals(n + 1, lines.size(), r[1]);
        assertTrue(lines.get(0).contains("client -> server  CLC Proposal"), lines.get(0));
        assertTrue(lines.get(1).contains("CLC Accept") && lines.get(1).contains("first contact"), lines.get(1));
        assertTrue(lines.get(2).contains("CLC Confirm") && lines.get(2).contains("gid list"), lines.get(2));
        assertTrue(r[1].contains("peer_conn_closed"), r[1]);
        assertTrue(lines.get(n).startsWith("handshake: OK - " + n + " messages"), lines.get(n));
        assertTrue(!r[1].contains("MISMATCH"), r[1]);
    }

    @Test
    void verboseShowsEveryField() throws Exception {
        String[] r = run(new HandshakeCommand(), "--verbose");
        assertEquals("0", r[0]);
        assertTrue(r[1].contains("rmbe_alert_token: 7"), r[1]);
        assertTrue(r[1].contains("hostname"), r[1]);
        assertTrue(r[1].contains("peer_done_writing: true"), r[1]);
    }

    @Test
    void checksDetectADecoderThatLoses() {
        HandshakeCommand.Step good = HandshakeCommand.exchange().get(HandshakeCommand.exchange().size() - 1);
        assertNull(HandshakeCommand.check(good));
        // a decoder that drops the close flags must be caught
        HandshakeCommand.Step lossy = new HandshakeCommand.Step(good.fromClient(), good.message(), good.bytes(),
                b -> ((CdcMessage) good.message()).withConnStateFlags(io.smcj.cdc.ConnStateFlags.NONE), good.encoder());
        assertNotNull(HandshakeCommand.check(lossy));
        // an encoder that changes a byte must be caught
        HandshakeCommand.Step badEncoder = new HandshakeCommand.Step(good.fromClient(), good.message(), good.bytes(),
                good.decoder(), x -> {
                    byte[] b = good.bytes().clone();
                    b[43] ^= 1;
                    return b;
                });
        assertNotNull(HandshakeCommand.check(badEncoder));
    }

    @Test
    void crossLayerCheckCatchesAWrongAlertToken() {
        List<HandshakeCommand.Step> steps = new ArrayList<>(HandshakeCommand.exchange());
        assertNull(HandshakeCommand.crossLayerCheck(steps));
        int last = steps.size() - 1;
        HandshakeCommand.Step s = steps.get(last);
        CdcMessage wrong = (CdcMessage) s.message();
        wrong = new CdcMessage(wrong.seqno(), new AlertToken(wrong.token().value() + 1), wrong.prod(), wrong.cons(),
                wrong.prodFlags(), wrong.connStateFlags(), wrong.reserved());
        steps.set(last, new HandshakeCommand.Step(s.fromClient(), wrong, CdcCodec.encode(wrong),
                s.decoder(), s.encoder()));
        String why = HandshakeCommand.crossLayerCheck(steps);
        assertNotNull(why);
        assertTrue(why.contains("token"), why);
    }

    @Test
    void pcapOfTheExchangeDecodesCompletely(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("handshake.pcap");
        String[] r = run(new HandshakeCommand(), "--pcap", f.toString());
        assertEquals("0", r[0], r[1]);
        assertTrue(Files.size(f) > 0);
        String[] d = run(new DecodeCommand(), "--pcap", f.toString());
        assertEquals("0", d[0], d[1] + d[2]);
        assertTrue(d[1].contains(HandshakeCommand.exchange().size() + " SMC messages"), d[1]);
    }
}
