#!/usr/bin/env python3
"""Builds the near-duplicate quality set from the shared photos.

Every shared photo is a group: the original plus variants a duplicate detector must match
(resize to 50 %, JPEG recompression at quality 40 to 95, crops up to 10 %, brightness ±15 %,
PNG and WebP copies, a small text overlay). Distractors are images that must NOT match: the
left and right halves of each photo (same content, another framing: similar, not duplicate)
and the demo photos that are not among the shared ones. `groups.json` maps each file to its
group; a pair is a true near duplicate when both files share a group.

Usage: bench/dupes/make_set.py --shared ../shared --demo demo --out bench/out/dupes
"""
import argparse
import json
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont


def crop_fraction(image: Image.Image, fraction: float, corner: bool) -> Image.Image:
    w, h = image.size
    dw, dh = int(w * fraction), int(h * fraction)
    return image.crop((dw, dh, w, h)) if corner else image.crop((dw // 2, dh // 2, w - dw // 2, h - dh // 2))


def overlay_text(image: Image.Image) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    size = max(10, image.size[1] // 25)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:
        font = ImageFont.load_default()
    draw.text((image.size[0] // 40, image.size[1] - 2 * size), "© Lenscale 2026", fill=(255, 255, 255), font=font,
              stroke_width=1, stroke_fill=(0, 0, 0))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, required=True)
    parser.add_argument("--demo", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    out = args.out / "images"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    groups: dict[str, str] = {}
    shared = sorted(p for p in (args.shared / "images").iterdir() if p.suffix.lower() in {".jpg", ".png"})
    for photo in shared:
        group = photo.stem
        image = Image.open(photo).convert("RGB")
        w, h = image.size
        variants = {
            "original.png": image,
            "resize50.jpg": image.resize((w // 2, h // 2), Image.LANCZOS),
            "q40.jpg": image, "q70.jpg": image, "q95.jpg": image,
            "crop5.jpg": crop_fraction(image, 0.05, corner=False),
            "crop10.jpg": crop_fraction(image, 0.10, corner=False),
            "crop10corner.jpg": crop_fraction(image, 0.10, corner=True),
            "bright+15.jpg": ImageEnhance.Brightness(image).enhance(1.15),
            "bright-15.jpg": ImageEnhance.Brightness(image).enhance(0.85),
            "format.png": image, "format.webp": image,
            "text.jpg": overlay_text(image),
        }
        for name, variant in variants.items():
            file = f"{group}__{name}"
            quality = int(name[1:3]) if name.startswith("q") else rng.randint(80, 92)
            if name.endswith(".jpg"):
                variant.save(out / file, quality=quality)
            elif name.endswith(".webp"):
                variant.save(out / file, quality=85)
            else:
                variant.save(out / file)
            groups[file] = group
        for side, box in (("left", (0, 0, w // 2, h)), ("right", (w - w // 2, 0, w, h))):
            file = f"{group}__half-{side}.jpg"
            image.crop(box).save(out / file, quality=90)
            groups[file] = f"{group}/half-{side}"
    shared_names = {p.name for p in shared}
    for demo in sorted(args.demo.glob("*")):
        if demo.suffix.lower() in {".jpg", ".png"} and demo.name not in shared_names:
            file = f"demo__{demo.stem}.jpg"
            Image.open(demo).convert("RGB").save(out / file, quality=90)
            groups[file] = f"demo/{demo.stem}"
    (args.out / "groups.json").write_text(json.dumps(groups, indent=1, sort_keys=True) + "\n")
    positives = sum(1 for g in set(groups.values()) for _ in [0] if list(groups.values()).count(g) > 1)
    print(f"{args.out}: {len(groups)} images in {len(set(groups.values()))} groups ({positives} with duplicates)")


if __name__ == "__main__":
    main()
