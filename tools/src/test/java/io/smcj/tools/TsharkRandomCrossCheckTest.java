package io.smcj.tools;

import io.smcj.protocol.ProtocolException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Differential test against Wireshark with random content: hundreds of messages whose fields
 * (including reserved bytes and unused flag bits) are random, behind a valid header, go into one
 * capture; every one our codecs accept must be decoded by tshark with every field equal to ours.
 * Seeded, so a failure names a reproducible message.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TsharkRandomCrossCheckTest {
    static final long SEED = 0x5EED_C0DEL;

    @BeforeAll
    static void needTshark() {
        assumeTrue(Tshark.available(), () -> Tshark.skip("tshark not installed: random differential test skipped"));
    }

    static byte[] random(Random r, int len) {
        byte[] b = new byte[len];
        r.nextBytes(b);
        return b;
    }

    /** Keeps the messages our decoder accepts (the rest are counted: they must be a minority). */
    static List<byte[]> accepted(List<byte[]> candidates, int[] rejected) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] b : candidates) {
            try {
                SmcMessages.decode(b);
                out.add(b);
            } catch (ProtocolException | SmcMessages.NotSmcException e) {
                rejected[0]++;
            }
        }
        return out;
    }

    @Test
    void randomCdcAndLlcV1MessagesDecodeLikeTshark(@TempDir Path dir) throws Exception {
        Random r = new Random(SEED);
        List<byte[]> cand = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] b = random(r, 44);
            b[0] = (byte) 0xFE;
            b[1] = 44;
            cand.add(b);
        }
        for (int type : new int[] {1, 2, 3, 4, 6, 7, 8, 9}) {
            for (int i = 0; i < 40; i++) {
                byte[] b = random(r, 44);
                b[0] = (byte) type;
                b[1] = 44;
                if (type == 9) {
                    // num_rkeys <= 8 (SMC_LLC_DEL_RKEY_MAX; Linux reads at most 8): with more, tshark shows a
                    // 9th rkey made of the 4 reserved bytes at offset 40 (tools/README.md)
                    b[4] = (byte) r.nextInt(9);
                }
                cand.add(b);
            }
        }
        int[] rejected = {0};
        List<byte[]> ok = accepted(cand, rejected);
        assertTrue(ok.size() > cand.size() / 2, "accepted " + ok.size() + " of " + cand.size());
        List<TsharkCrossCheckTest.Checked> c = TsharkCrossCheckTest.crossCheck(dir, List.of(), ok);
        TsharkCrossCheckTest.assertAllDecodedAndEqual(c);
        TsharkCrossCheckTest.assertNoLooseMatches(c);
    }

    @Test
    void randomClcAcceptConfirmV1AndDeclinesDecodeLikeTshark(@TempDir Path dir) throws Exception {
        Random r = new Random(SEED + 1);
        List<byte[]> cand = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] b = random(r, 68);
            ByteBuffer.wrap(b).putInt(0, 0xE2D4C3D9).put(4, (byte) (2 + (i & 1))).putShort(5, (short) 68)
                    .put(7, (byte) (0x10 | (b[7] & 0x08))).putInt(64, 0xE2D4C3D9);
            cand.add(b);
        }
        for (int i = 0; i < 100; i++) {
            boolean v2 = (i & 1) == 1;
            int len = v2 ? 44 : 28;
            byte[] b = random(r, len);
            ByteBuffer.wrap(b).putInt(0, 0xE2D4C3D9).put(4, (byte) 4).putShort(5, (short) len)
                    .put(7, (byte) ((v2 ? 0x20 : 0x10) | (b[7] & 0x0f))).putInt(len - 4, 0xE2D4C3D9);
            cand.add(b);
        }
        int[] rejected = {0};
        List<byte[]> ok = accepted(cand, rejected);
        assertTrue(ok.size() > cand.size() / 2, "accepted " + ok.size() + " of " + cand.size());
        List<TsharkCrossCheckTest.Checked> c = TsharkCrossCheckTest.crossCheck(dir, ok, List.of());
        TsharkCrossCheckTest.assertAllDecodedAndEqual(c);
        TsharkCrossCheckTest.assertNoLooseMatches(c);
    }

    static void printable(Random r, byte[] b, int off, int len) {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-. ";
        int n = 1 + r.nextInt(len);
        for (int i = 0; i < len; i++) {
            b[off + i] = (byte) (i < n ? chars.charAt(r.nextInt(chars.length() - 1)) : ' ');
        }
    }

    /** v2 Accept (160) and Confirm (180, one GID) with first contact: random values, text fields printable. */
    @Test
    void randomClcV2FirstContactMessagesDecodeLikeTshark(@TempDir Path dir) throws Exception {
        Random r = new Random(SEED + 2);
        List<byte[]> cand = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            boolean confirm = (i & 1) == 1;
            int len = confirm ? 180 : 160;
            byte[] b = random(r, len);
            ByteBuffer bb = ByteBuffer.wrap(b);
            bb.putInt(0, 0xE2D4C3D9).put(4, (byte) (confirm ? 3 : 2)).putShort(5, (short) len).put(7, (byte) 0x28);
            printable(r, b, 64, 32); // negotiated EID
            printable(r, b, 108, 32); // host name
            if (confirm) {
                b[156] = 1; // gid_cnt
            }
            bb.putInt(len - 4, 0xE2D4C3D9);
            cand.add(b);
        }
        int[] rejected = {0};
        List<byte[]> ok = accepted(cand, rejected);
        assertTrue(ok.size() > cand.size() / 2, "accepted " + ok.size() + " of " + cand.size());
        List<TsharkCrossCheckTest.Checked> c = TsharkCrossCheckTest.crossCheck(dir, ok, List.of());
        TsharkCrossCheckTest.assertAllDecodedAndEqual(c);
        TsharkCrossCheckTest.assertNoLooseMatches(c);
    }
}
