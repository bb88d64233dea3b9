package io.smcj.transport.tcp.bpf;

/**
 * The per-connection value the sock_ops program keeps in its LRU hash map (8 bytes): a flags
 * word and the policy rules that decided. Written while the SYN / SYN-ACK is built and on the
 * established callbacks, read by Java after connect()/accept().
 *
 * @param flags bit set of the constants below
 * @param rules low 16 bits: 1-based port rule (0 = port default); high 16 bits: 1-based
 *              destination rule (0 = default, 0xffff = not evaluated); all ones when the program
 *              carries no policy code
 */
public record SmcOptionRecord(int flags, int rules) {
    /** Our SYN (client) or SYN-ACK (server) carried the option: bpf_store_hdr_opt succeeded. */
    public static final int OPT_SENT = 0x01;
    /** The peer's SYN-ACK (client) or SYN (server) carried the option. */
    public static final int PEER_OPT = 0x02;
    /** The policy compiled into the program said off: no option was reserved. */
    public static final int POLICY_DENIED = 0x04;
    /** The entry belongs to the passive (server) side. */
    public static final int PASSIVE = 0x08;
    /** bpf_reserve_hdr_opt succeeded for this SYN / SYN-ACK. */
    public static final int RESERVED = 0x10;
    /** bpf_reserve_hdr_opt failed: TCP option space full (MD5, MPTCP, other programs). */
    public static final int RESERVE_FAILED = 0x20;
    /** The ACTIVE/PASSIVE_ESTABLISHED callback ran. */
    public static final int ESTABLISHED = 0x40;
    /** bpf_store_hdr_opt failed although space was reserved. */
    public static final int STORE_FAILED = 0x80;
    /**
     * SYN-ACK only: the peer offered SMC but the listener's port was marked congested
     * ({@code limit_smc_hs}), so no option was reserved.
     */
    public static final int HS_CONGESTED = 0x100;

    /** {@link #rules} when the program has no policy code (Java-side enforcement). */
    public static final int NO_POLICY_RULES = 0xffff_ffff;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** 1-based port rule index, 0 for the default, -1 when the program has no policy code. */
    public int portRule() {
        return rules == NO_POLICY_RULES ? -1 : rules & 0xffff;
    }

    /** 1-based destination rule, 0 for the default, -1 when not evaluated. */
    public int prefixRule() {
        int hi = rules >>> 16;
        return hi == 0xffff ? -1 : hi;
    }

    static SmcOptionRecord decode(byte[] v) {
        return new SmcOptionRecord(le32(v, 0), le32(v, 4));
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** Flags in words, for verdict reasons and logs. */
    public String flagNames() {
        StringBuilder sb = new StringBuilder();
        String[] names = {"OPT_SENT", "PEER_OPT", "POLICY_DENIED", "PASSIVE", "RESERVED", "RESERVE_FAILED",
            "ESTABLISHED", "STORE_FAILED", "HS_CONGESTED"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }
}
