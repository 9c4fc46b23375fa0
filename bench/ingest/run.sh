#!/usr/bin/env bash
# Ingest throughput: 1,000 JPEGs into an embedded workspace (SQLite + files) and into PostgreSQL,
# each beside `lenscale classify` on the same files in the same run, so the figure that matters
# is the ratio: what storing, cataloguing and indexing add to decoding and inference.
# Usage: bench/ingest/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
set_dir=bench/out/set1000
.venv/bin/python bench/make_jpeg_set.py --shared "${SHARED:-../shared}" --out "$set_dir" --count 1000 --seed 1000
bin=${LENSCALE_BIN:-.build/release/lenscale}
[ -x "$bin" ] || swift build -c release
pg_url=$(bash tools/postgres.sh start)
megabytes=$(du -sm "$set_dir" | cut -f1)
seconds() { grep -oE 'in [0-9.]+ s' | head -1 | grep -oE '[0-9.]+'; }
for run in $(seq 1 "$runs"); do
  c=$("$bin" classify "$set_dir" --format jsonl 2>&1 >/dev/null | tail -1 | seconds)
  rm -rf bench/out/ingest-data
  s=$("$bin" ingest "$set_dir" --data bench/out/ingest-data --format jsonl 2>&1 >/dev/null | tail -1 | seconds)
  schema="bench_ingest_${run}_$$"
  psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
  rm -rf bench/out/ingest-data-pg
  p=$("$bin" ingest "$set_dir" --catalog "$pg_url?schema=$schema" --data bench/out/ingest-data-pg --format jsonl 2>&1 >/dev/null | tail -1 | seconds)
  psql -q "$pg_url" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
  awk -v c="$c" -v s="$s" -v p="$p" -v mb="$megabytes" -v run="$run" 'BEGIN {
    printf "run %d: classify %.1f img/s | ingest SQLite %.1f img/s %.1f MB/s (%.2fx classify) | ingest PostgreSQL %.1f img/s %.1f MB/s (%.2fx classify)\n",
      run, 1000 / c, 1000 / s, mb / s, c / s, 1000 / p, mb / p, c / p }'
done
