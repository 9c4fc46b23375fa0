#!/usr/bin/env bash
# The job queue end to end, with release builds of `lenscale` on PostgreSQL (scale-out) and
# SQLite (embedded), file store:
#
#  1. Sustained throughput: N JPEGs submitted with `ingest --async`, then 1 and then 2
#     `lenscale worker --exit-when-idle` processes on the same set (fresh database each time);
#     images/s from the workers' start until the last one exits (queue drained).
#  2. The Pinterest scenario: 100 real-photo JPEGs of about 200 KB in one `ingest --async` call
#     while one worker idles (model loaded, waiting on NOTIFY / the in-process poll). Time to the
#     acknowledgement (the batch id; every image stored and enqueued), and time until the batch
#     is complete (all 100 labelled and embedded).
#
# Usage: bench/jobs/run.sh [images-for-throughput] [runs]
# Each figure is the median of `runs`; the per-run figures are printed too.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-300}
runs=${2:-3}
bin=${LENSCALE_BIN:-.build/release/lenscale}
[ -x "$bin" ] || swift build -c release
export LENSCALE_MODELS=${LENSCALE_MODELS:-$PWD/models}
set_dir=bench/out/jobs-set$count
photo_dir=bench/out/jobs-200kb
.venv/bin/python bench/make_jpeg_set.py --shared "${SHARED:-../shared}" --out "$set_dir" --count "$count" --seed 4 \
  --min-side 300 --max-side 1600 >&2
.venv/bin/python bench/make_jpeg_set.py --shared "${SHARED:-../shared}" --out "$photo_dir" --count 100 --seed 5 \
  --min-side 1100 --max-side 1400 >&2
avg_kb=$(du -sk "$photo_dir" | awk '{printf "%d", $1 / 100}')
pg_url=$(bash tools/postgres.sh start)
work=$(mktemp -d /tmp/lenscale-bench-jobs.XXXXXX)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# fresh_location <backend> <tag>: prints the --catalog/--data arguments of an empty workspace.
fresh_location() {
  local backend=$1 tag=$2 data="$work/$1-$2"
  rm -rf "$data"
  if [ "$backend" = postgres ]; then
    local schema="bench_jobs_${tag}_$$"
    psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null
    echo "--data $data --catalog $pg_url?schema=$schema"
  else
    echo "--data $data"
  fi
}

drop_schemas() {
  psql -qAt "$pg_url" -c "SELECT 'DROP SCHEMA ' || nspname || ' CASCADE;' FROM pg_namespace WHERE nspname LIKE 'bench_jobs_%_$$'" \
    | psql -q "$pg_url" >/dev/null 2>&1 || true
}
trap 'drop_schemas; rm -rf "$work"' EXIT

for backend in postgres sqlite; do
  for workers in 1 2; do
    rates=()
    for run in $(seq 1 "$runs"); do
      loc=$(fresh_location "$backend" "t${workers}_$run")
      # shellcheck disable=SC2086
      "$bin" ingest --async "$set_dir" $loc >/dev/null 2>&1
      threads=$(( $(nproc) / workers )); [ "$threads" -ge 1 ] || threads=1
      start=$(now)
      pids=()
      for w in $(seq 1 "$workers"); do
        # shellcheck disable=SC2086
        "$bin" worker --exit-when-idle --threads "$threads" $loc 2>"$work/worker-$w.log" & pids+=($!)
      done
      for pid in "${pids[@]}"; do wait "$pid"; done
      end=$(now)
      rate=$(awk -v n="$count" -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", n / (e - s)}')
      echo "$backend throughput, $workers worker(s), run $run: $rate images/s ($count images, incl. model load)" >&2
      rates+=("$rate")
    done
    printf '%s\n' "${rates[@]}" | median | awk -v b="$backend" -v w="$workers" -v n="$count" \
      '{printf "%s: sustained throughput with %d worker(s): %.1f images/s (median, %d images)\n", b, w, $1, n}'
  done

  acks=(); dones=()
  for run in $(seq 1 "$runs"); do
    loc=$(fresh_location "$backend" "p_$run")
    # shellcheck disable=SC2086
    "$bin" worker $loc 2>"$work/idle-worker.log" & worker=$!
    # Wait until the worker has loaded its model and is idle.
    for _ in $(seq 1 600); do grep -q "batches of" "$work/idle-worker.log" && break; sleep 0.1; done
    sleep 1
    start=$(now)
    # shellcheck disable=SC2086
    batch=$("$bin" ingest --async "$photo_dir" $loc 2>/dev/null)
    ack=$(now)
    # shellcheck disable=SC2086
    until "$bin" queue stats --format json $loc 2>/dev/null | grep -q '"done" : 100'; do sleep 0.05; done
    done_at=$(now)
    kill -TERM "$worker"; wait "$worker" || true
    a=$(awk -v s="$start" -v e="$ack" 'BEGIN {printf "%.2f", e - s}')
    d=$(awk -v s="$start" -v e="$done_at" 'BEGIN {printf "%.2f", e - s}')
    echo "$backend 100 x ${avg_kb} KB photos, run $run: batch $batch acknowledged in $a s, all labelled and embedded in $d s" >&2
    acks+=("$a"); dones+=("$d")
  done
  a=$(printf '%s\n' "${acks[@]}" | median)
  d=$(printf '%s\n' "${dones[@]}" | median)
  echo "$backend: 100 photos of ~${avg_kb} KB: acknowledged in $a s, all labelled and embedded in $d s (medians of $runs, one idle worker, CLI process start included)"
done
