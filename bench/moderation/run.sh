#!/usr/bin/env bash
# Moderation cascade costs (release build, 1 ORT thread per session):
#   * the light stage's added latency per image (NudeNet 320 letterbox + run + decode + policy,
#     on the image the classifier already decoded), p50/p99, beside classify itself (decode +
#     EfficientNet-Lite0) in the same run; the online budget is <= 20 ms added p99;
#   * each heavy recipe's time per image (decode, NudeNet passes, EfficientNet-Lite2, policy),
#     with the top NudeNet class score each gives per photo: how the recipe was chosen;
#   * review-store throughput: two reviewers claiming and deciding concurrently until the queue
#     is empty, on SQLite and on PostgreSQL.
# Usage: bench/moderation/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
bin=${LENSCALE_BIN:-.build/release/lenscale}
[ -x "$bin" ] || swift build -c release --product lenscale
pg_url=$(bash tools/postgres.sh start)
schema="bench_moderation_$$"
psql -q "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
trap 'psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1' EXIT
shopt -s nullglob
images=("${SHARED:-../shared}"/images/*.jpg "${SHARED:-../shared}"/images/*.png)
echo "other load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15-min load average)"
"$bin" moderate bench "${images[@]}" --policy config/moderation-policy.yaml --runs "$runs" \
  --postgres "$pg_url?schema=$schema"
