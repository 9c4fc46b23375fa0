#!/usr/bin/env bash
# The API contract: Schemathesis (every check, every phase, tools/schemathesis.toml) against a
# live `lenscale serve` built already, on the embedded SQLite catalog and on PostgreSQL (the
# server of `tools/postgres.sh`, in a schema of its own, dropped afterwards). Any failure fails.
#
#   tools/schemathesis.sh            # both backends
#   tools/schemathesis.sh sqlite     # one
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${LENSCALE_BIN:-.build/debug/lenscale}"
st=".venv/bin/st"
export LENSCALE_MODELS="${LENSCALE_MODELS:-$PWD/models}"
pg_url="${LENSCALE_TEST_POSTGRES_URL:-postgres://lenscale:lenscale@127.0.0.1:5432/lenscale_test}"
[ -x "$bin" ] || { echo "schemathesis: $bin is missing; run \`swift build\`" >&2; exit 1; }
[ -x "$st" ] || { echo "schemathesis: $st is missing; run \`make setup\`" >&2; exit 1; }
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)

server=""
data=""
schema=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    [ -n "$schema" ] && psql "$pg_url" -q -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    [ -n "$data" ] && rm -rf "$data"
    server="" data="" schema=""
}
trap cleanup EXIT

status=0
for backend in "${backends[@]}"; do
    data="$(mktemp -d)"
    catalog=()
    if [ "$backend" = postgres ]; then
        schema="schemathesis_$(date +%s)_$$"
        catalog=(--catalog "$pg_url?schema=$schema")
    fi
    key="$("$bin" keys create --scope admin --name schemathesis --data "$data" "${catalog[@]}" | grep -o 'lsk_[0-9a-f_]*' | head -1)"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    # Event streams never end by themselves, and long polls may wait a minute: both are cut to
    # 2 s (limits.max_stream_s), or each one holds the single-worker run for as long.
    printf 'limits:\n  max_stream_s: 2\n' > "$data/serve.yaml"
    "$bin" serve --config "$data/serve.yaml" --data "$data" "${catalog[@]}" --port "$port" --threads 1 > "$data/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 1 240); do
        curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
        kill -0 "$server" 2>/dev/null || { cat "$data/serve.log" >&2; exit 1; }
        sleep 0.5
    done
    echo "schemathesis: $backend on port $port" >&2
    if ! LENSCALE_KEY="$key" "$st" --config-file tools/schemathesis.toml run "http://127.0.0.1:$port/openapi.yaml" \
            --checks all --workers 1 --no-color; then
        echo "schemathesis: failures against the $backend catalog (server log: below)" >&2
        tail -50 "$data/serve.log" >&2
        status=1
    fi
    cleanup
done
exit "$status"
