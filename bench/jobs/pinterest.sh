#!/usr/bin/env bash
# The Pinterest scenario over HTTP against a release `lenscale serve` on the embedded defaults:
# 100 JPEGs of about 200 KB in one POST /v1/batches; time to the 202 and until all are labelled.
#   bench/jobs/pinterest.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
port=${PORT:-18180}
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product lenscale >/dev/null
bin=.build/release/lenscale
# About 200 KB each: 1200-1500 px at quality 70-95.
.venv/bin/python bench/make_jpeg_set.py --shared "${SHARED:-../shared}" --out bench/out/pinterest-set --count $((runs * 100)) \
  --min-side 1200 --max-side 1500 --seed 7 >/dev/null
data=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
token=$("$bin" keys create --scope ingest --scope read --name bench --data "$data" 2>/dev/null)
"$bin" serve --data "$data" --port "$port" >"$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
.venv/bin/python bench/jobs/pinterest.py --url "http://127.0.0.1:$port" --token "$token" --images bench/out/pinterest-set --runs "$runs" \
  | tee bench/out/pinterest.txt
