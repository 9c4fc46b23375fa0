#!/usr/bin/env bash
# The server under hostile load, on the default configuration (embedded SQLite, in-process
# worker): what issue 21 asks to hold.
#
#   1. 200 concurrent 20 MB uploads to /v1/classify;
#   2. 200 concurrent 10,000 x 10,000 PNG bombs (16-bit RGBA, 800 MB of pixels each) to /v1/classify;
#   3. one POST /v1/batches of 100 such PNGs.
#
# Throughout, a prober calls /healthz every 50 ms and the server's resident memory is sampled
# every 100 ms. The prober is one long-lived process (a new connection a probe) and the upload
# clients run at nice 19: on a 2-core machine, 200 curl processes starting beside a prober that
# forks a curl a probe put 0.8 s into nginx's probes too, time that measured the clients. Prints, per phase: the answers by status, the slowest /healthz, the peak RSS.
# Every answer must be 2xx, 413, 429 or 503, and the server must stay up.
#
# It saturates the CPU: run it alone, never beside tests or another benchmark.
#
# `PEER=nginx` runs the uploads phase against nginx instead (it reads and drops each body and
# answers /healthz itself): the same clients and probes on the same cores, so what the clients
# cost the machine shows apart from what the server adds.
#
# Usage: [PEER=nginx] bench/hostile/run.sh [concurrency]
set -euo pipefail
cd "$(dirname "$0")/../.."
concurrency=${1:-200}
bin=${LENSCALE_BIN:-.build/release/lenscale}
[ -x "$bin" ] || swift build -c release
export LENSCALE_MODELS=${LENSCALE_MODELS:-$PWD/models}
inputs=bench/out/hostile
rm -rf "$inputs"
.venv/bin/python bench/hostile/make_inputs.py "$inputs" "$concurrency"
work=$(mktemp -d /tmp/lenscale-bench-hostile.XXXXXX)
server=""
cleanup() {
  touch "$work/stop"  # ends the probes, which would otherwise outlive the script
  local pids=$(jobs -p); [ -n "$pids" ] && kill $pids 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null
  wait 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if [ "${PEER:-}" = nginx ]; then
  key=none
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$port;
    location /healthz { return 200 "ok\n"; }
    location /v1/classify { client_max_body_size 20m; return 200 "{}"; }
  }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  server=$!
  sleep 1
else
  key=$("$bin" keys create --scope admin --name hostile --data "$work/data" | grep -o 'lsk_[0-9a-f_]*' | head -1)
  "$bin" serve --data "$work/data" --port "$port" > "$work/serve.log" 2>&1 &
  server=$!
fi
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && [ "${PEER:-}" = nginx ] && break
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
idle_rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
echo "server pid $server on port $port, idle RSS $((idle_rss / 1024)) MB"

# watch <tag>: /healthz every 50 ms and RSS every 100 ms into $work/<tag>.*, until $work/stop.
watch() {
  local tag=$1
  python3 bench/hostile/probe.py "http://127.0.0.1:$port/healthz" "$work/stop" >> "$work/$tag.health" &
  ( while [ ! -e "$work/stop" ]; do
      awk '/VmRSS/ {print $2}' "/proc/$server/status" >> "$work/$tag.rss" 2>/dev/null || echo 0 >> "$work/$tag.rss"
      sleep 0.1
    done ) &
}

# phase <tag> <description> <command producing one status code per line>
phase() {
  local tag=$1 what=$2; shift 2
  rm -f "$work/stop"
  watch "$tag"
  local start=$(date +%s.%N)
  "$@" > "$work/$tag.codes"
  local seconds=$(echo "$(date +%s.%N) - $start" | bc)
  touch "$work/stop"; sleep 0.3
  kill -0 "$server" 2>/dev/null || { echo "$tag: THE SERVER DIED"; tail -20 "$work/serve.log"; exit 1; }
  local codes=$(sort "$work/$tag.codes" | uniq -c | awk '{printf "%s x%s  ", $2, $1}')
  local bad=$(grep -cvE '^(2[0-9][0-9]|413|429|503)$' "$work/$tag.codes" || true)
  local health=$(sort -n "$work/$tag.health" | tail -1 | awk '{printf "%.0f ms (%s)", $1 * 1000, $2}')
  local probes=$(wc -l < "$work/$tag.health")
  local over=$(awk '$1 > 0.1' "$work/$tag.health" | wc -l)
  local peak=$(sort -n "$work/$tag.rss" | tail -1)
  local median=$(awk '{print $1}' "$work/$tag.health" | sort -n | awk '{a[NR]=$1} END {printf "%.0f ms", a[int((NR+1)/2)] * 1000}')
  local errors=$(cat "$work"/answers/*.json 2>/dev/null | grep -o '"code":"[a-z_]*"' | sort | uniq -c | awk '{printf "%s x%s  ", $2, $1}')
  rm -f "$work"/answers/*.json
  printf '%s: %s in %.1f s\n  answers: %s(unexpected: %s)\n  error codes: %s\n  /healthz: median %s, slowest %s of %s probes, %s over 100 ms\n  peak RSS: %s MB\n' \
    "$tag" "$what" "$seconds" "$codes" "$bad" "$errors" "$median" "$health" "$probes" "$over" "$((peak / 1024))"
}

post_many() {  # post_many <folder> <content type>: every file of the folder at once
  ls "$1" | nice -n 19 xargs -P "$concurrency" -I{} curl -s -o "$work/answers/{}.json" -m 600 -w '%{http_code}\n' \
    -H "Authorization: Bearer $key" -H "Content-Type: $2" --data-binary "@$1/{}" "http://127.0.0.1:$port/v1/classify"
}
batch_of_bombs() {
  local args=()
  for file in $(ls "$inputs/bombs" | head -100); do args+=(-F "images=@$inputs/bombs/$file;filename=bomb-$file"); done
  curl -s -o "$work/batch.json" -m 600 -w '%{http_code}\n' -H "Authorization: Bearer $key" "${args[@]}" "http://127.0.0.1:$port/v1/batches"
}
wait_for_batch() {
  local id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/batch.json")
  for _ in $(seq 1 1200); do
    curl -s -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/batches/$id" > "$work/status.json"
    python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("completed_at") else 1)' "$work/status.json" && break
    sleep 0.5
  done
  python3 -c 'import json,sys,collections; b=json.load(open(sys.argv[1])); print("  items:", dict(collections.Counter(i["state"] for i in b["items"])), "first error:", next((i.get("error") for i in b["items"] if i.get("error")), None))' "$work/status.json"
}

mkdir -p "$work/answers"
phase uploads "$concurrency concurrent 19 MB JPEGs (7 MP of noise) to /v1/classify" post_many "$inputs/uploads" image/jpeg
[ "${PEER:-}" = nginx ] && exit 0
phase bombs "$concurrency concurrent 10,000 x 10,000 PNGs to /v1/classify" post_many "$inputs/bombs" image/png
phase batch "a POST /v1/batches of 100 such PNGs, to its answer" bash -c "$(declare -f batch_of_bombs); key=$key port=$port inputs=$inputs work=$work batch_of_bombs"
rm -f "$work/stop"; watch settle
wait_for_batch
touch "$work/stop"; sleep 0.3
echo "settling the batch: /healthz slowest $(sort -n "$work/settle.health" | tail -1 | awk '{printf "%.0f ms", $1 * 1000}') of $(wc -l < "$work/settle.health") probes, $(awk '$1 > 0.1' "$work/settle.health" | wc -l) over 100 ms, peak RSS $(( $(sort -n "$work/settle.rss" | tail -1) / 1024 )) MB"
kill -0 "$server" 2>/dev/null && echo "the server is up" || { echo "THE SERVER DIED"; exit 1; }
