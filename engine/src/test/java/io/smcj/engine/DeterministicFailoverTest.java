package io.smcj.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Failover in deterministic mode at an arbitrary virtual moment: two devices per host, transfers
 * both ways on two connections, one port (any of the four) goes down at a time chosen by jqwik;
 * every byte arrives exactly once and in order. A failing try prints its seed and is replayed first
 * by jqwik on the next run.
 */
class DeterministicFailoverTest {

    private static final String[] DEVICES = {"srv0", "cli0", "srv1", "cli1"};

    @Property(tries = 12)
    void noByteLostOrDuplicatedWhicheverPortGoesDownWhenever(@ForAll long seed,
                                                             @ForAll @IntRange(min = 0, max = 3) int device,
                                                             @ForAll @IntRange(min = 0, max = 300) int downAtMicros,
                                                             @ForAll boolean v2) throws Exception {
        SmcConfig cfg = v2 ? SimPair.v2Config() : SmcConfig.builder().v2Enabled(false).build();
        String dev = DEVICES[device];
        System.out.println("try: seed " + seed + " " + dev + " down at +" + downAtMicros + " us, v" + (v2 ? 2 : 1));
        DetSim.run(seed, true, cfg, cfg, Duration.ofMinutes(2), sim -> {
            try (SmcServerSocket ss = sim.server.listen(sim.serverAddr)) {
                SmcSocket[] x = DeterministicEngineTest.connect(sim, ss);
                DeterministicEngineTest.await(sim, () -> sim.trace.stream().filter(l -> l.contains("new link up")).count() >= 2,
                        "both sides confirmed the second link", Duration.ofSeconds(10));
                SmcSocket[] y = DeterministicEngineTest.connect(sim, ss);
                byte[] up = Exchange.random(1_500_000, seed);
                byte[] down = Exchange.random(1_000_000, seed + 1);
                byte[] up2 = Exchange.random(700_000, seed + 2);
                DetSim.Task w1 = DeterministicEngineTest.writer(sim, x[0], up, 50_000);
                DetSim.Task w2 = DeterministicEngineTest.writer(sim, x[1], down, 70_000);
                DetSim.Task w3 = DeterministicEngineTest.writer(sim, y[0], up2, 30_000);
                DetSim.Task r1 = DeterministicEngineTest.reader(sim, x[1], 40_000);
                DetSim.Task r2 = DeterministicEngineTest.reader(sim, x[0], 64_000);
                DetSim.Task r3 = DeterministicEngineTest.reader(sim, y[1], 10_000);
                long t0 = sim.now();
                sim.fabric.at(Duration.ofNanos(downAtMicros * 1000L), () -> sim.fabric.linkDown(dev, 1));
                assertArrayEquals(up, (byte[]) r1.join());
                assertArrayEquals(down, (byte[]) r2.join());
                assertArrayEquals(up2, (byte[]) r3.join());
                w1.join();
                w2.join();
                w3.join();
                long transferEnd = sim.now();
                // (the port may go down after the transfers ended: then the idle link fails)
                DeterministicEngineTest.await(sim, () -> sim.client.stats().snapshot().linksDown()
                        + sim.server.stats().snapshot().linksDown() >= 1, "the link on " + dev + " failed", Duration.ofSeconds(5));
                System.out.println("   transfers ended at +" + (transferEnd - t0) / 1000 + " us");
                for (SmcSocket s : new SmcSocket[] {x[0], x[1], y[0], y[1]}) {
                    s.close();
                }
            }
        });
    }
}
