package io.smcj.cdc;

/**
 * The CDC producer flags byte (offset 24), {@code struct smc_cdc_producer_flags} in
 * {@code net/smc/smc.h}. The kernel declares the bitfield most significant bit first under
 * {@code __BIG_ENDIAN_BITFIELD} (and in reverse under {@code __LITTLE_ENDIAN_BITFIELD}), so on the
 * wire {@code write_blocked} is bit 0x80:
 *
 * <pre>
 *   0x80 write_blocked        writer has no space in the peer's RMBE
 *   0x40 urg_data_pending     urgent data is on its way (MSG_OOB)
 *   0x20 urg_data_present     the byte before the producer cursor is the urgent byte
 *   0x10 cons_curs_upd_req    please send your consumer cursor
 *   0x08 failover_validation  message replay due to link failover
 *   0x07 reserved             ignored by the kernel; kept so re-encoding is exact
 * </pre>
 *
 * @param raw the whole byte (0..255), including reserved bits
 */
public record ProducerFlags(int raw) {
    public static final int WRITE_BLOCKED = 0x80;
    public static final int URG_DATA_PENDING = 0x40;
    public static final int URG_DATA_PRESENT = 0x20;
    public static final int CONS_CURS_UPD_REQ = 0x10;
    public static final int FAILOVER_VALIDATION = 0x08;
    public static final int RESERVED_MASK = 0x07;

    public static final ProducerFlags NONE = new ProducerFlags(0);

    public ProducerFlags {
        if (raw < 0 || raw > 0xFF) {
            throw new IllegalArgumentException("producer flags is one byte, got " + raw);
        }
    }

    public static ProducerFlags of(boolean writeBlocked, boolean urgDataPending, boolean urgDataPresent,
            boolean consCursUpdReq, boolean failoverValidation) {
        return new ProducerFlags((writeBlocked ? WRITE_BLOCKED : 0) | (urgDataPending ? URG_DATA_PENDING : 0)
                | (urgDataPresent ? URG_DATA_PRESENT : 0) | (consCursUpdReq ? CONS_CURS_UPD_REQ : 0)
                | (failoverValidation ? FAILOVER_VALIDATION : 0));
    }

    public boolean writeBlocked() {
        return (raw & WRITE_BLOCKED) != 0;
    }

    public boolean urgDataPending() {
        return (raw & URG_DATA_PENDING) != 0;
    }

    public boolean urgDataPresent() {
        return (raw & URG_DATA_PRESENT) != 0;
    }

    public boolean consCursUpdReq() {
        return (raw & CONS_CURS_UPD_REQ) != 0;
    }

    public boolean failoverValidation() {
        return (raw & FAILOVER_VALIDATION) != 0;
    }

    /** The three reserved low bits (0 from a conforming sender). */
    public int reserved() {
        return raw & RESERVED_MASK;
    }

    public ProducerFlags with(int mask, boolean on) {
        return new ProducerFlags(on ? raw | mask : raw & ~mask);
    }

    public ProducerFlags withWriteBlocked(boolean on) {
        return with(WRITE_BLOCKED, on);
    }

    public ProducerFlags withUrgDataPending(boolean on) {
        return with(URG_DATA_PENDING, on);
    }

    public ProducerFlags withUrgDataPresent(boolean on) {
        return with(URG_DATA_PRESENT, on);
    }

    public ProducerFlags withConsCursUpdReq(boolean on) {
        return with(CONS_CURS_UPD_REQ, on);
    }

    public ProducerFlags withFailoverValidation(boolean on) {
        return with(FAILOVER_VALIDATION, on);
    }

    /** E.g. {@code 0x90 [write_blocked cons_curs_upd_req]}, {@code 0x00 []}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("0x%02x [", raw));
        String sep = "";
        if (writeBlocked()) { sb.append(sep).append("write_blocked"); sep = " "; }
        if (urgDataPending()) { sb.append(sep).append("urg_data_pending"); sep = " "; }
        if (urgDataPresent()) { sb.append(sep).append("urg_data_present"); sep = " "; }
        if (consCursUpdReq()) { sb.append(sep).append("cons_curs_upd_req"); sep = " "; }
        if (failoverValidation()) { sb.append(sep).append("failover_validation"); sep = " "; }
        if (reserved() != 0) { sb.append(sep).append(String.format("reserved=0x%x", reserved())); }
        return sb.append(']').toString();
    }
}
