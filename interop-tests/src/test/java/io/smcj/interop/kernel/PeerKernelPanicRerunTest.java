package io.smcj.interop.kernel;

import io.smcj.interop.vm.KernelPeerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The rerun-on-peer-panic rule, checked with a real panic (sysrq crash) of one VM. */
@ExtendWith(KernelPeerExtension.class)
class PeerKernelPanicRerunTest {
    @Test
    void rerunsOnFreshPeersAfterARealPanic(io.smcj.interop.vm.KernelPeers peers) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        KernelPeerExtension.rerunOnceIfAPeerKernelPanics(peers, p -> {
            if (runs.incrementAndGet() == 1) {
                try {
                    p.vm2().run("sleep 0.5; echo c > /proc/sysrq-trigger", Duration.ofSeconds(10));
                } catch (RuntimeException expected) {
                    // the agent dies with the kernel
                }
                Thread.sleep(3000);
                throw new AssertionError("first run fails after the panic");
            }
            assertEquals("ok", p.vm2().sh("echo ok").strip());
        });
        assertEquals(2, runs.get());
    }

    @Test
    void aFailureWithoutPanicIsNotRerun(io.smcj.interop.vm.KernelPeers peers) {
        AtomicInteger runs = new AtomicInteger();
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> KernelPeerExtension.rerunOnceIfAPeerKernelPanics(peers, p -> {
                    runs.incrementAndGet();
                    throw new AssertionError("plain failure");
                }));
        assertEquals("plain failure", e.getMessage());
        assertEquals(1, runs.get());
    }
}
