#!/usr/bin/env bash
# The PDQ match-index benchmark (issue 16): a synthetic bank with planted near matches at
# distances 0..40, lookups/s, p50/p99, recall and precision against brute force, build time, memory.
#   bench/hashbank/run.sh [--count N] [--queries Q] [--threshold T] [--brute B]
# Default N is 10,000,000 (about 1.6 GB resident at its peak). SKIP_BUILD=1 reuses the build.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product HashBankBench >/dev/null
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
exec "$(swift build -c release --show-bin-path)/HashBankBench" "$@"
