package io.smcj.bench;

import io.smcj.engine.SmcSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Socket;
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
 * Bulk throughput of one connection: the application writes {@code writeSize} bytes per
 * operation while a peer thread reads and discards everything (ops/s x writeSize = bytes/s).
 * <ul>
 *   <li>{@code smc}: an SMC-R connection over the fast-mode simulator, RMB and send buffer of
 *       {@code rmb} bytes ({@code net.smc.rmem} / {@code wmem});</li>
 *   <li>{@code tcp}: {@link java.net.Socket} over loopback TCP (default options);</li>
 *   <li>{@code memcpy}: one single-thread {@code MemorySegment.copy} of {@code writeSize} bytes
 *       between two native buffers -- the copy budget. SMC-R copies each byte three times (app ->
 *       send buffer -> peer RMB -> app), spread over the writer, the simulated RDMA WRITE and
 *       the reader.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class BulkBenchmark {

    @State(Scope.Thread)
    public static class CopyState {
        @Param({"1024", "65536", "1048576"})
        public int writeSize;
        Arena arena;
        MemorySegment src;
        MemorySegment dst;

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofConfined();
            src = arena.allocate(writeSize, 64).fill((byte) 1);
            dst = arena.allocate(writeSize, 64);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    @State(Scope.Thread)
    public static class TcpState {
        @Param({"1024", "65536", "1048576"})
        public int writeSize;
        LoopbackTcp tcp;
        Socket[] pair;
        OutputStream out;
        byte[] buf;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            tcp = new LoopbackTcp();
            pair = tcp.connect(false);
            Pumps.drain("bench-tcp-drain", pair[1].getInputStream());
            out = pair[0].getOutputStream();
            buf = new byte[writeSize];
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            pair[0].close();
            pair[1].close();
            tcp.close();
        }
    }

    @State(Scope.Thread)
    public static class SmcState {
        @Param({"1024", "65536", "1048576"})
        public int writeSize;
        @Param({"65536", "1048576"})
        public int rmb;
        SmcPair smc;
        SmcSocket[] pair;
        OutputStream out;
        byte[] buf;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            smc = new SmcPair(SmcPair.config(rmb));
            pair = smc.connect();
            Pumps.drain("bench-smc-drain", pair[1].getInputStream());
            out = pair[0].getOutputStream();
            buf = new byte[writeSize];
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pair[0].close();
            pair[1].close();
            smc.close();
        }
    }

    @Benchmark
    public MemorySegment memcpy(CopyState s) {
        MemorySegment.copy(s.src, 0, s.dst, 0, s.writeSize);
        return s.dst;
    }

    @Benchmark
    public void tcp(TcpState s) throws IOException {
        s.out.write(s.buf, 0, s.writeSize);
    }

    @Benchmark
    public void smc(SmcState s) throws IOException {
        s.out.write(s.buf, 0, s.writeSize);
    }
}
