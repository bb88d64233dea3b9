package io.smcj.transport.tcp.bpf;

import static io.smcj.transport.tcp.bpf.BpfAssembler.FP;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R0;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R1;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R2;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R3;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R4;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R6;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R7;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R8;
import static io.smcj.transport.tcp.bpf.BpfAssembler.R9;
import static io.smcj.transport.tcp.bpf.SmcOptionRecord.ESTABLISHED;
import static io.smcj.transport.tcp.bpf.SmcOptionRecord.HS_CONGESTED;
import static io.smcj.transport.tcp.bpf.SmcOptionRecord.OPT_SENT;
import static io.smcj.transport.tcp.bpf.SmcOptionRecord.PASSIVE;
import static io.smcj.transport.tcp.bpf.SmcOptionRecord.PEER_OPT;
import static io.smcj.transport.tcp.bpf.SmcOptionRecord.POLICY_DENIED;
import static io.smcj.transport.tcp.bpf.SmcOptionRecord.RESERVED;
import static io.smcj.transport.tcp.bpf.SmcOptionRecord.RESERVE_FAILED;
import static io.smcj.transport.tcp.bpf.SmcOptionRecord.STORE_FAILED;

import io.smcj.transport.tcp.bpf.BpfAssembler.Size;
import io.smcj.transport.tcp.policy.SmcPolicy;

/**
 * The {@code BPF_PROG_TYPE_SOCK_OPS} program that puts the SMC option on our SYNs, echoes it on
 * our SYN-ACKs only when the peer's SYN had it, and records per connection what happened in an
 * LRU hash map (the equivalent of the kernel setting {@code tp->syn_smc} in
 * {@code smc_set_option()} / {@code smc_parse_options()}, include/net/tcp.h and tcp_input.c).
 *
 * <p>Map key (24 bytes): local port (u32, host order), remote port (u32 as in
 * {@code bpf_sock_ops.remote_port}: the network-order port in the upper 16 bits), remote address
 * (16 bytes, network order, IPv4 as {@code ::ffff:a.b.c.d}). Value: {@link SmcOptionRecord}.
 *
 * <p>Callbacks: TCP_CONNECT_CB / TCP_LISTEN_CB turn on WRITE_HDR_OPT callbacks (inherited by the
 * listener's request and child sockets); HDR_OPT_LEN_CB evaluates the policy and reserves 6 bytes
 * on a SYN, or on a SYN-ACK when the peer's SYN carried the option; WRITE_HDR_OPT_CB writes the
 * option where we reserved; ACTIVE_ESTABLISHED_CB looks for the option in the SYN-ACK; both
 * ESTABLISHED callbacks then clear the callback flags so established sockets pay nothing.
 *
 * <p>{@code limit_smc_hs}: a second map, {@link #CONGESTED_MAP} (an array indexed by local port,
 * u32 values), holds the listeners' congestion switch; a SYN-ACK of a port whose entry is
 * non-zero reserves no option (flag {@link SmcOptionRecord#HS_CONGESTED}), as the kernel's
 * {@code tcp_openreq_init} clears {@code ireq->smc_ok} when {@code smc_hs_congested()} says so.
 */
public final class SmcSockOpsProgram {
    /** Name of the result map in relocations. */
    public static final String MAP = "smc_results";
    public static final int KEY_SIZE = 24;
    public static final int VALUE_SIZE = 8;
    /** Name of the per-port congestion map in relocations (BPF_MAP_TYPE_ARRAY, 65536 x u32). */
    public static final String CONGESTED_MAP = "smc_hs_congested";
    public static final int CONGESTED_ENTRIES = 65536;

    // bpf_sock_ops ops (include/uapi/linux/bpf.h)
    static final int OP_TCP_CONNECT_CB = 3, OP_ACTIVE_ESTABLISHED_CB = 4, OP_PASSIVE_ESTABLISHED_CB = 5,
            OP_TCP_LISTEN_CB = 11, OP_HDR_OPT_LEN_CB = 14, OP_WRITE_HDR_OPT_CB = 15;
    // struct bpf_sock_ops offsets
    static final int CTX_OP = 0, CTX_FAMILY = 20, CTX_REMOTE_IP4 = 24, CTX_REMOTE_IP6 = 32,
            CTX_REMOTE_PORT = 64, CTX_LOCAL_PORT = 68, CTX_CB_FLAGS = 84, CTX_SKB_TCP_FLAGS = 212;
    static final int AF_INET6 = 10;
    static final int WRITE_HDR_OPT_CB_FLAG = 0x40;
    static final int TCP_SYN = 0x02, TCP_ACK = 0x10;
    static final int LOAD_HDR_OPT_TCP_SYN = 1;
    // helper ids
    static final int MAP_LOOKUP_ELEM = 1, MAP_UPDATE_ELEM = 2, SOCK_OPS_CB_FLAGS_SET = 59,
            LOAD_HDR_OPT = 142, STORE_HDR_OPT = 143, RESERVE_HDR_OPT = 144;
    // stack layout (fp-relative)
    static final int KEY = -24, VAL = -32, OPT = -40;
    /** The option bytes FE 06 E2 D4 C3 D9 as two little-endian words for stores. */
    static final int OPT_WORD0 = 0xD4E206FE, OPT_WORD1 = 0x0000D9C3;

    private SmcSockOpsProgram() {
    }

    /**
     * Generates the program.
     *
     * @param policy the policy compiled into the program, or null to leave every decision to
     *               Java (then the option is offered on every connection of the cgroup)
     */
    public static BpfAssembler.Program generate(SmcPolicy policy) {
        BpfAssembler a = new BpfAssembler();
        a.movReg(R6, R1);
        a.ldx(Size.W, R2, R6, CTX_OP);
        a.jeq(R2, OP_TCP_CONNECT_CB, "flags_on");
        a.jeq(R2, OP_TCP_LISTEN_CB, "flags_on");
        a.jlt(R2, OP_ACTIVE_ESTABLISHED_CB, "out");
        a.jlt(R2, OP_PASSIVE_ESTABLISHED_CB + 1, "key");
        a.jlt(R2, OP_HDR_OPT_LEN_CB, "out");
        a.jgt(R2, OP_WRITE_HDR_OPT_CB, "out");
        // ops 4, 5, 14, 15 all need the connection's key: build it once
        a.label("key");
        buildKey(a);
        a.ldx(Size.W, R2, R6, CTX_OP);
        a.jeq(R2, OP_HDR_OPT_LEN_CB, "hdr_len");
        a.jeq(R2, OP_WRITE_HDR_OPT_CB, "hdr_write");
        a.jeq(R2, OP_ACTIVE_ESTABLISHED_CB, "active_est");
        a.jeq(R2, OP_PASSIVE_ESTABLISHED_CB, "passive_est");
        a.ja("out");

        // TCP_CONNECT_CB / TCP_LISTEN_CB: ask for HDR_OPT_LEN / WRITE_HDR_OPT callbacks
        a.label("flags_on");
        a.ldx(Size.W, R2, R6, CTX_CB_FLAGS);
        a.or64(R2, WRITE_HDR_OPT_CB_FLAG);
        a.movReg(R1, R6);
        a.call(SOCK_OPS_CB_FLAGS_SET);
        a.ja("out");

        // HDR_OPT_LEN_CB: decide and reserve, on SYN and SYN-ACK only
        a.label("hdr_len");
        a.ldx(Size.W, R7, R6, CTX_SKB_TCP_FLAGS);
        a.jset(R7, TCP_SYN, "len_syn");
        a.ja("out");
        a.label("len_syn");
        a.mov64(R8, 0);
        a.jset(R7, TCP_ACK, "len_synack");
        // our SYN (client): port rules AND destination rules
        policy(a, policy, true, "c");
        a.jset(R8, POLICY_DENIED, "len_record");
        a.ja("len_reserve");
        a.label("len_synack");
        // our SYN-ACK (server): port rules, then echo only what the peer's SYN offered
        a.mov64(R8, PASSIVE);
        policy(a, policy, false, "s");
        optionPattern(a);
        a.movReg(R1, R6);
        a.movReg(R2, FP);
        a.add64(R2, OPT);
        a.mov64(R3, 6);
        a.mov64(R4, LOAD_HDR_OPT_TCP_SYN);
        a.call(LOAD_HDR_OPT);
        a.jsgt(R0, 0, "len_peer_offered");
        a.ja("len_record");
        a.label("len_peer_offered");
        a.or64(R8, PEER_OPT);
        a.jset(R8, POLICY_DENIED, "len_record");
        // limit_smc_hs: the listener's port is congested -> no option on this SYN-ACK
        a.ldMap(R1, CONGESTED_MAP);
        a.movReg(R2, FP);
        a.add64(R2, KEY); // the key starts with the local port (u32): the array index
        a.call(MAP_LOOKUP_ELEM);
        a.jeq(R0, 0, "len_reserve");
        a.ldx(Size.W, R2, R0, 0);
        a.jeq(R2, 0, "len_reserve");
        a.or64(R8, HS_CONGESTED);
        a.ja("len_record");
        a.label("len_reserve");
        a.movReg(R1, R6);
        a.mov64(R2, 6);
        a.mov64(R3, 0);
        a.call(RESERVE_HDR_OPT);
        a.jeq(R0, 0, "len_reserved");
        a.or64(R8, RESERVE_FAILED);
        a.ja("len_record");
        a.label("len_reserved");
        a.or64(R8, RESERVED);
        a.label("len_record");
        a.stx(Size.W, FP, VAL, R8);
        a.stx(Size.W, FP, VAL + 4, R9);
        a.ldMap(R1, MAP);
        a.movReg(R2, FP);
        a.add64(R2, KEY);
        a.movReg(R3, FP);
        a.add64(R3, VAL);
        a.mov64(R4, 0);
        a.call(MAP_UPDATE_ELEM);
        a.ja("out");

        // WRITE_HDR_OPT_CB: write the option where HDR_OPT_LEN_CB reserved it for us
        a.label("hdr_write");
        a.ldx(Size.W, R2, R6, CTX_SKB_TCP_FLAGS);
        a.jset(R2, TCP_SYN, "write_syn");
        a.ja("out");
        a.label("write_syn");
        lookup(a);
        a.jeq(R0, 0, "out");
        a.movReg(R7, R0);
        a.ldx(Size.W, R2, R7, 0);
        a.jset(R2, RESERVED, "write_store");
        a.ja("out");
        a.label("write_store");
        optionPattern(a);
        a.movReg(R1, R6);
        a.movReg(R2, FP);
        a.add64(R2, OPT);
        a.mov64(R3, 6);
        a.mov64(R4, 0);
        a.call(STORE_HDR_OPT);
        a.ldx(Size.W, R2, R7, 0);
        a.jeq(R0, 0, "write_ok");
        a.or64(R2, STORE_FAILED);
        a.ja("write_done");
        a.label("write_ok");
        a.or64(R2, OPT_SENT);
        a.label("write_done");
        a.stx(Size.W, R7, 0, R2);
        a.ja("out");

        // ACTIVE_ESTABLISHED_CB: did the SYN-ACK that completed the handshake carry the option?
        a.label("active_est");
        optionPattern(a);
        a.movReg(R1, R6);
        a.movReg(R2, FP);
        a.add64(R2, OPT);
        a.mov64(R3, 6);
        a.mov64(R4, 0);
        a.call(LOAD_HDR_OPT);
        a.mov64(R8, ESTABLISHED);
        a.jsgt(R0, 0, "act_peer");
        a.ja("merge");
        a.label("act_peer");
        a.mov64(R8, ESTABLISHED | PEER_OPT);
        a.ja("merge");

        // PASSIVE_ESTABLISHED_CB: the result was recorded while building the SYN-ACK
        a.label("passive_est");
        a.mov64(R8, ESTABLISHED | PASSIVE);

        // or R8 into the entry, creating it (rules unknown) if the handshake callbacks never ran
        a.label("merge");
        lookup(a);
        a.jeq(R0, 0, "merge_new");
        a.ldx(Size.W, R2, R0, 0);
        a.orReg(R2, R8);
        a.stx(Size.W, R0, 0, R2);
        a.ja("flags_off");
        a.label("merge_new");
        a.stx(Size.W, FP, VAL, R8);
        a.st(Size.W, FP, VAL + 4, SmcOptionRecord.NO_POLICY_RULES);
        a.ldMap(R1, MAP);
        a.movReg(R2, FP);
        a.add64(R2, KEY);
        a.movReg(R3, FP);
        a.add64(R3, VAL);
        a.mov64(R4, 0);
        a.call(MAP_UPDATE_ELEM);
        a.label("flags_off");
        // established sockets need no header-option callbacks: stop the per-packet cost
        a.movReg(R1, R6);
        a.mov64(R2, 0);
        a.call(SOCK_OPS_CB_FLAGS_SET);

        a.label("out");
        a.mov64(R0, 1);
        a.exit();
        return a.assemble();
    }

    /**
     * Only the policy checks, as a standalone program for tests: expects the key at fp-24, leaves
     * the flags (POLICY_DENIED or 0) in R8 and the rules word in R9, returns R8.
     */
    static BpfAssembler.Program policyOnly(SmcPolicy p, boolean client) {
        BpfAssembler a = new BpfAssembler();
        a.mov64(R8, 0);
        policy(a, p, client, "t");
        a.movReg(R0, R8);
        a.exit();
        return a.assemble();
    }

    /**
     * Key at fp-24. Every context field is read as {@code ldx [r6 + constant]} (the verifier
     * rejects context reads through a modified pointer); the family picks which words to keep.
     */
    private static void buildKey(BpfAssembler a) {
        a.ldx(Size.W, R2, R6, CTX_LOCAL_PORT);
        a.stx(Size.W, FP, KEY, R2);
        a.ldx(Size.W, R2, R6, CTX_REMOTE_PORT);
        a.stx(Size.W, FP, KEY + 4, R2);
        a.ldx(Size.W, R2, R6, CTX_FAMILY);
        a.jeq(R2, AF_INET6, "key6");
        a.st(Size.W, FP, KEY + 8, 0);
        a.st(Size.W, FP, KEY + 12, 0);
        a.st(Size.W, FP, KEY + 16, 0xffff0000L); // bytes 00 00 ff ff: ::ffff:a.b.c.d
        a.ldx(Size.W, R2, R6, CTX_REMOTE_IP4);
        a.stx(Size.W, FP, KEY + 20, R2);
        a.ja("keydone");
        a.label("key6");
        for (int w = 0; w < 4; w++) {
            a.ldx(Size.W, R2, R6, CTX_REMOTE_IP6 + 4 * w);
            a.stx(Size.W, FP, KEY + 8 + 4 * w, R2);
        }
        a.label("keydone");
    }

    private static void lookup(BpfAssembler a) {
        a.ldMap(R1, MAP);
        a.movReg(R2, FP);
        a.add64(R2, KEY);
        a.call(MAP_LOOKUP_ELEM);
    }

    private static void optionPattern(BpfAssembler a) {
        a.st(Size.W, FP, OPT, OPT_WORD0 & 0xffff_ffffL);
        a.st(Size.W, FP, OPT + 4, OPT_WORD1);
    }

    /**
     * Policy checks on the key at fp-24: sets R9 to the rules word and ORs POLICY_DENIED into R8
     * when a matching (or default) rule says off. First match wins within each rule list; the
     * port and destination decisions combine with AND.
     */
    private static void policy(BpfAssembler a, SmcPolicy p, boolean client, String tag) {
        if (p == null) {
            a.mov64(R9, SmcOptionRecord.NO_POLICY_RULES & 0xffff_ffffL);
            // a 32-bit mov of all ones: keep only the low word when stored
            return;
        }
        a.ldx(Size.W, R2, FP, KEY);
        for (int i = 0; i < p.portRules().size(); i++) {
            SmcPolicy.PortRule r = p.portRules().get(i);
            String next = tag + "_port" + (i + 1);
            if (r.from() == r.to()) {
                a.jne(R2, r.from(), next);
            } else {
                a.jlt(R2, r.from(), next);
                a.jgt(R2, r.to(), next);
            }
            a.mov64(R9, i + 1);
            if (!r.enable()) {
                a.or64(R8, POLICY_DENIED);
            }
            a.ja(tag + "_portdone");
            a.label(next);
        }
        a.mov64(R9, 0);
        if (!p.portDefault()) {
            a.or64(R8, POLICY_DENIED);
        }
        a.label(tag + "_portdone");
        if (!client) {
            a.or64(R9, 0xffff0000L);
            return;
        }
        for (int j = 0; j < p.prefixRules().size(); j++) {
            SmcPolicy.PrefixRule r = p.prefixRules().get(j);
            String next = tag + "_pfx" + (j + 1);
            byte[] net = r.mapped();
            for (int w = 0; w < 4; w++) {
                int bits = Math.max(0, Math.min(32, r.mappedPrefixLength() - 32 * w));
                if (bits == 0) {
                    continue;
                }
                int maskBe = bits == 32 ? -1 : ~((1 << (32 - bits)) - 1);
                int netBe = ((net[4 * w] & 0xff) << 24 | (net[4 * w + 1] & 0xff) << 16
                        | (net[4 * w + 2] & 0xff) << 8 | (net[4 * w + 3] & 0xff)) & maskBe;
                // the key holds network-order bytes; a W load reads them little-endian
                a.ldx(Size.W, R3, FP, KEY + 8 + 4 * w);
                if (bits != 32) {
                    a.and32(R3, Integer.reverseBytes(maskBe) & 0xffff_ffffL);
                }
                a.jne32(R3, Integer.reverseBytes(netBe) & 0xffff_ffffL, next);
            }
            a.or64(R9, (long) (j + 1) << 16);
            if (!r.enable()) {
                a.or64(R8, POLICY_DENIED);
            }
            a.ja(tag + "_pfxdone");
            a.label(next);
        }
        if (!p.prefixDefault()) {
            a.or64(R8, POLICY_DENIED);
        }
        a.label(tag + "_pfxdone");
    }
}
