package io.smcj.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Reader/echo loops used by the benchmarks' peer threads (same code for TCP and SMC-R sockets). */
final class Pumps {
    private Pumps() {
    }

    /** Reads and discards until end of stream or an error (the peer closed). */
    static Thread drain(String name, InputStream in) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            byte[] buf = new byte[1 << 20];
            try {
                while (in.read(buf, 0, buf.length) >= 0) {
                    // discard
                }
            } catch (IOException ignored) {
                // closed by the benchmark's teardown
            }
        });
    }

    /** Echoes messages of exactly {@code size} bytes until end of stream. */
    static Thread echo(String name, InputStream in, OutputStream out, int size, boolean busy) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            byte[] buf = new byte[size];
            try {
                while (true) {
                    readFully(in, buf, size, busy);
                    out.write(buf, 0, size);
                    out.flush();
                }
            } catch (IOException ignored) {
                // EOF or closed by the teardown
            }
        });
    }

    /**
     * Reads exactly {@code n} bytes. With {@code busy}, polls {@link InputStream#available()}
     * (spin, then yield) before each read, so the reading thread never blocks (application-level busy polling).
     */
    static void readFully(InputStream in, byte[] b, int n, boolean busy) throws IOException {
        int off = 0;
        while (off < n) {
            if (busy) {
                int spins = 0;
                while (in.available() <= 0) {
                    // spin briefly, then yield: on 2 cores a pure spinner would starve the engine's
                    // agent threads that deliver the CDC message this loop waits for
                    if (++spins < 64) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                    if (spins == 1 << 22) { // the peer is gone or stuck: fall through to a blocking read
                        break;
                    }
                }
            }
            int r = in.read(b, off, n - off);
            if (r < 0) {
                throw new EOFException();
            }
            off += r;
        }
    }
}
