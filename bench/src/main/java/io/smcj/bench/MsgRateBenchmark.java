package io.smcj.bench;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import io.smcj.engine.SmcSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.nio.ByteBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Message rate of {@value #MSG} B writes (ops/s = messages/s), a peer thread consuming them:
 * <ul>
 *   <li>{@code smc}: one SMC-R connection over the fast-mode simulator (default RMB 64 KiB);</li>
 *   <li>{@code smc16}: 16 SMC-R connections in one link group; the benchmark thread writes to
 *       them round-robin, 16 reader threads drain them;</li>
 *   <li>{@code tcp}: one loopback {@link java.net.Socket} (default options, Nagle on);</li>
 *   <li>{@code aeron}: Aeron IPC ({@code aeron:ipc}) with an embedded media driver in this JVM
 *       (shared threading mode), one {@code Publication.offer} per message, retried on back
 *       pressure, a subscriber thread polling with a back-off idle strategy.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class MsgRateBenchmark {
    static final int MSG = 64;
    static final int CONNS = 16;

    @State(Scope.Thread)
    public static class TcpState {
        LoopbackTcp tcp;
        Socket[] pair;
        OutputStream out;
        final byte[] buf = new byte[MSG];

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            tcp = new LoopbackTcp();
            pair = tcp.connect(false);
            Pumps.drain("bench-tcp-drain", pair[1].getInputStream());
            out = pair[0].getOutputStream();
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
        SmcPair smc;
        SmcSocket[] pair;
        OutputStream out;
        final byte[] buf = new byte[MSG];

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            smc = new SmcPair(SmcPair.config(64 * 1024));
            pair = smc.connect();
            Pumps.drain("bench-smc-drain", pair[1].getInputStream());
            out = pair[0].getOutputStream();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pair[0].close();
            pair[1].close();
            smc.close();
        }
    }

    @State(Scope.Thread)
    public static class Smc16State {
        SmcPair smc;
        final SmcSocket[][] pairs = new SmcSocket[CONNS][];
        final OutputStream[] outs = new OutputStream[CONNS];
        final byte[] buf = new byte[MSG];
        int next;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            smc = new SmcPair(SmcPair.config(64 * 1024));
            for (int i = 0; i < CONNS; i++) {
                pairs[i] = smc.connect();
                Pumps.drain("bench-smc-drain-" + i, pairs[i][1].getInputStream());
                outs[i] = pairs[i][0].getOutputStream();
            }
            int lgrs = smc.client.linkGroups().size();
            if (lgrs != 1) {
                throw new IllegalStateException("bench: expected the 16 connections in one link group, found " + lgrs);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (SmcSocket[] p : pairs) {
                p[0].close();
                p[1].close();
            }
            smc.close();
        }
    }

    @State(Scope.Thread)
    public static class AeronState {
        static final String CHANNEL = "aeron:ipc";
        static final int STREAM = 1001;
        MediaDriver driver;
        Aeron aeron;
        Publication pub;
        Subscription sub;
        Thread subscriber;
        volatile boolean running = true;
        volatile long received;
        final UnsafeBuffer msg = new UnsafeBuffer(ByteBuffer.allocateDirect(MSG));

        @Setup(Level.Trial)
        public void setUp() {
            String dir = Path.of(System.getProperty("smcj.bench.aeronDir", "/dev/shm"),
                    "smcj-bench-aeron-" + ProcessHandle.current().pid()).toString();
            driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(dir).dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true).threadingMode(ThreadingMode.SHARED)
                    .ipcTermBufferLength(16 * 1024 * 1024));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
            sub = aeron.addSubscription(CHANNEL, STREAM);
            pub = aeron.addPublication(CHANNEL, STREAM);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!pub.isConnected() || !sub.isConnected()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("bench: Aeron IPC publication did not connect");
                }
                Thread.onSpinWait();
            }
            subscriber = Thread.ofPlatform().daemon().name("bench-aeron-sub").start(() -> {
                IdleStrategy idle = new BackoffIdleStrategy();
                long[] count = new long[1];
                FragmentHandler h = (buffer, offset, length, header) -> count[0]++;
                while (running) {
                    int n = sub.poll(h, 256);
                    received = count[0];
                    idle.idle(n);
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            running = false;
            subscriber.join(5000);
            aeron.close();
            driver.close();
        }
    }

    @Benchmark
    public void tcp(TcpState s) throws IOException {
        s.out.write(s.buf, 0, MSG);
    }

    @Benchmark
    public void smc(SmcState s) throws IOException {
        s.out.write(s.buf, 0, MSG);
    }

    @Benchmark
    public void smc16(Smc16State s) throws IOException {
        int i = s.next;
        s.next = i == CONNS - 1 ? 0 : i + 1;
        s.outs[i].write(s.buf, 0, MSG);
    }

    @Benchmark
    public long aeron(AeronState s) {
        long r;
        while ((r = s.pub.offer(s.msg, 0, MSG)) < 0) {
            if (r == Publication.CLOSED || r == Publication.NOT_CONNECTED || r == Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("bench: Aeron offer failed: " + r);
            }
            Thread.onSpinWait(); // BACK_PRESSURED or ADMIN_ACTION
        }
        return r;
    }
}
