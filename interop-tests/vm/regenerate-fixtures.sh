#!/usr/bin/env bash
# Regenerates fixtures/kernel-6.12-harness/*.pcap: runs the kernel-to-kernel smoke test with its
# capture directory pointed there (boots the VMs if they are not up; needs root and QEMU).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/fixtures/kernel-6.12-harness"
mkdir -p "$OUT"
if [ -z "${JAVA_HOME:-}" ]; then
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do [ -x "$d/bin/javac" ] && { export JAVA_HOME="$d"; break; }; done
fi
mvn -B -q -f "$ROOT/pom.xml" -pl interop-tests -am test -Dtest=KernelToKernelSmokeTest \
  -Dsurefire.failIfNoSpecifiedTests=false -Dsmcj.vm.captureDir="$OUT"
ls -l "$OUT"/*.pcap
