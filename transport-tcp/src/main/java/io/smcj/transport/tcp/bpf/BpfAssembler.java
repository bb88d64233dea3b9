package io.smcj.transport.tcp.bpf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small eBPF assembler: instructions are values ({@link Insn}), jumps name a label, and
 * {@code ld_imm64} of a map is a relocation resolved to the map's fd when the program is loaded
 * (what libbpf does with {@code BPF_PSEUDO_MAP_FD}). Encodings follow
 * {@code include/uapi/linux/bpf_common.h} and {@code bpf.h}; nothing here talks to the kernel.
 */
public final class BpfAssembler {
    // registers
    public static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8,
            R9 = 9, FP = 10;

    // instruction classes
    static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06,
            ALU64 = 0x07;
    // sizes and modes
    static final int W = 0x00, H = 0x08, B = 0x10, DW = 0x18, IMM = 0x00, MEM = 0x60;
    // operand source
    static final int K = 0x00, X = 0x08;
    // ALU operations
    static final int ADD = 0x00, SUB = 0x10, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70, MOV = 0xb0;
    // jump operations
    static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50,
            JSGT = 0x60, CALL = 0x80, EXIT = 0x90, JLT = 0xa0;
    /** {@code src_reg} of an {@code ld_imm64} whose immediate is a map fd. */
    static final int PSEUDO_MAP_FD = 1;

    /** The size of a load/store. */
    public enum Size {
        B(0x10, 1), H(0x08, 2), W(0x00, 4), DW(0x18, 8);

        final int code;
        final int bytes;

        Size(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }
    }

    private record Slot(Insn insn, String jumpTo, String mapName) {
    }

    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    // ---- labels and raw

    /** Binds {@code name} to the next instruction. */
    public BpfAssembler label(String name) {
        if (labels.putIfAbsent(name, slots.size()) != null) {
            throw new IllegalArgumentException("label defined twice: " + name);
        }
        return this;
    }

    public BpfAssembler raw(Insn insn) {
        slots.add(new Slot(insn, null, null));
        return this;
    }

    // ---- ALU

    /** {@code dst = src} (register). */
    public BpfAssembler movReg(int dst, int src) {
        return raw(new Insn(ALU64 | MOV | X, dst, src, 0, 0));
    }

    public BpfAssembler mov64(int dst, long imm) {
        return raw(new Insn(ALU64 | MOV | K, dst, 0, 0, imm32(imm)));
    }

    public BpfAssembler add64(int dst, long imm) {
        return raw(new Insn(ALU64 | ADD | K, dst, 0, 0, imm32(imm)));
    }

    public BpfAssembler or64(int dst, long imm) {
        return raw(new Insn(ALU64 | OR | K, dst, 0, 0, imm32(imm)));
    }

    /** {@code dst |= src} (register). */
    public BpfAssembler orReg(int dst, int src) {
        return raw(new Insn(ALU64 | OR | X, dst, src, 0, 0));
    }

    public BpfAssembler and64(int dst, long imm) {
        return raw(new Insn(ALU64 | AND | K, dst, 0, 0, imm32(imm)));
    }

    /** 32-bit AND: the upper half of {@code dst} becomes zero (masks compared as u32). */
    public BpfAssembler and32(int dst, long imm) {
        return raw(new Insn(ALU | AND | K, dst, 0, 0, imm32(imm)));
    }

    // ---- memory

    /** {@code dst = *(size *)(src + off)}. */
    public BpfAssembler ldx(Size size, int dst, int src, int off) {
        return raw(new Insn(LDX | MEM | size.code, dst, src, off, 0));
    }

    /** {@code *(size *)(dst + off) = src}. */
    public BpfAssembler stx(Size size, int dst, int off, int src) {
        return raw(new Insn(STX | MEM | size.code, dst, src, off, 0));
    }

    /** {@code *(size *)(dst + off) = imm}. */
    public BpfAssembler st(Size size, int dst, int off, long imm) {
        return raw(new Insn(ST | MEM | size.code, dst, 0, off, imm32(imm)));
    }

    /** {@code dst = imm64} (two slots). */
    public BpfAssembler ldImm64(int dst, long imm) {
        raw(new Insn(LD | DW | IMM, dst, 0, 0, (int) imm));
        return raw(new Insn(0, 0, 0, 0, (int) (imm >>> 32)));
    }

    /** {@code dst = &map} (two slots), relocated to the fd of the map named {@code map}. */
    public BpfAssembler ldMap(int dst, String map) {
        slots.add(new Slot(new Insn(LD | DW | IMM, dst, PSEUDO_MAP_FD, 0, 0), null, Objects.requireNonNull(map)));
        return raw(new Insn(0, 0, 0, 0, 0));
    }

    // ---- jumps

    public BpfAssembler ja(String label) {
        return jump(new Insn(JMP | JA, 0, 0, 0, 0), label);
    }

    public BpfAssembler jeq(int dst, long imm, String label) {
        return jump(new Insn(JMP | JEQ | K, dst, 0, 0, imm32(imm)), label);
    }

    public BpfAssembler jne(int dst, long imm, String label) {
        return jump(new Insn(JMP | JNE | K, dst, 0, 0, imm32(imm)), label);
    }

    /** {@code if dst != src} (registers). */
    public BpfAssembler jneReg(int dst, int src, String label) {
        return jump(new Insn(JMP | JNE | X, dst, src, 0, 0), label);
    }

    /** Unsigned {@code dst > imm}. */
    public BpfAssembler jgt(int dst, long imm, String label) {
        return jump(new Insn(JMP | JGT | K, dst, 0, 0, imm32(imm)), label);
    }

    /** Unsigned {@code dst < imm}. */
    public BpfAssembler jlt(int dst, long imm, String label) {
        return jump(new Insn(JMP | JLT | K, dst, 0, 0, imm32(imm)), label);
    }

    /** 32-bit {@code (u32) dst != (u32) imm} (no sign extension of {@code imm}). */
    public BpfAssembler jne32(int dst, long imm, String label) {
        return jump(new Insn(JMP32 | JNE | K, dst, 0, 0, imm32(imm)), label);
    }

    /** Jump if {@code dst & imm != 0}. */
    public BpfAssembler jset(int dst, long imm, String label) {
        return jump(new Insn(JMP | JSET | K, dst, 0, 0, imm32(imm)), label);
    }

    /** Signed {@code dst > imm}. */
    public BpfAssembler jsgt(int dst, long imm, String label) {
        return jump(new Insn(JMP | JSGT | K, dst, 0, 0, imm32(imm)), label);
    }

    public BpfAssembler call(int helper) {
        return raw(new Insn(JMP | CALL, 0, 0, 0, helper));
    }

    public BpfAssembler exit() {
        return raw(new Insn(JMP | EXIT, 0, 0, 0, 0));
    }

    private BpfAssembler jump(Insn insn, String label) {
        slots.add(new Slot(insn, Objects.requireNonNull(label), null));
        return this;
    }

    private static int imm32(long imm) {
        if (imm < Integer.MIN_VALUE || imm > 0xffff_ffffL) {
            throw new IllegalArgumentException("immediate does not fit 32 bits: " + imm);
        }
        return (int) imm;
    }

    /** Number of 8-byte slots emitted so far. */
    public int size() {
        return slots.size();
    }

    /** Resolves labels; map fds stay symbolic until {@link Program#bytes(Map)}. */
    public Program assemble() {
        List<Insn> out = new ArrayList<>(slots.size());
        Map<Integer, String> relocations = new LinkedHashMap<>();
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            Insn insn = s.insn();
            if (s.jumpTo() != null) {
                Integer target = labels.get(s.jumpTo());
                if (target == null) {
                    throw new IllegalStateException("undefined label: " + s.jumpTo());
                }
                int off = target - (i + 1);
                insn = new Insn(insn.code(), insn.dst(), insn.src(), off, insn.imm());
            }
            if (s.mapName() != null) {
                relocations.put(i, s.mapName());
            }
            out.add(insn);
        }
        if (out.isEmpty() || out.getLast().code() != (JMP | EXIT)) {
            throw new IllegalStateException("program must end with exit");
        }
        return new Program(List.copyOf(out), Map.copyOf(relocations));
    }

    /**
     * An assembled program: instruction slots and the slots whose immediate is a map fd.
     */
    public record Program(List<Insn> insns, Map<Integer, String> mapRelocations) {
        /** Instruction count as the kernel counts it ({@code insn_cnt}: slots). */
        public int insnCount() {
            return insns.size();
        }

        /** Wire bytes with every map reference replaced by its fd. */
        public byte[] bytes(Map<String, Integer> mapFds) {
            byte[] out = new byte[insns.size() * 8];
            for (int i = 0; i < insns.size(); i++) {
                Insn insn = insns.get(i);
                String map = mapRelocations.get(i);
                if (map != null) {
                    Integer fd = mapFds.get(map);
                    if (fd == null) {
                        throw new IllegalArgumentException("no fd for map '" + map + "'");
                    }
                    insn = new Insn(insn.code(), insn.dst(), insn.src(), insn.off(), fd);
                }
                insn.encode(out, i * 8);
            }
            return out;
        }
    }
}
