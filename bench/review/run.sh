#!/usr/bin/env bash
# Moderation over HTTP (release build): the light stage's added p99 on the online path, upload
# to heavy decision, review API throughput. See measure.py. Usage: bench/review/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
bin=${LENSCALE_BIN:-.build/release/lenscale}
[ -x "$bin" ] || swift build -c release --product lenscale
for run in $(seq "$runs"); do
  echo "== run $run"
  .venv/bin/python bench/review/measure.py --bin "$bin"
done
