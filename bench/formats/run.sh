#!/usr/bin/env bash
# Decode time per megapixel for HEIC, AVIF, JPEG XL (each shared photo re-encoded at setup), GIF,
# TIFF and BMP (made here), and for the JPEG and PNG originals of the same photos: one process,
# one core, median of runs.
#
#   bench/formats/run.sh [runs, default 5]
# Run it alone: it saturates a core, and any other load changes the figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
[ -d .fixtures/formats ] || { echo "formats bench: run \`make fixtures\` first" >&2; exit 1; }
(cd bench/formats && swift build -c release --scratch-path ../../.build-formats 2>&1 | tail -1)
shared="${SHARED:-$(cd .. && pwd)/shared}"
# GIF, TIFF (LZW) and BMP copies of the photos, made here: the fixtures hold only small ones.
out=bench/out/formats
mkdir -p "$out"
.venv/bin/python - "$shared/images" "$out" <<'PY'
import csv, sys
from pathlib import Path
from PIL import Image
images, out = Path(sys.argv[1]), Path(sys.argv[2])
for row in csv.DictReader(open(images / "labels.csv", newline="")):
    image = Image.open(images / row["file"]).convert("RGB")
    for suffix, save in [("gif", lambda p: image.quantize(256).save(p)), ("tiff", lambda p: image.save(p, compression="tiff_lzw")),
                         ("bmp", lambda p: image.save(p))]:
        target = out / f"{row['file']}.{suffix}"
        if not target.exists():
            save(target)
PY
originals=()
while IFS= read -r file; do originals+=("$shared/images/$file"); done < <(tail -n +2 "$shared/images/labels.csv" | cut -d, -f1)
.build-formats/release/DecodeBench "$runs" "${originals[@]}" .fixtures/formats/*.heic .fixtures/formats/*.avif .fixtures/formats/*.jxl \
    "$out"/*.gif "$out"/*.tiff "$out"/*.bmp
