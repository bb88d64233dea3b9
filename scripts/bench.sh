#!/usr/bin/env bash
# ./smcj bench [--full] [--only REGEX] [--jfr] [--no-memory] [--out DIR]
# Builds bench/ and runs io.smcj.bench.BenchMain: the JMH benchmarks (smcj over the simulator and
# its baselines -- MemorySegment.copy, java.net.Socket over loopback, Aeron IPC -- in one run),
# then the memory probe. Prints a table, one "bench: <key>=<ratio> ..." line per headline ratio and
# a final "bench: k=v k=v ..." summary line; raw results in bench/target/bench-results.json.
# Default profile: about 3 minutes on 2 cores; --full (~18 min) adds sizes, longer iterations and the
# simulator-only benchmarks (SimWrite, SimLatency).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# the launcher exports JAVA_HOME (JDK >= 22) when called as ./smcj bench
if [ -z "${JAVA_HOME:-}" ]; then exec "$ROOT/smcj" bench "$@"; fi

mvn -B -q -f "$ROOT/pom.xml" -pl bench -am -DskipTests package >&2
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/classpath.txt")"
cd "$ROOT"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "$CP" io.smcj.bench.BenchMain "$@"
