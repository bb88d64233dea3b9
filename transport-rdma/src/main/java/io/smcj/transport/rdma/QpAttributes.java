package io.smcj.transport.rdma;

/**
 * The attributes given to the RESET&rarr;INIT&rarr;RTR&rarr;RTS transitions ({@code ibv_modify_qp}).
 * Timer values use the IB encodings.
 */
public final class QpAttributes {
    private QpAttributes() {}

    /**
     * RESET&rarr;INIT.
     *
     * @param portNum physical port, from 1
     * @param pkeyIndex P_Key index (0 for RoCE)
     * @param accessFlags remote access the QP allows as responder ({@link AccessFlags})
     */
    public record Init(int portNum, int pkeyIndex, int accessFlags) {}

    /**
     * INIT&rarr;RTR.
     *
     * @param remoteQpn destination QP number (24 bit)
     * @param remoteGid destination GID (grh.dgid)
     * @param sgidIndex local GID index (grh.sgid_index)
     * @param rqPsn expected first receive PSN (24 bit)
     * @param pathMtu path MTU, at most the port's active MTU
     * @param maxDestRdAtomic responder resources for RDMA READ/atomics
     * @param minRnrTimer IB encoding 0..31 of the RNR NAK timer this QP advertises as responder
     *                    (1 = 0.01 ms .. 31 = 491.52 ms, 0 = 655.36 ms)
     */
    public record Rtr(int remoteQpn, VerbsGid remoteGid, int sgidIndex, int rqPsn, Mtu pathMtu, int maxDestRdAtomic,
                      int minRnrTimer) {}

    /**
     * RTR&rarr;RTS.
     *
     * @param sqPsn first send PSN (24 bit)
     * @param timeout local ACK timeout, IB encoding: 4.096 us * 2^timeout (0 = infinite)
     * @param retryCnt transport retries 0..7
     * @param rnrRetry RNR retries 0..7, 7 = infinite
     * @param maxRdAtomic initiator depth for RDMA READ/atomics
     */
    public record Rts(int sqPsn, int timeout, int retryCnt, int rnrRetry, int maxRdAtomic) {}

    /** The ACK timeout in nanoseconds for an IB encoding (0 = infinite, returned as -1). */
    public static long timeoutNanos(int timeout) {
        if (timeout == 0) {
            return -1;
        }
        return 4096L << timeout; // 4.096 us * 2^timeout
    }

    private static final long[] RNR_TIMER_NANOS_X100 = {
        65536, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048,
        3072, 4096, 6144, 8192, 12288, 16384, 24576, 32768, 49152
    };

    /** The RNR NAK timer in nanoseconds for an IB encoding 0..31 (0 = 655.36 ms, 1 = 10 us). */
    public static long rnrTimerNanos(int minRnrTimer) {
        if (minRnrTimer < 0 || minRnrTimer > 31) {
            throw new IllegalArgumentException("min_rnr_timer 0..31: " + minRnrTimer);
        }
        return RNR_TIMER_NANOS_X100[minRnrTimer] * 10_000L;
    }
}
