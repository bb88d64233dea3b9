package io.smcj.transport.tcp.bpf;

/**
 * One eBPF instruction as a value (struct bpf_insn, include/uapi/linux/bpf.h): 8 bytes
 * {@code code, dst_reg:4 | src_reg:4, off (s16), imm (s32)}, little-endian on x86_64.
 * {@code BPF_LD | BPF_DW | BPF_IMM} occupies two slots; the assembler emits its second slot.
 */
public record Insn(int code, int dst, int src, int off, int imm) {
    public Insn {
        if (code < 0 || code > 0xff) {
            throw new IllegalArgumentException("opcode out of range: " + code);
        }
        if (dst < 0 || dst > 10 || src < 0 || src > 10) {
            throw new IllegalArgumentException("register out of range: r" + dst + ", r" + src);
        }
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset out of s16 range: " + off);
        }
    }

    /** Writes the 8 wire bytes at {@code pos} of {@code out}. */
    void encode(byte[] out, int pos) {
        out[pos] = (byte) code;
        out[pos + 1] = (byte) ((src << 4) | dst);
        out[pos + 2] = (byte) off;
        out[pos + 3] = (byte) (off >> 8);
        out[pos + 4] = (byte) imm;
        out[pos + 5] = (byte) (imm >> 8);
        out[pos + 6] = (byte) (imm >> 16);
        out[pos + 7] = (byte) (imm >> 24);
    }
}
