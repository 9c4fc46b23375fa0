#!/usr/bin/env python3
"""Put a handful of freely licensed real photos into demo/ for trying Lenscale out.

    .venv/bin/python tools/fetch_demo_images.py [--out demo] [--cache .venv/cache/wheels]

Why from a wheel: machines here reach only the package registries, and the
scikit-image wheel happens to ship public-domain/CC0 sample photos in
skimage/data/. We download that one wheel (no dependencies, binary only, so
nothing is built) with pip into a cache folder that git ignores, and copy the
photos out of the zip without installing scikit-image.

Why the hashes are pinned: the photos are used as fixtures and demo inputs,
so a changed file must be noticed, not silently used. The wheel itself is
not pinned because pip picks a platform-specific build; the data files are
identical in all of them.

Idempotent: when every photo is already in place with the right hash,
nothing is downloaded; a cached wheel is reused without contacting PyPI.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import subprocess
import sys
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "scikit-image"
VERSION = "0.25.2"

# file name -> (sha256, licence/credit as stated in skimage.data's docstrings)
PHOTOS = {
    "chelsea.png": ("596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
                    "CC0 (photo by Stefan van der Walt)"),
    "coffee.png": ("cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
                   "CC0 (photo by Rachel Michetti)"),
    "rocket.jpg": ("c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
                   "Public domain (SpaceX, DSCOVR launch)"),
    "astronaut.png": ("88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
                      "Public domain (NASA, Eileen Collins)"),
    "hubble_deep_field.jpg": ("3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
                              "Public domain (NASA, Hubble eXtreme Deep Field)"),
    "retina.jpg": ("38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6",
                   "CC0 1.0 (Mikael Häggström, via Wikimedia Commons)"),
    # Greyscale on purpose: exercises the L -> RGB conversion path.
    "camera.png": ("b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
                   "CC0 (photo by Lav Varshney)"),
}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _have(path: str, digest: str) -> bool:
    if not os.path.isfile(path):
        return False
    with open(path, "rb") as f:
        return _sha256(f.read()) == digest


def _wheel(cache: str) -> str:
    pattern = os.path.join(cache, f"scikit_image-{VERSION}-*.whl")
    found = sorted(glob.glob(pattern))
    if not found:
        os.makedirs(cache, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "--dest", cache, f"{PACKAGE}=={VERSION}"],
            check=True,
        )
        found = sorted(glob.glob(pattern))
    if not found:
        raise SystemExit(f"pip did not leave a {PACKAGE} {VERSION} wheel in {cache}")
    return found[-1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="extract demo photos from the scikit-image wheel")
    ap.add_argument("--out", default=os.path.join(REPO, "demo"))
    ap.add_argument("--cache", default=os.path.join(REPO, ".venv", "cache", "wheels"))
    args = ap.parse_args(argv)

    missing = [n for n, (d, _) in PHOTOS.items() if not _have(os.path.join(args.out, n), d)]
    if missing:
        os.makedirs(args.out, exist_ok=True)
        with zipfile.ZipFile(_wheel(args.cache)) as z:
            for name in missing:
                data = z.read(f"skimage/data/{name}")
                if _sha256(data) != PHOTOS[name][0]:
                    raise SystemExit(f"{name} in the {PACKAGE} wheel has an unexpected sha256")
                tmp = os.path.join(args.out, f".{name}.tmp")
                with open(tmp, "wb") as f:
                    f.write(data)
                os.replace(tmp, os.path.join(args.out, name))

    sources = "".join(
        f"{n}\t{PACKAGE} {VERSION} (PyPI wheel, skimage/data/{n})\t{lic}\tsha256 {d}\n"
        for n, (d, lic) in sorted(PHOTOS.items())
    )
    src_path = os.path.join(args.out, "SOURCES.tsv")
    if not os.path.exists(src_path) or open(src_path, encoding="utf-8").read() != sources:
        with open(src_path, "w", encoding="utf-8") as f:
            f.write(sources)
    print(f"fetch_demo_images: {len(PHOTOS)} photos in {args.out}"
          f" ({len(missing)} extracted)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
