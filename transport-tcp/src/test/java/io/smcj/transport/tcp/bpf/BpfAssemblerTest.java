package io.smcj.transport.tcp.bpf;

import static io.smcj.transport.tcp.bpf.BpfAssembler.FP;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R0;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R1;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R2;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smcj.transport.tcp.SmcTcpOption;
import io.smcj.transport.tcp.bpf.BpfAssembler.Size;
import io.smcj.transport.tcp.policy.SmcPolicy;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BpfAssemblerTest {
    private static String hex(BpfAssembler a, Map<String, Integer> fds) {
        return HexFormat.of().formatHex(a.assemble().bytes(fds));
    }

    @Test
    void goldenEncodings() {
        // values as llvm-objdump prints them for the same instructions
        assertEquals("b700000001000000" + "9500000000000000", hex(new BpfAssembler().mov64(R0, 1).exit(), Map.of()));
        assertEquals("bf16000000000000" + "9500000000000000", hex(new BpfAssembler().movReg(R6, R1).exit(), Map.of()));
        assertEquals("6162440000000000" + "9500000000000000",
                hex(new BpfAssembler().ldx(Size.W, R2, R6, 68).exit(), Map.of()));
        assertEquals("632ae8ff00000000" + "9500000000000000",
                hex(new BpfAssembler().stx(Size.W, FP, -24, R2).exit(), Map.of()));
        assertEquals("620ad8fffe06e2d4" + "9500000000000000",
                hex(new BpfAssembler().st(Size.W, FP, -40, 0xD4E206FEL).exit(), Map.of()));
        assertEquals("4702000040000000" + "9500000000000000", hex(new BpfAssembler().or64(R2, 0x40).exit(), Map.of()));
        assertEquals("5402000000ffffff" + "9500000000000000",
                hex(new BpfAssembler().and32(R2, 0xffffff00L).exit(), Map.of()));
        assertEquals("850000008e000000" + "9500000000000000", hex(new BpfAssembler().call(142).exit(), Map.of()));
    }

    @Test
    void jumpsResolveForwardAndBackward() {
        BpfAssembler a = new BpfAssembler()
                .label("top")
                .jeq(R2, 3, "end")      // 0: +2
                .jne32(R2, 0xE2D4C3D9L, "top") // 1: -2
                .ja("top")              // 2: -3
                .label("end")
                .exit();                // 3
        var p = a.assemble();
        assertEquals(2, p.insns().get(0).off());
        assertEquals(0x15, p.insns().get(0).code());
        assertEquals(-2, p.insns().get(1).off());
        assertEquals(0x56, p.insns().get(1).code());
        assertEquals(0xE2D4C3D9, p.insns().get(1).imm());
        assertEquals(-3, p.insns().get(2).off());
    }

    @Test
    void mapReferencesAreRelocatedToTheFd() {
        BpfAssembler a = new BpfAssembler().ldMap(R1, "m").mov64(R0, 0).exit();
        assertEquals("1811000007000000" + "0000000000000000" + "b700000000000000" + "9500000000000000",
                hex(a, Map.of("m", 7)));
        assertEquals(Map.of(0, "m"), a.assemble().mapRelocations());
        assertThrows(IllegalArgumentException.class, () -> a.assemble().bytes(Map.of()));
    }

    @Test
    void ldImm64TakesTwoSlots() {
        var p = new BpfAssembler().ldImm64(R2, 0x1122334455667788L).exit().assemble();
        assertEquals(3, p.insnCount());
        assertEquals(0x55667788, p.insns().get(0).imm());
        assertEquals(0x11223344, p.insns().get(1).imm());
    }

    @Test
    void mistakesAreReported() {
        assertThrows(IllegalStateException.class, () -> new BpfAssembler().ja("nowhere").exit().assemble());
        assertThrows(IllegalArgumentException.class, () -> new BpfAssembler().label("x").label("x"));
        assertThrows(IllegalStateException.class, () -> new BpfAssembler().mov64(R0, 1).assemble());
        assertThrows(IllegalArgumentException.class, () -> new BpfAssembler().mov64(R0, 1L << 33));
        assertThrows(IllegalArgumentException.class, () -> new Insn(0x07, 11, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Insn(0x07, 0, 0, 40000, 0));
    }

    @Test
    void smcProgramShapeAndOptionBytes() {
        var plain = SmcSockOpsProgram.generate(null);
        var withPolicy = SmcSockOpsProgram.generate(SmcPolicy.parse("port 80 off; port 9000-9100 on; dst 10.0.0.0/8 off"));
        assertTrue(plain.insnCount() > 100 && plain.insnCount() < 200, "insns " + plain.insnCount());
        assertTrue(withPolicy.insnCount() > plain.insnCount());
        assertEquals(5, plain.mapRelocations().size()); // congestion lookup, update, lookup x2, update
        byte[] opt = new byte[8];
        for (int i = 0; i < 4; i++) {
            opt[i] = (byte) (SmcSockOpsProgram.OPT_WORD0 >>> (8 * i));
            opt[4 + i] = (byte) (SmcSockOpsProgram.OPT_WORD1 >>> (8 * i));
        }
        assertEquals(HexFormat.of().formatHex(SmcTcpOption.bytes()) + "0000", HexFormat.of().formatHex(opt));
        // every jump lands inside the program
        for (int i = 0; i < plain.insnCount(); i++) {
            Insn insn = plain.insns().get(i);
            int cls = insn.code() & 7;
            int op = insn.code() & 0xf0;
            if ((cls == 5 || cls == 6) && op != 0x80 && op != 0x90) {
                int t = i + 1 + insn.off();
                assertTrue(t > 0 && t < plain.insnCount(), "jump at " + i);
            }
        }
        System.out.println("SMC sock_ops program: " + plain.insnCount() + " insns without policy, "
                + withPolicy.insnCount() + " with 3 rules");
    }
}
