package io.smcj.tools;

import io.smcj.cdc.CdcCursor;
import io.smcj.cdc.CdcMessage;
import io.smcj.protocol.Described;
import io.smcj.protocol.Fields;
import io.smcj.protocol.Hex;

/**
 * The {@link Described} view of a {@link CdcMessage} with the member names of the kernel's
 * {@code struct smc_cdc_msg} ({@code net/smc/smc_cdc.h}). {@code CdcMessage} has its own text
 * {@code describe()} (a String), so it cannot implement {@code Described} itself; this adapter gives
 * the decode tool and the tshark cross-check the common field tree.
 */
public record CdcDescription(CdcMessage message) implements Described {
    @Override
    public String messageName() {
        return "CDC";
    }

    @Override
    public Fields describe() {
        CdcMessage m = message;
        Fields f = new Fields();
        f.addHex("type", CdcMessage.TYPE, CdcMessage.TYPE_OFFSET, "SMC_CDC_MSG_TYPE");
        f.add("len", CdcMessage.LENGTH, CdcMessage.LENGTH_OFFSET);
        f.add("seqno", m.seqno(), CdcMessage.SEQNO_OFFSET);
        f.add("token", m.token().unsigned(), CdcMessage.TOKEN_OFFSET, String.format("0x%08x", m.token().value()));
        f.add("prod", cursor(m.prod(), CdcMessage.PROD_OFFSET), CdcMessage.PROD_OFFSET);
        f.add("cons", cursor(m.cons(), CdcMessage.CONS_OFFSET), CdcMessage.CONS_OFFSET);
        int pf = m.prodFlags().raw();
        int o = CdcMessage.PROD_FLAGS_OFFSET;
        f.addHex("prod_flags", pf, o, names(pf, "write_blocked", "urg_data_pending", "urg_data_present",
                "cons_curs_upd_req", "failover_validation"));
        f.add("write_blocked", (pf & 0x80) != 0, o);
        f.add("urg_data_pending", (pf & 0x40) != 0, o);
        f.add("urg_data_present", (pf & 0x20) != 0, o);
        f.add("cons_curs_upd_req", (pf & 0x10) != 0, o);
        f.add("failover_validation", (pf & 0x08) != 0, o);
        int cf = m.connStateFlags().raw();
        o = CdcMessage.CONN_STATE_FLAGS_OFFSET;
        f.addHex("conn_state_flags", cf, o, names(cf, "peer_done_writing", "peer_conn_closed", "peer_conn_abort"));
        f.add("peer_done_writing", (cf & 0x80) != 0, o);
        f.add("peer_conn_closed", (cf & 0x40) != 0, o);
        f.add("peer_conn_abort", (cf & 0x20) != 0, o);
        f.add("reserved", Hex.of(m.reserved()), CdcMessage.RESERVED_OFFSET);
        return f;
    }

    private static Fields cursor(CdcCursor c, int off) {
        return new Fields()
                .add("reserved", c.reserved(), off)
                .add("wrap", c.wrap(), off + 2)
                .add("count", c.count(), off + 4);
    }

    /** "[write_blocked cons_curs_upd_req]" for the set bits from 0x80 down. */
    static String names(int raw, String... msbFirst) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < msbFirst.length; i++) {
            if ((raw & (0x80 >> i)) != 0) {
                sb.append(sb.length() > 1 ? " " : "").append(msbFirst[i]);
            }
        }
        int reservedBits = raw & ((0x80 >> msbFirst.length << 1) - 1);
        if (reservedBits != 0) {
            sb.append(sb.length() > 1 ? " " : "").append(String.format("reserved=0x%x", reservedBits));
        }
        return sb.append(']').toString();
    }
}
