package io.smcj.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmcStatsTest {
    @Test
    void shouldCountFallbacksByReasonAndRoleAcrossThreads() throws Exception {
        SmcStats s = new SmcStats();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    s.fallback(SmcStats.Role.CLIENT, 0x03010000);
                    s.fallback(SmcStats.Role.SERVER, 0x03030000);
                    s.sent(10);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        SmcStats.Snapshot snap = s.snapshot();
        assertEquals(4000L, snap.fallbackClient().get(0x03010000));
        assertEquals(4000L, snap.fallbackServer().get(0x03030000));
        assertEquals(8000L, snap.fallbacks());
        assertEquals(40000L, snap.txBytes());
        String text = snap.toText();
        assertTrue(text.contains("0x03010000 PEERNOSMC"), text);
        assertTrue(text.contains("0x03030000 NOSMCDEV"), text);
    }
}
