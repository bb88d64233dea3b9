package io.smcj.bench;

import io.smcj.simulator.SimFabric;
import io.smcj.transport.rdma.ScatterGatherEntry;
import io.smcj.transport.rdma.SendWorkRequest;
import io.smcj.transport.rdma.WorkCompletion;
import java.lang.foreign.MemorySegment;
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
 * RDMA WRITE bandwidth of the fast-mode simulator (post + poll of the completion, one request in
 * flight) against {@code MemorySegment.copy} of the same size between the same native buffers,
 * measured in the same run. scripts/bench.sh prints memcpy time / sim time per size: the share of
 * raw copy bandwidth the simulator delivers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SimWriteBenchmark {

    @Param({"64", "256", "1024", "4096", "16384", "65536", "262144", "1048576"})
    public int size;

    private SimPair pair;
    private SendWorkRequest write;
    private MemorySegment src;
    private MemorySegment dst;

    @Setup(Level.Trial)
    public void setUp() {
        pair = new SimPair(SimFabric.fast(), 1 << 20);
        write = SendWorkRequest.rdmaWrite(1, List.of(ScatterGatherEntry.of(pair.a.mr, 0, size)),
                pair.b.mr.address(), pair.b.mr.rkey());
        src = pair.a.buf;
        dst = pair.b.buf;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pair.close();
    }

    @Benchmark
    public WorkCompletion simWrite() {
        pair.a.qp.postSend(write);
        return pair.pollOne(pair.a.cq);
    }

    @Benchmark
    public MemorySegment memcpy() {
        MemorySegment.copy(src, 0, dst, 0, size);
        return dst;
    }
}
