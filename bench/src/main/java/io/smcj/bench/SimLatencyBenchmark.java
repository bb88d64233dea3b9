package io.smcj.bench;

import io.smcj.simulator.SimFabric;
import io.smcj.transport.rdma.RecvWorkRequest;
import io.smcj.transport.rdma.ScatterGatherEntry;
import io.smcj.transport.rdma.SendWorkRequest;
import io.smcj.transport.rdma.WorkCompletion;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Post-to-completion latency of the simulator (real time spent by the simulator, not the modelled
 * wire latency): 8-byte RDMA WRITE, 8-byte WRITE WITH IMMEDIATE up to the responder's receive
 * completion (with the receive re-posted, as an engine does), and a 64-byte inline SEND, in fast
 * mode and in deterministic mode (post + running the scheduler until the completion).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SimLatencyBenchmark {

    @Param({"fast", "deterministic"})
    public String mode;

    private SimPair pair;
    private SendWorkRequest write;
    private SendWorkRequest writeImm;
    private SendWorkRequest sendInline;
    private RecvWorkRequest recv;

    @Setup(Level.Trial)
    public void setUp() {
        pair = new SimPair(mode.equals("fast") ? SimFabric.fast() : SimFabric.deterministic(1), 1 << 16);
        write = SendWorkRequest.rdmaWrite(1, List.of(ScatterGatherEntry.of(pair.a.mr, 0, 8)), pair.b.mr.address(),
                pair.b.mr.rkey());
        writeImm = SendWorkRequest.rdmaWriteWithImm(2, List.of(ScatterGatherEntry.of(pair.a.mr, 0, 8)),
                pair.b.mr.address(), pair.b.mr.rkey(), 42);
        sendInline = SendWorkRequest.sendInline(3, List.of(ScatterGatherEntry.of(pair.a.mr, 0, 64)));
        recv = RecvWorkRequest.of(9, ScatterGatherEntry.of(pair.b.mr, 4096, 1024));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pair.close();
    }

    @Benchmark
    public WorkCompletion write8() {
        pair.a.qp.postSend(write);
        return pair.pollOne(pair.a.cq);
    }

    @Benchmark
    public WorkCompletion writeImm8ToPeerRecv() {
        pair.b.qp.postRecv(recv);
        pair.a.qp.postSend(writeImm);
        WorkCompletion r = pair.pollOne(pair.b.cq);
        pair.pollOne(pair.a.cq);
        return r;
    }

    @Benchmark
    public WorkCompletion sendInline64ToPeerRecv() {
        pair.b.qp.postRecv(recv);
        pair.a.qp.postSend(sendInline);
        WorkCompletion r = pair.pollOne(pair.b.cq);
        pair.pollOne(pair.a.cq);
        return r;
    }
}
