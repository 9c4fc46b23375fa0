#!/usr/bin/env bash
# libFuzzer (with AddressSanitizer) over image header parsing and decoding, one run per format,
# each starting from real images of that format and the malformed-header generator's cases of
# them (Sources/MalformedImages). Crashes land in bench/out/fuzz/crash-<format>-*; the run fails.
#
#   bench/fuzz/run.sh [seconds per format, default 60] [formats: jpeg png webp heif avif jxl gif tiff bmp]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
shift || true
formats=("$@")
[ ${#formats[@]} -gt 0 ] || formats=(jpeg png webp heif avif jxl gif tiff bmp)
shared="${SHARED:-$(cd .. && pwd)/shared}"
out=bench/out/fuzz
(cd bench/fuzz && swift build -c release --scratch-path ../../.build-fuzz -Xswiftc -sanitize=fuzzer,address 2>&1 | tail -1)
fuzzer=.build-fuzz/release/DecodeFuzz
# Leaks inside Debian's codec libraries are theirs to fix, not findings of ours (see the file).
export LSAN_OPTIONS="suppressions=$PWD/bench/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
status=0
for format in "${formats[@]}"; do
    case "$format" in
        jpeg) pattern='*.jpg' ;;
        png) pattern='*.png' ;;
        webp) pattern='*.webp' ;;
        heif) pattern='*.heic' ;;
        avif) pattern='*.avif' ;;
        jxl) pattern='*.jxl' ;;
        gif) pattern='*.gif' ;;
        tiff) pattern='*.tiff' ;;
        bmp) pattern='*.bmp' ;;
        *) echo "fuzz: unknown format $format (jpeg, png, webp, heif, avif, jxl, gif, tiff, bmp)" >&2; exit 2 ;;
    esac
    # The seeds: the fixtures of the format and the smallest shared photos (both under 300 KB),
    # so each execution is milliseconds.
    seeds=()
    while IFS= read -r file; do seeds+=("$file"); done < <(
        { find .fixtures -name "$pattern" -size -300k; find "$shared/images" -name "$pattern" -size -300k; } 2>/dev/null | sort | head -12)
    [ ${#seeds[@]} -gt 0 ] || { echo "fuzz: no $format seeds (run \`make fixtures\`)" >&2; exit 1; }
    corpus="$out/corpus-$format"
    rm -rf "$corpus" && mkdir -p "$corpus"
    "$fuzzer" seed "$corpus" "${seeds[@]}"
    echo "fuzz: $format for $seconds s from $(ls "$corpus" | wc -l) inputs" >&2
    if ! "$fuzzer" "$corpus" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=400000 \
            -print_final_stats=1 -artifact_prefix="$out/crash-$format-" 2> "$out/$format.log"; then
        status=1
        echo "fuzz: $format FOUND A CRASH; see $out/$format.log and $out/crash-$format-*" >&2
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov: " "$out/$format.log" | tail -3 >&2
done
exit "$status"
