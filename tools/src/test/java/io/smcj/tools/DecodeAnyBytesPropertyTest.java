package io.smcj.tools;

import io.smcj.protocol.MiniJson;

import io.smcj.protocol.Described;
import io.smcj.protocol.ProtocolException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whatever bytes a user pastes, {@code ./smcj decode} answers with a decoded message or a rejection
 * (never another exception), and {@code --json} always prints one valid JSON object.
 */
class DecodeAnyBytesPropertyTest {
    /** Random bytes behind a plausible start: CLC eyecatcher + type + length, an LLC type byte, or CDC. */
    @Provide
    Arbitrary<byte[]> smcLike() {
        Arbitrary<byte[]> body = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Arbitraries.oneOf(
                body.map(b -> clc(b)),
                body.map(b -> withFirst(b, 0xFE, 44)),
                Arbitraries.integers().between(0, 0x29).flatMap(t -> body.map(b -> withFirst(b, t, 44))),
                body);
    }

    static byte[] withFirst(byte[] b, int first, int second) {
        byte[] r = new byte[Math.max(2, b.length)];
        System.arraycopy(b, 0, r, 0, b.length);
        r[0] = (byte) first;
        if (r.length > 44 || b.length % 3 == 0) {
            r[1] = (byte) second;
        }
        return r;
    }

    static byte[] clc(byte[] b) {
        byte[] r = new byte[Math.max(8, b.length)];
        System.arraycopy(b, 0, r, 0, b.length);
        r[0] = (byte) 0xE2;
        r[1] = (byte) 0xD4;
        r[2] = (byte) 0xC3;
        r[3] = (byte) 0xD9;
        r[4] = (byte) (1 + Math.floorMod(b.length, 4));
        r[5] = (byte) (r.length >> 8);
        r[6] = (byte) r.length;
        return r;
    }

    @Property
    void decodeGivesAMessageOrARejection(@ForAll("smcLike") byte[] b) {
        try {
            Described d = SmcMessages.decode(b);
            assertNotNull(d.messageName());
            MiniJson.parse(d.describe().toJson());
            assertNotNull(d.describe().toText());
        } catch (ProtocolException | SmcMessages.NotSmcException e) {
            assertNotNull(e.getMessage());
        }
    }

    @Property(tries = 300)
    void jsonOutputIsAlwaysOneValidObject(@ForAll("smcLike") byte[] b) throws Exception {
        net.jqwik.api.Assume.that(b.length > 0); // no bytes at all is a usage error (exit 2), tested elsewhere
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int rc = new DecodeCommand().run(new String[] {"--json", io.smcj.protocol.Hex.of(b)},
                new ByteArrayInputStream(new byte[0]), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertTrue(rc == 0 || rc == 1, "rc " + rc);
        String out = o.toString(StandardCharsets.UTF_8);
        assertTrue(out.strip().lines().count() == 1, out);
        MiniJson.parse(out);
    }
}
