#!/usr/bin/env bash
# Load benchmark of `lenscale serve` (release build) with an open-loop generator and HDR
# percentiles (bench/serve/LoadGenerator), side by side in one run with:
#   - the framework floor: GET /healthz on the same Hummingbird server (hello world);
#   - tools/peers/fastapi_server.py: FastAPI + uvicorn + Pillow + onnxruntime, same model,
#     same threads, same batch size and delay, same load.
# Workloads: (a) all misses, (b) all hits by hash, (c) a Zipf mix over N distinct photos.
#
#   bench/serve/run.sh [seconds-per-step]
#
# Prints one JSON line per measurement and a summary; writes bench/out/serve.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-8}
threads=${THREADS:-2}
batch=${BATCH:-16}
delay_us=${DELAY_US:-2000}
model=${MODEL:-efficientnet-lite0}
port=${PORT:-18080}
peer_port=${PEER_PORT:-18090}
out=bench/out/serve.jsonl
mkdir -p bench/out
.venv/bin/pip install -q -r bench/serve/requirements.txt
# Online uploads: phone-sized photos, 400-1600 px.
.venv/bin/python bench/make_jpeg_set.py --shared "${SHARED:-../shared}" --out bench/out/serve-set --count 3000 --min-side 400 --max-side 1600 >/dev/null
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product lenscale >/dev/null
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product LoadGenerator >/dev/null
bin=.build/release/lenscale
gen=.build/release/LoadGenerator

data=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$data"; }
trap cleanup EXIT

cat > "$data/serve.yaml" <<YAML
listen: {host: 127.0.0.1, port: $port}
data: $data/lenscale
models:
  - name: $model
    threads: $threads
    batcher: {max_batch_size: $batch, max_queue_delay_us: $delay_us, max_queue_size: 512}
cache: {memory_bytes: 268435456}
worker: {enabled: false}
YAML
token=$("$bin" keys create --scope admin --name bench --data "$data/lenscale" 2>/dev/null)
"$bin" serve --config "$data/serve.yaml" >"$data/serve.log" 2>&1 &
pids+=($!)
.venv/bin/python tools/peers/fastapi_server.py --port "$peer_port" --model "$model" --threads "$threads" \
  --batch "$batch" --delay-ms "$(awk -v d="$delay_us" 'BEGIN{print d/1000}')" --decode-threads 2 >"$data/peer.log" 2>&1 &
pids+=($!)
for url in "http://127.0.0.1:$port/readyz" "http://127.0.0.1:$peer_port/healthz"; do
  for _ in $(seq 1 300); do curl -fs "$url" >/dev/null && break; sleep 0.2; done
done

# Splits the set: misses take fresh files per run; hits and zipf use the first files.
split_dir() { local name=$1 from=$2 count=$3; mkdir -p "$data/$name"; ls bench/out/serve-set | sort | sed -n "$((from+1)),$((from+count))p" | while read -r f; do ln -sf "$PWD/bench/out/serve-set/$f" "$data/$name/$f"; done; }
load() { "$gen" --url "$1" --token "$token" --duration "$seconds" --warmup 1 "${@:2}" | tee -a "$out"; }
field() { .venv/bin/python -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
: > "$out"

echo "== hello world (GET /healthz), rising open-loop rates" >&2
best_hello=0
for rate in 2000 3000 4000 5000 6000 8000 10000 12000 16000; do
  line=$(load "http://127.0.0.1:$port" --workload hello --rate "$rate" --label hello)
  tp=$(field "$line" throughput); p99=$(field "$line" p99Ms)
  if awk -v t="$tp" -v r="$rate" -v p="$p99" 'BEGIN{exit !(t >= 0.95*r && p <= 50)}'; then best_hello=$rate; else break; fi
done

echo "== (b) all hits by hash at half the hello-world rate" >&2
split_dir hits 0 500
hit_rate=$(( best_hello / 2 ))
hit_line=$(load "http://127.0.0.1:$port" --workload hit --images "$data/hits" --rate "$hit_rate" --label hits)

echo "== (a) all misses: rising rates, lenscale and the FastAPI peer" >&2
offset=500
best_miss=0; best_peer=0
for rate in 20 30 40 50 60 70 80 90 100 120; do
  split_dir "miss-$rate" "$offset" "$(( rate * (seconds + 1) + 10 ))"; offset=$(( offset + rate * (seconds + 1) + 10 ))
  line=$(load "http://127.0.0.1:$port" --workload miss --images "$data/miss-$rate" --rate "$rate" --label "lenscale-miss")
  ok=$(awk -v t="$(field "$line" throughput)" -v r="$rate" -v p="$(field "$line" p99Ms)" 'BEGIN{print (t >= 0.95*r && p <= 150)}')
  [ "$ok" = 1 ] && best_miss=$rate
  split_dir "peer-$rate" "$offset" "$(( rate * (seconds + 1) + 10 ))"; offset=$(( offset + rate * (seconds + 1) + 10 ))
  line=$(load "http://127.0.0.1:$peer_port" --workload miss --images "$data/peer-$rate" --rate "$rate" --label "fastapi-miss")
  ok=$(awk -v t="$(field "$line" throughput)" -v r="$rate" -v p="$(field "$line" p99Ms)" 'BEGIN{print (t >= 0.95*r && p <= 150)}')
  [ "$ok" = 1 ] && best_peer=$rate
  [ "$best_miss" -lt "$rate" ] && [ "$best_peer" -lt "$rate" ] && break
done

echo "== (c) Zipf mix over 300 distinct photos" >&2
split_dir zipf 2600 300
zipf_rate=${ZIPF_RATE:-300}
zipf_line=$(load "http://127.0.0.1:$port" --workload zipf --images "$data/zipf" --distinct 300 --rate "$zipf_rate" --label lenscale-zipf)
zipf_peer=$(load "http://127.0.0.1:$peer_port" --workload zipf --images "$data/zipf" --distinct 300 --rate "$zipf_rate" --label fastapi-zipf)

batches=$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" | grep -E '^lenscale_batch_size_images_(sum|count)' | awk '{s[$1 ~ /sum/ ? "sum" : "count"] += $2} END {if (s["count"]) printf "%.2f", s["sum"]/s["count"]; else print "n/a"}')
echo
echo "summary ($model, $threads threads, batch $batch, delay ${delay_us} us, ${seconds} s per step):"
echo "  hello world sustained        ${best_hello} req/s"
echo "  hits by hash at ${hit_rate} req/s    p99 $(field "$hit_line" p99Ms) ms, throughput $(field "$hit_line" throughput) req/s"
echo "  misses, highest rate with p99 <= 150 ms: lenscale ${best_miss} req/s, fastapi ${best_peer} req/s"
echo "  zipf at ${zipf_rate} req/s: lenscale p99 $(field "$zipf_line" p99Ms) ms hit ratio $(field "$zipf_line" hitRatio); fastapi p99 $(field "$zipf_peer" p99Ms) ms hit ratio $(field "$zipf_peer" hitRatio)"
echo "  mean achieved batch size (lenscale, all workloads) ${batches}"
