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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * RDMA WRITE bandwidth of the fast-mode simulator against {@code MemorySegment.copy} of the same
 * size between the same native buffers, measured in the same run. One invocation posts
 * {@value #BATCH} signaled writes and polls their {@value #BATCH} completions (resp. does
 * {@value #BATCH} copies); times are per write. Sampled, so that scripts/bench.sh can compare
 * medians, which a loaded machine disturbs far less than means. The printed ratio is
 * memcpy time / sim time: the share of raw copy bandwidth the simulator delivers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OperationsPerInvocation(SimWriteBenchmark.BATCH)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SimWriteBenchmark {

    static final int BATCH = 128;

    @Param({"64", "256", "1024", "4096", "16384", "65536", "262144", "1048576"})
    public int size;

    private SimPair pair;
    private SendWorkRequest write;
    private MemorySegment src;
    private MemorySegment dst;
    private final WorkCompletion[] wcs = new WorkCompletion[BATCH];

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
        for (int i = 0; i < BATCH; i++) {
            pair.a.qp.postSend(write);
        }
        int got = 0;
        while (got < BATCH) {
            got += pair.a.cq.poll(wcs);
        }
        if (got != BATCH || !wcs[BATCH - 1].isSuccess()) {
            throw new IllegalStateException("unexpected completions: " + got + " " + wcs[BATCH - 1]);
        }
        return wcs[BATCH - 1];
    }

    @Benchmark
    public MemorySegment memcpy() {
        for (int i = 0; i < BATCH; i++) {
            MemorySegment.copy(src, 0, dst, 0, size);
        }
        return dst;
    }
}
