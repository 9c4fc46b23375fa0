#!/usr/bin/env python3
"""Builds a benchmark set of JPEGs from the shared photos.

Each image is a random crop of a random shared photo, scaled so its longer side is between
--min-side and --max-side pixels, saved at a random quality between 70 and 95. The seed is
fixed, so every run and every machine measures the same set.

Usage: bench/make_jpeg_set.py --shared ../shared --out bench/out/set500 --count 500
"""
import argparse
import random
from pathlib import Path

from PIL import Image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--min-side", type=int, default=300)
    parser.add_argument("--max-side", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    existing = sorted(args.out.glob("*.jpg"))
    if len(existing) == args.count:
        print(f"{args.out}: {args.count} images already there")
        return
    rng = random.Random(args.seed)
    photos = sorted(p for p in (args.shared / "images").iterdir() if p.suffix.lower() in {".jpg", ".png"})
    sources = {p: Image.open(p).convert("RGB") for p in photos}
    for i in range(args.count):
        photo = rng.choice(photos)
        image = sources[photo]
        w, h = image.size
        crop_w, crop_h = int(w * rng.uniform(0.6, 1.0)), int(h * rng.uniform(0.6, 1.0))
        x, y = rng.randint(0, w - crop_w), rng.randint(0, h - crop_h)
        crop = image.crop((x, y, x + crop_w, y + crop_h))
        longer = rng.randint(args.min_side, args.max_side)
        scale = longer / max(crop_w, crop_h)
        size = (max(1, round(crop_w * scale)), max(1, round(crop_h * scale)))
        crop.resize(size, Image.BICUBIC).save(args.out / f"{i:05d}-{photo.stem}.jpg", quality=rng.randint(70, 95))
    total = sum(p.stat().st_size for p in args.out.glob("*.jpg"))
    print(f"{args.out}: {args.count} images, {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
