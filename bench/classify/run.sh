#!/usr/bin/env bash
# Benchmark: `lenscale classify` against the Python peer (Pillow with draft() + onnxruntime,
# same model, same threads, same batch), side by side, alternating, several runs each.
# Prints each run, the medians and the ratio. Usage: bench/classify/run.sh [runs] [threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
threads=${2:-2}
batch=${BATCH:-16}
model=${MODEL:-efficientnet-lite0}
set_dir=bench/out/set500
.venv/bin/python bench/make_jpeg_set.py --shared "${SHARED:-../shared}" --out "$set_dir" --count 500
bin=.build/release/lenscale
[ -x "$bin" ] || swift build -c release

rate() { grep -oE '[0-9.]+ (images|img)/s' | head -1 | grep -oE '^[0-9.]+'; }
swift_rates=(); python_rates=()
for run in $(seq 1 "$runs"); do
  s=$("$bin" classify "$set_dir" --model "$model" --threads "$threads" --batch "$batch" --format jsonl 2>&1 >/dev/null | tail -1)
  p=$(.venv/bin/python tools/peers/python_classify.py "$set_dir" --model "$model" --threads "$threads" --batch "$batch" 2>&1 >/dev/null | tail -1)
  swift_rates+=("$(echo "$s" | rate)"); python_rates+=("$(echo "$p" | rate)")
  echo "run $run: lenscale ${swift_rates[-1]} img/s | python ${python_rates[-1]} img/s"
  echo "  lenscale: $s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms=$(median "${swift_rates[@]}"); mp=$(median "${python_rates[@]}")
echo "median over $runs runs, $model, $threads threads, batch $batch, 500 JPEGs 300-3000 px:"
echo "  lenscale classify  $ms img/s"
echo "  python peer        $mp img/s"
awk -v a="$ms" -v b="$mp" 'BEGIN { printf "  ratio              %.2fx\n", a / b }'
# For `lenscale plan --throughput-file bench/out/classify.json`.
printf '{"benchmark": "classify", "model": "%s", "threads": %s, "batch": %s, "images_per_second": %s, "python_images_per_second": %s}\n' \
  "$model" "$threads" "$batch" "$ms" "$mp" > bench/out/classify.json
