package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Data integrity in deterministic mode: for arbitrary seeds, write chunkings, read sizes,
 * directions and CLC/TCP delays, every byte arrives exactly once and in order (SHA-256 and bytes
 * equal). A failing try prints its seed; {@code DetSim.run(seed, ...)} with the same parameters
 * replays it exactly. Each try is a full engine pair (handshake, transfer, close), so the count is
 * explicit.
 */
class DeterministicDataIntegrityTest {

    @Property(tries = 30)
    void bytesArriveExactlyOnceInOrder(@ForAll long seed,
                                       @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 1, max = 50_000) Integer> chunks,
                                       @ForAll @IntRange(min = 1, max = 40_000) int readBuffer,
                                       @ForAll boolean serverSends,
                                       @ForAll @IntRange(min = 0, max = 40) int tcpDelayMicros) throws Exception {
        SmcConfig cfg = SmcConfig.builder().addUeid("SMCJ-TEST").rmem(16 * 1024).wmem(16 * 1024).build();
        int total = chunks.stream().mapToInt(Integer::intValue).sum();
        byte[] data = Exchange.random(total, seed);
        System.out.println("try: seed " + seed + " chunks " + chunks + " readBuffer " + readBuffer + " serverSends "
                + serverSends + " tcpDelay " + tcpDelayMicros + " us");
        DetSim.run(seed, false, cfg, cfg, Duration.ofMinutes(2), sim -> {
            // a slow CLC path lets the first CDCs overtake the Confirm (held as early CDCs)
            sim.net.setDelay(Duration.ofNanos(tcpDelayMicros * 1000L));
            try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                // first contact, then the connection under test reuses the link group: its client
                // returns right after the Confirm, so its first CDCs can overtake the Confirm
                SmcSocket[] first = DeterministicEngineTest.connect(sim, ss);
                DetSim.Task acc = sim.spawn("test-accept", ss::accept);
                SmcSocket c = sim.client.connect(sim.serverAddr);
                // the client writes at once, before the server has even processed the Confirm
                DetSim.Task w = serverSends ? null : write(sim, c, data, chunks);
                SmcSocket s = (SmcSocket) acc.join();
                SmcSocket[] x = {c, s};
                assertTrue(c.isSmc() && s.isSmc(), c.smcStatus().toString());
                if (serverSends) {
                    w = write(sim, s, data, chunks);
                }
                SmcSocket rx = serverSends ? c : s;
                InputStream in = rx.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream(total);
                byte[] buf = new byte[readBuffer];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                }
                w.join();
                assertEquals(total, got.size(), "bytes received");
                assertArrayEquals(sha256(data), sha256(got.toByteArray()), "SHA-256");
                assertArrayEquals(data, got.toByteArray());
                x[0].close();
                x[1].close();
                first[0].close();
                first[1].close();
            }
        });
    }

    static DetSim.Task write(DetSim sim, SmcSocket tx, byte[] data, List<Integer> chunks) {
        return sim.spawn("test-writer", () -> {
            OutputStream o = tx.getOutputStream();
            int off = 0;
            for (int n : chunks) {
                o.write(data, off, n);
                off += n;
            }
            tx.shutdownOutput();
            return null;
        });
    }

    static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
