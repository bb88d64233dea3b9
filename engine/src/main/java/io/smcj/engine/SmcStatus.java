package io.smcj.engine;

import io.smcj.protocol.DeclineCode;

/**
 * What a connection ended up on: SMC-R (with version and release) or TCP after a fallback (with
 * the kernel's reason code, as {@code smc->fallback_rsn}, and the peer's diagnosis when the peer
 * declined, as {@code smc->peer_diagnosis}).
 *
 * @param smc            true on SMC-R
 * @param version        1 or 2 (SMC-R), 0 on fallback
 * @param release        v2 release (0 = v2.0, 1 = v2.1), 0 otherwise
 * @param fallbackReason the fallback reason, null on SMC-R
 * @param peerDiagnosis  the peer's decline code (when it declined), else 0
 * @param detail         one line of explanation
 */
public record SmcStatus(boolean smc, int version, int release, DeclineCode fallbackReason, int peerDiagnosis,
                        String detail) {

    static SmcStatus smcr(int version, int release, String detail) {
        return new SmcStatus(true, version, release, null, 0, detail);
    }

    static SmcStatus fallback(DeclineCode reason, int peerDiagnosis, String detail) {
        return new SmcStatus(false, 0, 0, reason, peerDiagnosis, detail);
    }

    @Override
    public String toString() {
        if (smc) {
            return "SMC-R v" + version + (version >= 2 ? "." + release : "") + " (" + detail + ")";
        }
        return "TCP fallback: " + fallbackReason.name() + " 0x" + String.format("%08x", fallbackReason.value())
                + (peerDiagnosis != 0 ? " peer_diagnosis 0x" + String.format("%08x", peerDiagnosis) : "")
                + " (" + detail + ")";
    }
}
