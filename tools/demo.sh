#!/usr/bin/env bash
# `make demo`: set up, build (release), create an API key, ingest the demo photos, and serve
# them on the embedded defaults (SQLite catalog and files under ./lenscale-data).
# Stop the server with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/lenscale
data=${LENSCALE_DATA:-lenscale-data}
port=${PORT:-8080}
"$bin" ingest demo --data "$data" --format table
key=$("$bin" keys create --scope classify --scope read --scope ingest --scope review --name demo --data "$data" 2>/dev/null)
photo=$(ls demo/*.jpg demo/*.png 2>/dev/null | head -1)
source tools/demo-commands.sh
cat <<TEXT

Lenscale is starting on http://127.0.0.1:$port
  API key (shown once):  $key
  Try:
$(demo_commands | sed 's/^/    /')
  API description: http://127.0.0.1:$port/openapi.yaml

TEXT
exec "$bin" serve --data "$data" --port "$port"
