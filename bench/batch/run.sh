#!/usr/bin/env bash
# Benchmark: `lenscale batch` (a) against the Python peer tools/peers/python_batch.py (b: Pillow
# draft() decode in a multiprocessing pool + onnxruntime) and the inference ceiling (c: ONNX
# Runtime alone on pre-decoded tensors, best of 1 session x T threads and T sessions x 1 thread),
# same model, threads and batch size, side by side, alternating, several runs, medians.
# Then: how (a) scales from 1 to 2 cores (taskset), and --shard over 2 processes of 1 core each.
#
# Usage: bench/batch/run.sh [runs] [threads]     (SCRATCH=.build-x to use another build folder)
# The set: 2,000 JPEGs made from the shared photos, 300-3000 px, quality 70-95 (bench/make_jpeg_set.py).
# The machine may be shared: `uptime` is printed before and after. Wall-clock rates there move
# with the other work (the ceiling ran anywhere from 45 to 125 img/s in one session), so the script
# also prints images per CPU-second, every thread and process counted, which stays put.
#
# Measured 2026-11-29 on the 2-core machine, 3 runs, load average 7 to 10 (other sessions' builds):
#   wall clock (medians):  (a) 55.3  (b) 47.2  (c) 64.7 img/s  ->  (a)/(b) 1.17x, (a)/(c) 85 % (luck)
#   per CPU-second:        (a) 63.1  (b) 52.9  (c) 100.5 img    ->  (a)/(b) 1.19x, (a)/(c) 63 %
#   CPU split of (a): decode (read, SHA-256, DCT-scaled decode, resize) 35 %, model and the rest 65 %:
#   5.4 ms and 10.4 ms of CPU per image; the peer spends about 9 ms per image outside the model.
#   Neither bar (1.5x, 85 %) is met, and on a CPU-only machine neither can be: libjpeg-turbo's
#   entropy decoding is about 4 ms per image for this set (Pillow's draft decode alone: 4.2 ms;
#   TurboJPEG is 21 % of `perf` samples), the same for every pipeline and not reduced by DCT
#   scaling, against 10 ms for lite0 itself. So (a) <= 10 / (10 + 4 + the resize) of (c) and
#   (a)/(b) <= about 1.25, whatever the overlap: decoding has to leave the inference cores (a GPU
#   for the model, or a hardware JPEG decoder) for the 85 % bar to be reachable.
#   1 -> 2 cores and the two 1-core shards (39.0, 42.1, 53.2 img/s together) were measured with
#   the machine oversubscribed 4 to 5 times, so they say little about scaling; rerun them quiet.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
threads=${2:-2}
batch=${BATCH:-16}
model=${MODEL:-efficientnet-lite0}
scratch=${SCRATCH:-.build}
set_dir=bench/out/set2000
work=bench/out/batch
.venv/bin/python bench/make_jpeg_set.py --shared "${SHARED:-../shared}" --out "$set_dir" --count 2000
bin=$scratch/release/lenscale
[ -x "$bin" ] || swift build -c release --scratch-path "$scratch" --product lenscale
mkdir -p "$work"
echo "load before: $(uptime)"

rate() { grep -oE '[0-9.]+ (images|img)/s' | tail -1 | grep -oE '^[0-9.]+'; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
swift_batch() {  # extra arguments go to lenscale batch
  rm -rf "$work/a"
  "$bin" batch "$set_dir" --out "$work/a" --model "$model" --batch "$batch" "$@" 2>&1 >/dev/null
}

cpu() { grep -oE 'CPU [0-9.]+ s' | tail -1 | grep -oE '[0-9.]+'; }
per_cpu() { awk -v n="$1" -v c="$2" 'BEGIN { printf "%.2f", n / c }'; }  # images per CPU-second
a_rates=(); b_rates=(); c_rates=(); a_cpu=(); b_cpu=(); c_cpu=()
for run in $(seq 1 "$runs"); do
  a=$(swift_batch --sessions "$threads" --threads 1)
  rm -rf "$work/b"
  b=$(.venv/bin/python tools/peers/python_batch.py "$set_dir" --out "$work/b" --model "$model" --threads "$threads" \
        --batch "$batch" --workers "$threads" 2>&1 >/dev/null | tail -1)
  c=$(.venv/bin/python bench/batch/ceiling.py "$set_dir" --model "$model" --threads "$threads" --batch "$batch" 2>&1)
  a_rates+=("$(echo "$a" | grep 'images/s' | rate)"); b_rates+=("$(echo "$b" | rate)")
  c_rates+=("$(echo "$c" | grep 'best' | rate)")
  a_cpu+=("$(per_cpu 2000 "$(echo "$a" | cpu)")"); b_cpu+=("$(per_cpu 2000 "$(echo "$b" | cpu)")")
  c_cpu+=("$(per_cpu 2000 "$(echo "$c" | grep 'best' | cpu)")")
  echo "run $run: (a) lenscale batch ${a_rates[-1]} img/s | (b) python ${b_rates[-1]} img/s | (c) ceiling ${c_rates[-1]} img/s"
  echo "  per CPU-second: (a) ${a_cpu[-1]} | (b) ${b_cpu[-1]} | (c) ${c_cpu[-1]} images"
  echo "$a" | sed 's/^/    (a) /'
  echo "$c" | grep -v best | sed 's/^/    (c) /'
done
ma=$(median "${a_rates[@]}"); mb=$(median "${b_rates[@]}"); mc=$(median "${c_rates[@]}")
ca=$(median "${a_cpu[@]}"); cb=$(median "${b_cpu[@]}"); cc=$(median "${c_cpu[@]}")

# Scaling from 1 to 2 cores: the same run pinned to one core (the split follows the affinity).
one=$(taskset -c 0 "$bin" batch "$set_dir" --out "$work/one" --model "$model" --batch "$batch" 2>&1 >/dev/null; rm -rf "$work/one")
one_rate=$(echo "$one" | grep 'images/s' | rate)
two=$(swift_batch)
two_rate=$(echo "$two" | grep 'images/s' | rate)

# Two shards as two 1-core processes side by side: the total rate is all images over the wall time.
rm -rf "$work/s0" "$work/s1"
start=$(date +%s.%N)
taskset -c 0 "$bin" batch "$set_dir" --out "$work/s0" --model "$model" --batch "$batch" --shard 0/2 2>"$work/s0.log" >/dev/null &
taskset -c 1 "$bin" batch "$set_dir" --out "$work/s1" --model "$model" --batch "$batch" --shard 1/2 2>"$work/s1.log" >/dev/null &
wait
end=$(date +%s.%N)
shard_images=$(cat "$work/s0/labels.jsonl" "$work/s1/labels.jsonl" | wc -l)
shard_rate=$(awk -v n="$shard_images" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", n / (e - s) }')
echo "load after: $(uptime)"

echo
echo "median over $runs runs, $model, $threads threads, batch $batch, 2,000 JPEGs 300-3000 px, q70-95:"
echo "  (a) lenscale batch        $ma img/s"
echo "  (b) python peer           $mb img/s"
echo "  (c) ORT ceiling           $mc img/s"
awk -v a="$ma" -v b="$mb" -v c="$mc" 'BEGIN { printf "  (a)/(b)                  %.2fx  (bar 1.5x)\n  (a)/(c)                  %.0f%%   (bar 85%%)\n", a / b, 100 * a / c }'
# Images per CPU-second do not depend on how much of the machine other work took: on a shared
# machine they are the steadier comparison of the pipelines' cost.
echo "  images per CPU-second:    (a) $ca  (b) $cb  (c) $cc"
awk -v a="$ca" -v b="$cb" -v c="$cc" 'BEGIN { printf "  per CPU-second (a)/(b)   %.2fx\n  per CPU-second (a)/(c)   %.0f%%\n", a / b, 100 * a / c }'
echo "  CPU split, last (a) run:  $(echo "$two" | grep -oE 'CPU [0-9.]+ s: decode [0-9.]+ s \([0-9]+%\)'), the rest the model, writing and overhead"
echo "  model waiting for decode: $(echo "$two" | grep -oE 'model waited [0-9.]+ s' || echo 'not reported by this build')"
echo "  1 core (taskset -c 0)     $one_rate img/s   ($(echo "$one" | grep -oE '[0-9]+ decode worker.*on [0-9]+ cores' | head -1))"
echo "  2 cores                   $two_rate img/s   ($(echo "$two" | grep -oE '[0-9]+ decode worker.*on [0-9]+ cores' | head -1))"
awk -v a="$one_rate" -v b="$two_rate" 'BEGIN { printf "  scaling 1 -> 2 cores      %.2fx\n", b / a }'
echo "  --shard 0/2 + 1/2, 1 core each: $shard_images images, $shard_rate img/s together"
printf '{"benchmark": "batch", "model": "%s", "threads": %s, "batch": %s, "images_per_second": %s, "python_images_per_second": %s, "ceiling_images_per_second": %s, "one_core_images_per_second": %s, "two_shards_images_per_second": %s, "images_per_cpu_second": %s, "python_images_per_cpu_second": %s, "ceiling_images_per_cpu_second": %s}\n' \
  "$model" "$threads" "$batch" "$ma" "$mb" "$mc" "$one_rate" "$shard_rate" "$ca" "$cb" "$cc" > bench/out/batch.json
