#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/test-packages.txt that are missing.
# Never fails the build by itself: a missing tool makes the tests that need it skip loudly.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIST="$ROOT/scripts/test-packages.txt"
missing=()
while read -r pkg cmd _; do
  [ -z "${pkg:-}" ] && continue
  case "$pkg" in \#*) continue ;; esac
  if [ -n "${cmd:-}" ]; then command -v "$cmd" >/dev/null 2>&1 && continue
  else dpkg -s "$pkg" >/dev/null 2>&1 && continue; fi
  missing+=("$pkg")
done < "$LIST"
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "smcj: SKIP-WARNING cannot install ${missing[*]} (needs root and apt-get); tests that need them will be skipped" >&2
  exit 0
fi
echo "smcj: installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/smcj-apt.log 2>&1; then
  apt-get update -q >/tmp/smcj-apt-update.log 2>&1 || true
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/smcj-apt.log 2>&1 \
    || echo "smcj: SKIP-WARNING apt-get install ${missing[*]} failed (see /tmp/smcj-apt.log); tests that need them will be skipped" >&2
fi
exit 0
