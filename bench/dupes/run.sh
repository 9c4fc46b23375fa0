#!/usr/bin/env bash
# Near-duplicate quality: Lenscale's tiers against imagededup's PHash on the same generated set.
# Builds the set (bench/dupes/make_set.py), ingests it into a fresh embedded workspace with a
# release build, hashes it with imagededup in its own venv (bench/.venv-peers: only what its
# hashing needs, no torch), and scores both pair by pair (bench/dupes/evaluate.py).
# Usage: bench/dupes/run.sh [near-threshold] [similar-threshold]
set -euo pipefail
cd "$(dirname "$0")/../.."
near=${1:-8}
similar=${2:-0.6}
out=bench/out/dupes
.venv/bin/python bench/dupes/make_set.py --shared "${SHARED:-../shared}" --demo demo --out "$out" >/dev/null
if [ ! -x bench/.venv-peers/bin/python ]; then
  python3 -m venv bench/.venv-peers
  bench/.venv-peers/bin/pip install -q numpy==2.4.6 scipy==1.17.1 PyWavelets==1.9.0 pillow==13.0.0 tqdm==4.70.1 scikit-learn==1.9.1
  bench/.venv-peers/bin/pip install -q --no-deps imagededup==0.3.3.post2
fi
bin=${LENSCALE_BIN:-.build/release/lenscale}
[ -x "$bin" ] || swift build -c release
rm -rf "$out/data"
"$bin" ingest "$out/images" --data "$out/data" --format jsonl > "$out/ingest.jsonl"
bench/.venv-peers/bin/python tools/peers/imagededup_phash.py "$out/images" > "$out/imagededup.json"
.venv/bin/python bench/dupes/evaluate.py --set "$out" --ingest "$out/ingest.jsonl" --catalog "$out/data/catalog.sqlite" \
  --peer "$out/imagededup.json" --near "$near" --similar "$similar" --json "$out/scores.json"
