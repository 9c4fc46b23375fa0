#!/usr/bin/env bash
# `make test-stress`: the parallel phase of the Swift tests with `stress-ng --cpu N` (N = the
# machine's cores) running beside it, so a test that depends on the machine being idle fails
# here rather than in CI. The hog is stopped however the phase ends; the phase's status is ours.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v stress-ng >/dev/null || { echo "test-stress: stress-ng is missing; run \`make setup\`" >&2; exit 1; }
cores="$(nproc)"
stress-ng --cpu "$cores" --timeout 3600s --quiet &
hog=$!
trap 'kill "$hog" 2>/dev/null; wait "$hog" 2>/dev/null || true' EXIT
echo "test-stress: stress-ng --cpu $cores running (pid $hog)" >&2
start=$(date +%s)
status=0
make --no-print-directory test-parallel || status=$?
echo "test-stress: parallel phase ended with status $status after $(( $(date +%s) - start )) s under load" >&2
exit "$status"
