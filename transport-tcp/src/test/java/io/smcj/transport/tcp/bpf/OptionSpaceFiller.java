package io.smcj.transport.tcp.bpf;

import static io.smcj.transport.tcp.bpf.BpfAssembler.R0;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R1;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R2;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R3;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R6;

import io.smcj.transport.tcp.bpf.BpfAssembler.Size;

/**
 * Another sock_ops program that runs before ours and reserves all remaining TCP option space of
 * SYNs and SYN-ACKs (the kernel pads it with NOPs), as MD5, MPTCP or a foreign BPF program would:
 * our reserve then fails and the SMC option is silently missing.
 */
final class OptionSpaceFiller {
    private OptionSpaceFiller() {
    }

    static BpfAssembler.Program generate() {
        BpfAssembler a = new BpfAssembler();
        a.movReg(R6, R1);
        a.ldx(Size.W, R2, R6, SmcSockOpsProgram.CTX_OP);
        a.jeq(R2, SmcSockOpsProgram.OP_TCP_CONNECT_CB, "flags");
        a.jeq(R2, SmcSockOpsProgram.OP_TCP_LISTEN_CB, "flags");
        a.jeq(R2, SmcSockOpsProgram.OP_HDR_OPT_LEN_CB, "len");
        a.ja("out");
        a.label("flags");
        a.ldx(Size.W, R2, R6, SmcSockOpsProgram.CTX_CB_FLAGS);
        a.or64(R2, SmcSockOpsProgram.WRITE_HDR_OPT_CB_FLAG);
        a.movReg(R1, R6);
        a.call(SmcSockOpsProgram.SOCK_OPS_CB_FLAGS_SET);
        a.ja("out");
        a.label("len");
        a.ldx(Size.W, R2, R6, SmcSockOpsProgram.CTX_SKB_TCP_FLAGS);
        a.jset(R2, SmcSockOpsProgram.TCP_SYN, "fill");
        a.ja("out");
        a.label("fill");
        for (int n = 40; n >= 1; n--) { // largest that fits: leaves 0 bytes
            a.movReg(R1, R6);
            a.mov64(R2, n);
            a.mov64(R3, 0);
            a.call(SmcSockOpsProgram.RESERVE_HDR_OPT);
            a.jeq(R0, 0, "out");
        }
        a.label("out");
        a.mov64(R0, 1);
        a.exit();
        return a.assemble();
    }
}
