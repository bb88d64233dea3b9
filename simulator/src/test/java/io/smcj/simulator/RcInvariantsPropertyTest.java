package io.smcj.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.transport.rdma.QpState;
import io.smcj.transport.rdma.RecvWorkRequest;
import io.smcj.transport.rdma.SendWorkRequest;
import io.smcj.transport.rdma.VerbsContext;
import io.smcj.transport.rdma.WcStatus;
import io.smcj.transport.rdma.WorkCompletion;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * RC invariants under random operation mixes in deterministic mode: per-QP completion order is
 * post order, every request completes exactly once (or waits, parked, at the tail of an RTS
 * queue), after the first error only flushes follow, and a run is a pure function of its seed.
 */
class RcInvariantsPropertyTest {

    /** op: 0 write ok, 1 write bad rkey, 2 send, 3 write-imm, 4 recv on peer, 5 advance, 6 drop-next. */
    record Op(int kind, int pair, int arg) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Arbitraries.integers().between(0, 99).flatMap(k -> {
            int kind = k < 40 ? 0 : k < 42 ? 1 : k < 60 ? 2 : k < 70 ? 3 : k < 88 ? 4 : k < 96 ? 5 : 6;
            return Arbitraries.integers().between(0, 1).flatMap(p -> Arbitraries.integers().between(0, 4096)
                    .map(a -> new Op(kind, p, a)));
        });
        return op.list().ofMinSize(1).ofMaxSize(60);
    }

    record Result(List<String> trace, Map<String, List<WorkCompletion>> completions, Map<String, Integer> posted,
                  Map<String, QpState> states) {}

    static Result run(long seed, List<Op> ops) {
        List<String> trace = new ArrayList<>();
        Map<String, List<WorkCompletion>> comps = new HashMap<>();
        Map<String, Integer> posted = new HashMap<>();
        Map<String, QpState> states = new HashMap<>();
        try (SimFabric f = SimFabric.deterministic(seed); Arena arena = Arena.ofConfined()) {
            f.addDevice(SimDeviceConfig.of("p0", "eth0", new byte[] {2, 0, 0, 0, 0, 1}, SimTestBed.ip("10.2.0.1")));
            f.addDevice(SimDeviceConfig.of("p1", "eth0", new byte[] {2, 0, 0, 0, 0, 2}, SimTestBed.ip("10.2.0.2")));
            f.addTraceSink(e -> trace.add(e.line()));
            VerbsContext c0 = f.openDevice("p0");
            VerbsContext c1 = f.openDevice("p1");
            SimHarness.Side[][] pairs = new SimHarness.Side[2][];
            for (int i = 0; i < 2; i++) {
                SimHarness.Side a = SimHarness.side(c0, arena, 8192);
                SimHarness.Side b = SimHarness.side(c1, arena, 8192);
                SimHarness.connect(a, b, 10, 2, 7);
                pairs[i] = new SimHarness.Side[] {a, b};
            }
            long wr = 0;
            for (Op op : ops) {
                SimHarness.Side a = pairs[op.pair()][0];
                SimHarness.Side b = pairs[op.pair()][1];
                int len = op.arg() % 4097;
                String key = "send" + op.pair();
                switch (op.kind()) {
                    case 0 -> {
                        a.qp().postSend(SendWorkRequest.rdmaWrite(wr++, List.of(a.sge(0, len)), b.mr().address() + 8192 - len,
                                b.mr().rkey()));
                        posted.merge(key, 1, Integer::sum);
                    }
                    case 1 -> {
                        a.qp().postSend(SendWorkRequest.rdmaWrite(wr++, List.of(a.sge(0, 8)), b.mr().address(), 0x7f));
                        posted.merge(key, 1, Integer::sum);
                    }
                    case 2 -> {
                        a.qp().postSend(SendWorkRequest.send(wr++, List.of(a.sge(0, Math.min(len, 2048)))));
                        posted.merge(key, 1, Integer::sum);
                    }
                    case 3 -> {
                        a.qp().postSend(SendWorkRequest.rdmaWriteWithImm(wr++, List.of(a.sge(0, len)), b.mr().address(),
                                b.mr().rkey(), len));
                        posted.merge(key, 1, Integer::sum);
                    }
                    case 4 -> {
                        if (b.qp().state() != QpState.ERROR || len % 2 == 0) {
                            b.qp().postRecv(RecvWorkRequest.of(wr++, b.sge(0, 2048)));
                            posted.merge("recv" + op.pair(), 1, Integer::sum);
                        }
                    }
                    case 5 -> f.advance(Duration.ofNanos(len * 10L));
                    default -> f.dropNext(a.qp(), len % 4);
                }
            }
            f.runUntilIdle();
            WorkCompletion[] buf = new WorkCompletion[64];
            for (int i = 0; i < 2; i++) {
                for (int side = 0; side < 2; side++) {
                    SimHarness.Side s = pairs[i][side];
                    int n;
                    while ((n = s.cq().poll(buf)) > 0) {
                        for (int k = 0; k < n; k++) {
                            String key = (buf[k].opcode().isRecv() ? "recv" : "send") + i;
                            comps.computeIfAbsent(key, x -> new ArrayList<>()).add(buf[k]);
                        }
                    }
                }
                states.put("send" + i, pairs[i][0].qp().state());
                states.put("recv" + i, pairs[i][1].qp().state());
            }
        }
        return new Result(trace, comps, posted, states);
    }

    @Property(tries = 300)
    void rcInvariantsHold(@ForAll("ops") List<Op> ops, @ForAll @LongRange(min = 0, max = 1000) long seed) {
        Result r = run(seed, ops);
        for (String key : r.posted().keySet()) {
            List<WorkCompletion> cs = r.completions().getOrDefault(key, List.of());
            int posted = r.posted().get(key);
            assertTrue(cs.size() <= posted, key + ": more completions than requests");
            long last = -1;
            boolean failed = false;
            for (WorkCompletion wc : cs) {
                assertTrue(wc.wrId() > last, key + ": completion order is post order " + cs);
                last = wc.wrId();
                if (failed) {
                    assertEquals(WcStatus.WR_FLUSH_ERR, wc.status(), key + ": only flushes after the first error");
                }
                failed |= wc.status().isError();
            }
            if (r.states().get(key) == QpState.ERROR && key.startsWith("send")) {
                assertEquals(posted, cs.size(), key + ": a failed QP completes every request");
            }
        }
        assertEquals(r.trace(), run(seed, ops).trace(), "a run is a function of its seed and operations");
    }
}
