#!/usr/bin/env bash
# Ingest throughput while PostgreSQL restarts, against the same run without faults.
#
# N JPEGs are submitted with `ingest --async`, then W `lenscale worker --exit-when-idle`
# processes drain the queue on the scale-out catalog (fresh schema each run). In the fault runs
# PostgreSQL is restarted (`pg_ctlcluster ... restart -m fast`) every R seconds until the queue
# is drained. Throughout each run a prober calls `lenscale queue stats` back to back: the longest
# of those calls is the longest stall a client saw (CLI start-up, about 0.1 s, included).
#
# It restarts the machine's PostgreSQL: run it alone, never beside tests.
#
# Usage: bench/faults/run.sh [images] [runs] [restart-every-seconds] [workers]
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-500}
runs=${2:-3}
every=${3:-8}
workers=${4:-2}
bin=${LENSCALE_BIN:-.build/release/lenscale}
[ -x "$bin" ] || swift build -c release
export LENSCALE_MODELS=${LENSCALE_MODELS:-$PWD/models}
set_dir=bench/out/faults-set$count
.venv/bin/python bench/make_jpeg_set.py --shared "${SHARED:-../shared}" --out "$set_dir" --count "$count" --seed 11 \
  --min-side 300 --max-side 1200 >&2
pg_url=$(bash tools/postgres.sh start)
work=$(mktemp -d /tmp/lenscale-bench-faults.XXXXXX)
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
drop_schemas() {
  psql -qAt "$pg_url" -c "SELECT 'DROP SCHEMA ' || nspname || ' CASCADE;' FROM pg_namespace WHERE nspname LIKE 'bench_faults_%_$$'" \
    | psql -q "$pg_url" >/dev/null 2>&1 || true
}
# The workers' logs outlive the run (bench/out/faults-logs), to tell where a slow run's time went.
keep_logs() { rm -rf bench/out/faults-logs; mkdir -p bench/out/faults-logs; cp "$work"/*-worker-*.log bench/out/faults-logs/ 2>/dev/null || true; }
trap 'keep_logs; drop_schemas; rm -rf "$work"' EXIT

# one_run <tag> <restart:0|1>: prints "<images/s> <longest stall s> <restarts>"
one_run() {
  local tag=$1 faults=$2 schema="bench_faults_${1}_$$"
  psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
  local loc=(--catalog "$pg_url?schema=$schema" --data "$work/$tag")
  "$bin" ingest --async "$set_dir" "${loc[@]}" >/dev/null 2>&1
  local threads=$(( $(nproc) / workers )); [ "$threads" -ge 1 ] || threads=1
  local start pids=() end
  start=$(now)
  for w in $(seq 1 "$workers"); do
    "$bin" worker --exit-when-idle --threads "$threads" --catalog "$pg_url?schema=$schema" --data "$work/$tag/host-$w" \
      --store "$work/$tag/objects" 2>"$work/$tag-worker-$w.log" & pids+=($!)
  done
  # The prober: one `queue stats` after another, each call's duration to a file.
  ( while :; do
      s=$(now); "$bin" queue stats "${loc[@]}" >/dev/null 2>&1 || true; e=$(now)
      awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f\n", e - s}'
    done >"$work/$tag-probe.txt" ) & local prober=$!
  local restarts=0
  if [ "$faults" = 1 ]; then
    ( n=0; while sleep "$every"; do
        pg_ctlcluster 15 main restart -m fast >/dev/null 2>&1; n=$((n + 1)); echo "$n" >"$work/$tag-restarts"
      done ) & local restarter=$!
  fi
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  end=$(now)
  if [ "$faults" = 1 ]; then kill "$restarter" 2>/dev/null; wait "$restarter" 2>/dev/null || true
    restarts=$(cat "$work/$tag-restarts" 2>/dev/null || echo 0); bash tools/postgres.sh start >/dev/null 2>&1; fi
  kill "$prober" 2>/dev/null; wait "$prober" 2>/dev/null || true
  local done_count
  done_count=$("$bin" queue stats --format json "${loc[@]}" 2>/dev/null | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["counts"].get("done", 0))')
  [ "$done_count" = "$count" ] || echo "run $tag: only $done_count of $count jobs done" >&2
  local stall
  stall=$(sort -n "$work/$tag-probe.txt" | tail -1)
  awk -v n="$count" -v s="$start" -v e="$end" -v st="$stall" -v r="$restarts" 'BEGIN {printf "%.1f %.2f %d\n", n / (e - s), st, r}'
}

for faults in 0 1; do
  rates=(); stalls=()
  for run in $(seq 1 "$runs"); do
    read -r rate stall restarts < <(one_run "f${faults}r$run" "$faults")
    label=$([ "$faults" = 1 ] && echo "restart every ${every} s ($restarts restarts)" || echo "no faults")
    echo "run $run, $label: $rate images/s, longest stall $stall s" >&2
    rates+=("$rate"); stalls+=("$stall")
  done
  r=$(printf '%s\n' "${rates[@]}" | median); s=$(printf '%s\n' "${stalls[@]}" | median)
  if [ "$faults" = 0 ]; then base=$r; base_stall=$s
    echo "no faults: $r images/s, longest stall $s s (medians of $runs; $count images, $workers workers)"
  else
    awk -v r="$r" -v b="$base" -v s="$s" -v e="$every" -v n="$runs" \
      'BEGIN {printf "PostgreSQL restarted every %s s: %s images/s (%.0f%% of no faults), longest stall %s s (medians of %d)\n", e, r, 100 * r / b, s, n}'
  fi
done
