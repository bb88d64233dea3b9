#!/usr/bin/env bash
# ./smcj bench [--full] [extra JMH args]: builds bench/ and runs the simulator JMH benchmarks.
# Default profile: 1 fork, 2 x 0.5 s warmup, 3 x 1 s measurement (about 2 minutes on 2 cores).
# --full: 5 x 2 s warmup, 5 x 2 s measurement. Prints, per size,
#   bench: sim-write-<size>/memcpy=<ratio>   (simulator RDMA WRITE bandwidth / MemorySegment.copy
#          bandwidth, from median times per write; batches of 128 writes per sample)
#   bench: sim-latency-<benchmark>-<mode> p50=<ns> p99=<ns> mean=<ns>
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# the launcher exports JAVA_HOME (JDK >= 22) when called as ./smcj bench
if [ -z "${JAVA_HOME:-}" ]; then exec "$ROOT/smcj" bench "$@"; fi

PROFILE=(-f 1 -wi 2 -w 500ms -i 3 -r 1s)
if [ "${1:-}" = "--full" ]; then PROFILE=(-f 1 -wi 5 -w 2s -i 5 -r 2s); shift; fi

mvn -B -q -f "$ROOT/pom.xml" -pl bench -am -DskipTests package >&2
OUT="$ROOT/bench/target/jmh"
mkdir -p "$OUT"
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/classpath.txt")"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$CP" org.openjdk.jmh.Main \
  'io\.smcj\.bench\.Sim(Write|Latency)Benchmark\..*' "${PROFILE[@]}" \
  -rf csv -rff "$OUT/sim.csv" "$@" >"$OUT/sim.log" 2>&1 || { tail -40 "$OUT/sim.log" >&2; exit 1; }

# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: mode","Param: size"
awk -F, '
  function uq(s) { gsub(/"/, "", s); return s }
  { sub(/\r$/, "") }  # JMH writes CRLF
  NR == 1 { for (i = 1; i <= NF; i++) { h = uq($i); if (h == "Param: size") sc = i; if (h == "Param: mode") mc = i }; next }
  {
    b = uq($1); score = uq($5)
    if (b ~ /SimWriteBenchmark\.simWrite$/) sim[uq($sc)] = score
    else if (b ~ /SimWriteBenchmark\.memcpy$/) cp[uq($sc)] = score
    else if (b ~ /SimWriteBenchmark\.simWrite:p0\.50$/) sim50[uq($sc)] = score
    else if (b ~ /SimWriteBenchmark\.memcpy:p0\.50$/) cp50[uq($sc)] = score
    else if (b ~ /SimLatencyBenchmark\./) {
      name = b; sub(/^.*SimLatencyBenchmark\./, "", name); key = name "-" uq($mc)
      if (name ~ /:p0\.50$/) { k = key; sub(/:p0\.50/, "", k); p50[k] = score }
      else if (name ~ /:p0\.99$/) { k = key; sub(/:p0\.99/, "", k); p99[k] = score }
      else if (name !~ /:/) { mean[key] = score; order[++n] = key }
    }
  }
  END {
    split("64 256 1024 4096 16384 65536 262144 1048576", sizes, " ")
    for (i = 1; i <= 8; i++) { s = sizes[i]
      if ((s in sim50) && (s in cp50) && sim50[s] > 0 && sim[s] > 0)
        printf "bench: sim-write-%s/memcpy=%.3f (median ns/write: sim %.1f, memcpy %.1f; ratio of means %.3f)\n", \
          s, cp50[s] / sim50[s], sim50[s], cp50[s], cp[s] / sim[s] }
    for (i = 1; i <= n; i++) { k = order[i]
      printf "bench: sim-latency-%s p50=%.0fns p99=%.0fns mean=%.0fns\n", k, p50[k], p99[k], mean[k] }
  }' "$OUT/sim.csv"
echo "bench: raw JMH output in $OUT/sim.log and $OUT/sim.csv" >&2
