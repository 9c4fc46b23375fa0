#!/usr/bin/env python3
"""Writes the image variants the Swift tests decode and classify.

The tests need real photos in awkward encodings (progressive, CMYK, palette, 16-bit, lossless
WebP, EXIF-rotated, huge, tiny). They are generated from the shared photos at test time rather
than committed, so the repository holds no image data and every CI run exercises the encoder
settings afresh. Each variant is listed in `fixtures.json` with the source photo it came from,
so tests can check the classifier still finds that photo's class.

Usage: tools/make_fixtures.py --shared ../shared --out .fixtures
"""
import argparse
import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

import format_fixtures


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16(path: Path, rgb8: np.ndarray) -> None:
    """Pillow cannot write 16-bit RGB PNGs, so this writes one by hand (filter 0 on every row)."""
    height, width, _ = rgb8.shape
    rgb16 = rgb8.astype(">u2") * 257
    raw = b"".join(b"\x00" + rgb16[y].tobytes() for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw, 6))
                     + png_chunk(b"IEND", b""))


def exif_with_orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, required=True, help="the shared/ folder with images/")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    images = args.shared / "images"
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    cat = Image.open(images / "chelsea.png").convert("RGB")
    coffee = Image.open(images / "coffee.png").convert("RGB")
    bee = Image.open(images / "european-honey-bee.jpg").convert("RGB")
    entries = []

    def add(name: str, source: str, note: str) -> None:
        entries.append({"file": name, "source": source, "note": note})

    cat.save(out / "progressive.jpg", quality=90, progressive=True)
    add("progressive.jpg", "chelsea.png", "progressive JPEG")
    cat.convert("CMYK").save(out / "cmyk.jpg", quality=92)
    add("cmyk.jpg", "chelsea.png", "CMYK JPEG (Adobe marker, inverted samples)")
    bee.convert("L").save(out / "grayscale.jpg", quality=90)
    add("grayscale.jpg", "european-honey-bee.jpg", "grayscale JPEG")
    coffee.quantize(256).save(out / "palette.png")
    add("palette.png", "coffee.png", "8-bit palette PNG")
    rgba = cat.copy()
    rgba.putalpha(Image.linear_gradient("L").resize(cat.size).point(lambda v: 128 + v // 2))
    rgba.save(out / "rgba.png")
    add("rgba.png", "chelsea.png", "RGBA PNG with a gradient alpha")
    write_png16(out / "rgb16.png", np.asarray(coffee))
    add("rgb16.png", "coffee.png", "16-bit RGB PNG")
    bee.convert("L").save(out / "gray.png")
    add("gray.png", "european-honey-bee.jpg", "8-bit grayscale PNG")
    cat.save(out / "lossless.webp", lossless=True)
    add("lossless.webp", "chelsea.png", "lossless WebP")
    coffee.save(out / "lossy.webp", quality=85)
    add("lossy.webp", "coffee.png", "lossy WebP")
    # Stored turned 90° counter-clockwise, with orientation 6 telling viewers to turn it back.
    cat.transpose(Image.Transpose.ROTATE_90).save(out / "exif-rotated.jpg", quality=92, exif=exif_with_orientation(6))
    add("exif-rotated.jpg", "chelsea.png", "JPEG stored on its side with EXIF orientation 6")
    cat.transpose(Image.Transpose.ROTATE_270).save(out / "exif-rotated.png", exif=exif_with_orientation(8))
    add("exif-rotated.png", "chelsea.png", "PNG stored on its side with an eXIf orientation 8")
    cat.resize((4000, 3000), Image.BICUBIC).save(out / "large-4000.jpg", quality=85)
    add("large-4000.jpg", "chelsea.png", "4000×3000 JPEG")
    coffee.resize((64, 43), Image.BICUBIC).save(out / "tiny-64.jpg", quality=92)
    add("tiny-64.jpg", "coffee.png", "64-pixel-wide JPEG (upscaled by the model's resize)")
    format_fixtures.write_variants(out, cat, coffee, add)
    format_fixtures.encode_photos(images, out / "formats")
    (out / "fixtures.json").write_text(json.dumps(entries, indent=1) + "\n")
    print(f"wrote {len(entries)} fixtures to {out}")


if __name__ == "__main__":
    main()
