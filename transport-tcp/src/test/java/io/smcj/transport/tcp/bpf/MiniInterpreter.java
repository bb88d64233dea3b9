package io.smcj.transport.tcp.bpf;

import java.util.List;

/**
 * Executes the straight-line subset of eBPF the policy checks use (64-bit MOV/OR/AND, 32-bit AND,
 * 32-bit stack loads, conditional jumps, exit), so tests can compare the generated checks with
 * the Java decision. Anything else is rejected, so a new instruction cannot slip by untested.
 */
final class MiniInterpreter {
    final long[] r = new long[11];
    final byte[] stack = new byte[512];

    MiniInterpreter() {
        r[10] = stack.length;
    }

    void putStack(int fpOffset, byte[] bytes) {
        System.arraycopy(bytes, 0, stack, stack.length + fpOffset, bytes.length);
    }

    long run(List<Insn> prog) {
        int pc = 0;
        for (int steps = 0; steps < 100_000; steps++) {
            Insn i = prog.get(pc++);
            int cls = i.code() & 0x07;
            long imm = i.imm(); // sign-extended, as the kernel does for 64-bit operations
            switch (cls) {
                case BpfAssembler.ALU64 -> {
                    long src = (i.code() & 0x08) != 0 ? r[i.src()] : imm;
                    switch (i.code() & 0xf0) {
                        case BpfAssembler.MOV -> r[i.dst()] = src;
                        case BpfAssembler.OR -> r[i.dst()] |= src;
                        case BpfAssembler.AND -> r[i.dst()] &= src;
                        default -> throw new UnsupportedOperationException(i.toString());
                    }
                }
                case BpfAssembler.ALU -> {
                    if ((i.code() & 0xf8) != (BpfAssembler.AND | BpfAssembler.K)) {
                        throw new UnsupportedOperationException(i.toString());
                    }
                    r[i.dst()] = (r[i.dst()] & i.imm()) & 0xffff_ffffL;
                }
                case BpfAssembler.LDX -> {
                    if (i.code() != (BpfAssembler.LDX | BpfAssembler.MEM | BpfAssembler.W) || i.src() != 10) {
                        throw new UnsupportedOperationException(i.toString());
                    }
                    int at = (int) r[10] + i.off();
                    r[i.dst()] = (stack[at] & 0xffL) | (stack[at + 1] & 0xffL) << 8 | (stack[at + 2] & 0xffL) << 16
                            | (stack[at + 3] & 0xffL) << 24;
                }
                case BpfAssembler.JMP, BpfAssembler.JMP32 -> {
                    int op = i.code() & 0xf0;
                    if (op == BpfAssembler.EXIT) {
                        return r[0];
                    }
                    long a = r[i.dst()];
                    long b = (i.code() & 0x08) != 0 ? r[i.src()] : imm;
                    if (cls == BpfAssembler.JMP32) {
                        a &= 0xffff_ffffL;
                        b &= 0xffff_ffffL;
                    }
                    boolean take = switch (op) {
                        case BpfAssembler.JA -> true;
                        case BpfAssembler.JEQ -> a == b;
                        case BpfAssembler.JNE -> a != b;
                        case BpfAssembler.JGT -> Long.compareUnsigned(a, b) > 0;
                        case BpfAssembler.JLT -> Long.compareUnsigned(a, b) < 0;
                        case BpfAssembler.JSET -> (a & b) != 0;
                        default -> throw new UnsupportedOperationException(i.toString());
                    };
                    if (take) {
                        pc += i.off();
                    }
                }
                default -> throw new UnsupportedOperationException(i.toString());
            }
        }
        throw new IllegalStateException("program did not exit");
    }
}
