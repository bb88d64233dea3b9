package io.smcj.simulator;

/**
 * One simulator trace event. {@link #line()} is the stable text format:
 * {@code <seq> t=<virtual ns> <KIND> <device> qp=<qpn hex> wr=<wr_id> <detail>} (t is 0 in fast
 * mode, where real time would make traces differ between runs). Simulated TCP events use kind
 * TCP with the flow {@code <local>><remote>} as device.
 */
public record TraceEvent(long seq, long time, Kind kind, String device, int qpNum, long wrId, String detail) {

    public enum Kind { POST_SEND, POST_RECV, EXECUTE, RETRY, RNR, COMPLETE, QP_STATE, FAULT, ASYNC, TCP }

    public String line() {
        return seq + " t=" + time + " " + kind + " " + device + " qp=0x" + Integer.toHexString(qpNum) + " wr=" + wrId
                + (detail.isEmpty() ? "" : " " + detail);
    }

    @Override
    public String toString() {
        return line();
    }
}
