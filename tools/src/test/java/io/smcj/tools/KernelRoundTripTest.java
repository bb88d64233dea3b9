package io.smcj.tools;

import io.smcj.cdc.CdcCodec;
import io.smcj.cdc.CdcMessage;
import io.smcj.clc.ClcCodec;
import io.smcj.clc.ClcMessage;
import io.smcj.llc.LlcCodec;
import io.smcj.llc.LlcMessage;
import io.smcj.protocol.Described;
import io.smcj.protocol.Hex;
import io.smcj.protocol.pcap.SmcCapture;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every SMC message the Linux kernels sent in fixtures/ decodes with our codecs and re-encodes to the same bytes. */
class KernelRoundTripTest {
    @Test
    void everyKernelMessageReencodesByteForByte() throws Exception {
        Path root = Path.of(System.getProperty("smcj.root.dir", "..")).resolve("fixtures");
        List<Path> pcaps;
        try (Stream<Path> s = Files.walk(root)) {
            pcaps = s.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
        Map<SmcMessages.Kind, Integer> count = new EnumMap<>(SmcMessages.Kind.class);
        for (Path p : pcaps) {
            for (SmcCapture.Message m : SmcCapture.messages(p)) {
                Described d = SmcMessages.decode(m.bytes());
                byte[] again = switch (d) {
                    case ClcMessage c -> ClcCodec.encode(c);
                    case LlcMessage l -> LlcCodec.toBytes(l);
                    case CdcMessage c -> CdcCodec.encode(c);
                    default -> throw new AssertionError(d);
                };
                assertEquals(Hex.of(m.bytes()), Hex.of(again), p.getFileName() + " frame " + m.frameNumber());
                count.merge(SmcMessages.kind(m.bytes()), 1, Integer::sum);
            }
        }
        assertTrue(count.getOrDefault(SmcMessages.Kind.CLC, 0) >= 20, count.toString());
        assertTrue(count.getOrDefault(SmcMessages.Kind.LLC, 0) >= 50, count.toString());
        assertTrue(count.getOrDefault(SmcMessages.Kind.CDC, 0) >= 30, count.toString());
    }
}
