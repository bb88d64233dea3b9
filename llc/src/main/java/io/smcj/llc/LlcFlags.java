package io.smcj.llc;

/** The flag bits of LLC header byte 3 ({@code SMC_LLC_FLAG_*}, net/smc/smc_llc.c and smc_llc.h). */
public final class LlcFlags {
    private LlcFlags() {
    }

    /** {@code SMC_LLC_FLAG_RESP}: the message is a response. */
    public static final int RESP = 0x80;
    /** {@code SMC_LLC_FLAG_NO_RMBE_EYEC} (CONFIRM LINK only): no RMBE eyecatcher. */
    public static final int NO_RMBE_EYEC = 0x03;
    /** {@code SMC_LLC_FLAG_ADD_LNK_REJ}: ADD LINK rejected. */
    public static final int ADD_LNK_REJ = 0x40;
    /** {@code SMC_LLC_FLAG_DEL_LINK_ALL}: DELETE LINK of the whole link group. */
    public static final int DEL_LINK_ALL = 0x40;
    /** {@code SMC_LLC_FLAG_DEL_LINK_ORDERLY}: orderly DELETE LINK. */
    public static final int DEL_LINK_ORDERLY = 0x20;
    /** {@code SMC_LLC_FLAG_RKEY_NEG}: CONFIRM/DELETE RKEY negative response. */
    public static final int RKEY_NEG = 0x20;
    /** {@code SMC_LLC_FLAG_RKEY_RETRY}: CONFIRM RKEY, retry the rkey set. */
    public static final int RKEY_RETRY = 0x10;

    /** {@code SMC_LLC_REJ_RSN_NO_ALT_PATH}: ADD LINK reject reason (v1 header byte 2, low nibble). */
    public static final int REJ_RSN_NO_ALT_PATH = 1;

    /** Names of the set bits of {@code flags} for a message type, e.g. "RESP|NO_RMBE_EYEC". */
    public static String names(LlcType type, int flags) {
        StringBuilder sb = new StringBuilder();
        int rest = flags & 0xff;
        if ((rest & RESP) != 0) {
            append(sb, "RESP");
            rest &= ~RESP;
        }
        switch (type) {
            case CONFIRM_LINK -> {
                if ((rest & NO_RMBE_EYEC) != 0) {
                    append(sb, (rest & NO_RMBE_EYEC) == NO_RMBE_EYEC ? "NO_RMBE_EYEC"
                            : String.format("NO_RMBE_EYEC(partial 0x%x)", rest & NO_RMBE_EYEC));
                    rest &= ~NO_RMBE_EYEC;
                }
            }
            case ADD_LINK -> {
                if ((rest & ADD_LNK_REJ) != 0) {
                    append(sb, "ADD_LNK_REJ");
                    rest &= ~ADD_LNK_REJ;
                }
            }
            case DELETE_LINK -> {
                if ((rest & DEL_LINK_ALL) != 0) {
                    append(sb, "DEL_LINK_ALL");
                    rest &= ~DEL_LINK_ALL;
                }
                if ((rest & DEL_LINK_ORDERLY) != 0) {
                    append(sb, "DEL_LINK_ORDERLY");
                    rest &= ~DEL_LINK_ORDERLY;
                }
            }
            case CONFIRM_RKEY, DELETE_RKEY -> {
                if ((rest & RKEY_NEG) != 0) {
                    append(sb, "RKEY_NEG");
                    rest &= ~RKEY_NEG;
                }
                if ((rest & RKEY_RETRY) != 0) {
                    append(sb, "RKEY_RETRY");
                    rest &= ~RKEY_RETRY;
                }
            }
            default -> {
            }
        }
        if (rest != 0) {
            append(sb, String.format("unknown 0x%02x", rest));
        }
        return sb.length() == 0 ? "request" : (flags & RESP) != 0 ? sb.toString() : "request|" + sb;
    }

    private static void append(StringBuilder sb, String s) {
        if (sb.length() > 0) {
            sb.append('|');
        }
        sb.append(s);
    }
}
