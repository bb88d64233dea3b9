#!/usr/bin/env bash
# ./smcj test: installs what the tests need, then runs the whole suite (unit, property,
# simulator end-to-end, tshark cross-checks, kernel VM interop when QEMU can run here).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/ensure-deps.sh"
# launcher already exported JAVA_HOME (JDK >= 22) when called as ./smcj test
if [ -z "${JAVA_HOME:-}" ]; then exec "$ROOT/smcj" test "$@"; fi
# Property tests run 10,000 tries per property here, as in CI.
exec mvn -B -f "$ROOT/pom.xml" -Dsmcj.jqwik.tries=10000 "$@" verify
