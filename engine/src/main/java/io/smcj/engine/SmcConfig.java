package io.smcj.engine;

import io.smcj.protocol.Eid;
import io.smcj.protocol.RmbeSize;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Engine configuration. Where the kernel has a sysctl, the key is its name under {@code net.smc.}
 * and the default is the kernel's (Documentation/networking/smc-sysctl.rst); smcj-only settings
 * live under {@code smcj.}. Every value is validated when set, with an error that names the key,
 * the bad value and the accepted range.
 *
 * <p>Immutable; build with {@link #builder()} or {@link #fromProperties(Properties)}.
 */
public final class SmcConfig {
    /** {@code net.smc.autocorking_size}: max bytes corked into one send; 0 disables autocorking. */
    public static final String AUTOCORKING_SIZE = "net.smc.autocorking_size";
    /** {@code net.smc.rmem}: initial RMB size. */
    public static final String RMEM = "net.smc.rmem";
    /** {@code net.smc.wmem}: initial send buffer size. */
    public static final String WMEM = "net.smc.wmem";
    /** {@code net.smc.smcr_max_conns_per_lgr}: v2.1 preferred max connections per link group. */
    public static final String MAX_CONNS_PER_LGR = "net.smc.smcr_max_conns_per_lgr";
    /** {@code net.smc.smcr_max_links_per_lgr}: v2.1 max links per link group. */
    public static final String MAX_LINKS_PER_LGR = "net.smc.smcr_max_links_per_lgr";
    /** {@code net.smc.smcr_testlink_time}: TEST LINK interval in seconds; 0 disables. */
    public static final String TESTLINK_TIME = "net.smc.smcr_testlink_time";
    /** {@code net.smc.limit_smc_hs}: limit concurrent handshakes (fall back under load). */
    public static final String LIMIT_SMC_HS = "net.smc.limit_smc_hs";
    /** {@code net.smc.smcr_max_send_wr}: send work request buffers per link. */
    public static final String MAX_SEND_WR = "net.smc.smcr_max_send_wr";
    /** {@code net.smc.smcr_max_recv_wr}: receive work request buffers per link. */
    public static final String MAX_RECV_WR = "net.smc.smcr_max_recv_wr";
    /** smcj: offer/accept SMC-R v1. */
    public static final String V1_ENABLED = "smcj.v1_enabled";
    /** smcj: offer/accept SMC-R v2. */
    public static final String V2_ENABLED = "smcj.v2_enabled";
    /** smcj: comma-separated user EIDs (the kernel's UEID table, up to 8). */
    public static final String UEIDS = "smcj.ueids";
    /** smcj: system EID, empty for none (Linux only has one on s390 with ISM). */
    public static final String SEID = "smcj.seid";
    /** smcj: memory watermark, total bytes of RMBs and send buffers; beyond it new connections decline with MEM. */
    public static final String BUFFER_MEMORY_LIMIT = "smcj.buffer_memory_limit";
    /**
     * smcj: with limit_smc_hs on, a listener with this many SMC handshakes in flight answers new
     * SYNs without the SMC option (our stand-in for the kernel's {@code smc_hs_congested()}, which
     * asks whether the handshake workqueue {@code smc_hs_wq} is congested).
     */
    public static final String MAX_CONCURRENT_HANDSHAKES = "smcj.max_concurrent_handshakes";
    /**
     * smcj: link group linger after its last connection leaves, seconds (kernel: 600 server / 610
     * client); the client's groups linger this plus 10 s, as the kernel's.
     */
    public static final String LGR_LINGER = "smcj.lgr_linger";
    /**
     * smcj: fall back to TCP (instead of failing the handshake, as Linux does) on a CLC timeout or a
     * malformed CLC message where that is provably safe: the client's wait for the Accept and the
     * server's wait for the Proposal (engine/README.md, "CLC timeout and malformed CLC"). Default on;
     * off = exactly Linux ({@code __smc_connect} / {@code smc_listen_work} fail with a negative code).
     */
    public static final String CLC_ERROR_FALLBACK = "smcj.clc_error_fallback";

    /** Kernel maximum user EIDs ({@code SMC_MAX_UEID}). */
    public static final int MAX_UEIDS = 8;

    private final int autocorkingSize;
    private final int rmem;
    private final int wmem;
    private final int maxConnsPerLgr;
    private final int maxLinksPerLgr;
    private final Duration testlinkTime;
    private final boolean limitSmcHs;
    private final boolean clcErrorFallback;
    private final int maxSendWr;
    private final int maxRecvWr;
    private final boolean v1Enabled;
    private final boolean v2Enabled;
    private final List<Eid> ueids;
    private final String seid;
    private final long bufferMemoryLimit;
    private final int maxConcurrentHandshakes;
    private final Duration lgrLinger;

    private SmcConfig(Builder b) {
        this.autocorkingSize = b.autocorkingSize;
        this.rmem = b.rmem;
        this.wmem = b.wmem;
        this.maxConnsPerLgr = b.maxConnsPerLgr;
        this.maxLinksPerLgr = b.maxLinksPerLgr;
        this.testlinkTime = b.testlinkTime;
        this.limitSmcHs = b.limitSmcHs;
        this.clcErrorFallback = b.clcErrorFallback;
        this.maxSendWr = b.maxSendWr;
        this.maxRecvWr = b.maxRecvWr;
        this.v1Enabled = b.v1Enabled;
        this.v2Enabled = b.v2Enabled;
        this.ueids = List.copyOf(b.ueids);
        this.seid = b.seid;
        this.bufferMemoryLimit = b.bufferMemoryLimit;
        this.maxConcurrentHandshakes = b.maxConcurrentHandshakes;
        this.lgrLinger = b.lgrLinger;
        if (!v1Enabled && !v2Enabled) {
            throw new IllegalArgumentException(V1_ENABLED + " and " + V2_ENABLED
                    + " are both false: SMC would never be offered");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SmcConfig defaults() {
        return builder().build();
    }

    /** Reads the keys above from properties (unknown {@code net.smc.}/{@code smcj.} keys are errors). */
    public static SmcConfig fromProperties(Properties p) {
        Builder b = builder();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("net.smc.") || key.startsWith("smcj.")) {
                b.set(key, p.getProperty(key));
            }
        }
        return b.build();
    }

    public int autocorkingSize() {
        return autocorkingSize;
    }

    public int rmem() {
        return rmem;
    }

    public int wmem() {
        return wmem;
    }

    public int maxConnsPerLgr() {
        return maxConnsPerLgr;
    }

    public int maxLinksPerLgr() {
        return maxLinksPerLgr;
    }

    public Duration testlinkTime() {
        return testlinkTime;
    }

    public boolean limitSmcHs() {
        return limitSmcHs;
    }

    /** {@link #CLC_ERROR_FALLBACK}: CLC timeout / malformed CLC falls back where it is safe. */
    public boolean clcErrorFallback() {
        return clcErrorFallback;
    }

    public int maxSendWr() {
        return maxSendWr;
    }

    public int maxRecvWr() {
        return maxRecvWr;
    }

    public boolean v1Enabled() {
        return v1Enabled;
    }

    public boolean v2Enabled() {
        return v2Enabled;
    }

    public List<Eid> ueids() {
        return ueids;
    }

    /** The system EID text, or empty. */
    public String seid() {
        return seid;
    }

    public long bufferMemoryLimit() {
        return bufferMemoryLimit;
    }

    public int maxConcurrentHandshakes() {
        return maxConcurrentHandshakes;
    }

    public Duration lgrLinger() {
        return lgrLinger;
    }

    /** The RMBE size the kernel would allocate for {@code rmem}: rounded up to an SMC-R size. */
    public int rmbeSize() {
        return RmbeSize.uncompress(RmbeSize.compress(rmem));
    }

    /** Every setting by key, in declaration order (for {@code ./smcj stats} and traces). */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(AUTOCORKING_SIZE, Integer.toString(autocorkingSize));
        m.put(RMEM, Integer.toString(rmem));
        m.put(WMEM, Integer.toString(wmem));
        m.put(MAX_CONNS_PER_LGR, Integer.toString(maxConnsPerLgr));
        m.put(MAX_LINKS_PER_LGR, Integer.toString(maxLinksPerLgr));
        m.put(TESTLINK_TIME, Long.toString(testlinkTime.toSeconds()));
        m.put(LIMIT_SMC_HS, limitSmcHs ? "1" : "0");
        m.put(MAX_SEND_WR, Integer.toString(maxSendWr));
        m.put(MAX_RECV_WR, Integer.toString(maxRecvWr));
        m.put(V1_ENABLED, Boolean.toString(v1Enabled));
        m.put(V2_ENABLED, Boolean.toString(v2Enabled));
        m.put(UEIDS, String.join(",", ueids.stream().map(Eid::text).toList()));
        m.put(SEID, seid);
        m.put(BUFFER_MEMORY_LIMIT, Long.toString(bufferMemoryLimit));
        m.put(MAX_CONCURRENT_HANDSHAKES, Integer.toString(maxConcurrentHandshakes));
        m.put(LGR_LINGER, Long.toString(lgrLinger.toSeconds()));
        m.put(CLC_ERROR_FALLBACK, clcErrorFallback ? "1" : "0");
        return m;
    }

    @Override
    public String toString() {
        return "SmcConfig" + asMap();
    }

    /** Mutable builder; each setter validates immediately. */
    public static final class Builder {
        private int autocorkingSize = 64 * 1024;
        private int rmem = 64 * 1024;
        private int wmem = 64 * 1024;
        private int maxConnsPerLgr = 255;
        private int maxLinksPerLgr = 2;
        private Duration testlinkTime = Duration.ofSeconds(30);
        private boolean limitSmcHs;
        private boolean clcErrorFallback = true;
        private int maxSendWr = 16;
        private int maxRecvWr = 48;
        private boolean v1Enabled = true;
        private boolean v2Enabled = true;
        private final List<Eid> ueids = new ArrayList<>();
        private String seid = "";
        private long bufferMemoryLimit = 1L << 30;
        private int maxConcurrentHandshakes = 64;
        private Duration lgrLinger = Duration.ofSeconds(600);

        private Builder() {
        }

        public Builder autocorkingSize(int v) {
            autocorkingSize = range(AUTOCORKING_SIZE, v, 0, Integer.MAX_VALUE);
            return this;
        }

        /** At least 16 KiB (the kernel's minimum); SMC-R uses at most 512 KiB of it. */
        public Builder rmem(int v) {
            rmem = range(RMEM, v, RmbeSize.MIN_BYTES, Integer.MAX_VALUE);
            return this;
        }

        public Builder wmem(int v) {
            wmem = range(WMEM, v, RmbeSize.MIN_BYTES, Integer.MAX_VALUE);
            return this;
        }

        public Builder maxConnsPerLgr(int v) {
            maxConnsPerLgr = range(MAX_CONNS_PER_LGR, v, 16, 255);
            return this;
        }

        public Builder maxLinksPerLgr(int v) {
            maxLinksPerLgr = range(MAX_LINKS_PER_LGR, v, 1, 2);
            return this;
        }

        public Builder testlinkTime(Duration v) {
            Objects.requireNonNull(v, TESTLINK_TIME);
            if (v.isNegative()) {
                throw new IllegalArgumentException(TESTLINK_TIME + " must be >= 0 (0 = off), got " + v);
            }
            testlinkTime = v;
            return this;
        }

        public Builder limitSmcHs(boolean v) {
            limitSmcHs = v;
            return this;
        }

        /** {@link #CLC_ERROR_FALLBACK}; default true. */
        public Builder clcErrorFallback(boolean v) {
            clcErrorFallback = v;
            return this;
        }

        public Builder maxSendWr(int v) {
            maxSendWr = range(MAX_SEND_WR, v, 2, 2048);
            return this;
        }

        public Builder maxRecvWr(int v) {
            maxRecvWr = range(MAX_RECV_WR, v, 2, 2048);
            return this;
        }

        public Builder v1Enabled(boolean v) {
            v1Enabled = v;
            return this;
        }

        public Builder v2Enabled(boolean v) {
            v2Enabled = v;
            return this;
        }

        /** Adds a user EID (kernel syntax; at most 8; duplicates are an error like the kernel's EEXIST). */
        public Builder addUeid(String text) {
            String why = Eid.invalidReason(text);
            if (why != null) {
                throw new IllegalArgumentException(UEIDS + ": invalid EID '" + text + "': " + why);
            }
            Eid e = Eid.of(text);
            if (ueids.contains(e)) {
                throw new IllegalArgumentException(UEIDS + ": EID '" + text + "' given twice");
            }
            if (ueids.size() == MAX_UEIDS) {
                throw new IllegalArgumentException(UEIDS + ": at most " + MAX_UEIDS + " user EIDs, got more");
            }
            ueids.add(e);
            return this;
        }

        public Builder clearUeids() {
            ueids.clear();
            return this;
        }

        public Builder seid(String v) {
            Objects.requireNonNull(v, SEID);
            if (!v.isEmpty()) {
                String why = Eid.invalidReason(v);
                if (why != null) {
                    throw new IllegalArgumentException(SEID + ": invalid EID '" + v + "': " + why);
                }
            }
            seid = v;
            return this;
        }

        public Builder bufferMemoryLimit(long v) {
            if (v < RmbeSize.MIN_BYTES) {
                throw new IllegalArgumentException(BUFFER_MEMORY_LIMIT + " must be >= " + RmbeSize.MIN_BYTES
                        + " bytes, got " + v);
            }
            bufferMemoryLimit = v;
            return this;
        }

        public Builder maxConcurrentHandshakes(int v) {
            maxConcurrentHandshakes = range(MAX_CONCURRENT_HANDSHAKES, v, 1, 1 << 20);
            return this;
        }

        public Builder lgrLinger(Duration v) {
            Objects.requireNonNull(v, LGR_LINGER);
            if (v.isNegative()) {
                throw new IllegalArgumentException(LGR_LINGER + " must be >= 0, got " + v);
            }
            lgrLinger = v;
            return this;
        }

        /** Sets a value by key from text, as read from a properties file or the command line. */
        public Builder set(String key, String value) {
            Objects.requireNonNull(value, key);
            String v = value.strip();
            switch (key) {
                case AUTOCORKING_SIZE -> autocorkingSize(parseInt(key, v));
                case RMEM -> rmem(parseInt(key, v));
                case WMEM -> wmem(parseInt(key, v));
                case MAX_CONNS_PER_LGR -> maxConnsPerLgr(parseInt(key, v));
                case MAX_LINKS_PER_LGR -> maxLinksPerLgr(parseInt(key, v));
                case TESTLINK_TIME -> testlinkTime(Duration.ofSeconds(parseInt(key, v)));
                case LIMIT_SMC_HS -> limitSmcHs(parseBool01(key, v));
                case MAX_SEND_WR -> maxSendWr(parseInt(key, v));
                case MAX_RECV_WR -> maxRecvWr(parseInt(key, v));
                case V1_ENABLED -> v1Enabled(parseBool01(key, v));
                case V2_ENABLED -> v2Enabled(parseBool01(key, v));
                case UEIDS -> {
                    clearUeids();
                    for (String e : v.split(",")) {
                        if (!e.isBlank()) {
                            addUeid(e.strip());
                        }
                    }
                }
                case SEID -> seid(v);
                case BUFFER_MEMORY_LIMIT -> bufferMemoryLimit(parseLong(key, v));
                case MAX_CONCURRENT_HANDSHAKES -> maxConcurrentHandshakes(parseInt(key, v));
                case LGR_LINGER -> lgrLinger(Duration.ofSeconds(parseInt(key, v)));
                case CLC_ERROR_FALLBACK -> clcErrorFallback(parseBool01(key, v));
                default -> throw new IllegalArgumentException("unknown setting '" + key + "'");
            }
            return this;
        }

        public SmcConfig build() {
            return new SmcConfig(this);
        }

        private static int range(String key, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(key + " must be in " + min + ".." + max + ", got " + v);
            }
            return v;
        }

        private static int parseInt(String key, String v) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'", e);
            }
        }

        private static long parseLong(String key, String v) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'", e);
            }
        }

        private static boolean parseBool01(String key, String v) {
            return switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "1", "true", "on", "yes" -> true;
                case "0", "false", "off", "no" -> false;
                default -> throw new IllegalArgumentException(key + " must be 0/1 or true/false, got '" + v + "'");
            };
        }
    }
}
