package io.smcj.bench;

import io.smcj.engine.SmcSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * Request/response round trip (ping-pong) of {@code msgSize} bytes: the client writes a message,
 * a peer thread reads exactly that many bytes and writes them back, the client reads them all.
 * Sampled, so the report has the median and p99.
 * <ul>
 *   <li>{@code tcp}: loopback {@link java.net.Socket} with TCP_NODELAY, blocking reads;</li>
 *   <li>{@code smc} with {@code wait=blocking}: blocking {@code read} (the reader sleeps on the
 *       connection's condition until the engine's agent thread delivers the CDC message);</li>
 *   <li>{@code smc} with {@code wait=busy}: both ends poll {@code available()} (spin, then yield) before each
 *       read (the engine has no busy-polling mode of its own; its agent thread is woken by the
 *       simulated CQ's completion listener).</li>
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RttBenchmark {

    @State(Scope.Thread)
    public static class TcpState {
        @Param({"1", "16384"})
        public int msgSize;
        LoopbackTcp tcp;
        Socket[] pair;
        InputStream in;
        OutputStream out;
        byte[] buf;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            tcp = new LoopbackTcp();
            pair = tcp.connect(true);
            Pumps.echo("bench-tcp-echo", pair[1].getInputStream(), pair[1].getOutputStream(), msgSize, false);
            in = pair[0].getInputStream();
            out = pair[0].getOutputStream();
            buf = new byte[msgSize];
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
        @Param({"1", "16384"})
        public int msgSize;
        @Param({"blocking", "busy"})
        public String wait;
        boolean busy;
        SmcPair smc;
        SmcSocket[] pair;
        InputStream in;
        OutputStream out;
        byte[] buf;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            busy = wait.equals("busy");
            smc = new SmcPair(SmcPair.config(64 * 1024));
            pair = smc.connect();
            Pumps.echo("bench-smc-echo", pair[1].getInputStream(), pair[1].getOutputStream(), msgSize, busy);
            in = pair[0].getInputStream();
            out = pair[0].getOutputStream();
            buf = new byte[msgSize];
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pair[0].close();
            pair[1].close();
            smc.close();
        }
    }

    @Benchmark
    public byte[] tcp(TcpState s) throws IOException {
        s.out.write(s.buf, 0, s.msgSize);
        Pumps.readFully(s.in, s.buf, s.msgSize, false);
        return s.buf;
    }

    @Benchmark
    public byte[] smc(SmcState s) throws IOException {
        s.out.write(s.buf, 0, s.msgSize);
        Pumps.readFully(s.in, s.buf, s.msgSize, s.busy);
        return s.buf;
    }
}
