"""Hostile inputs for bench/hostile/run.sh, each one unique (so no answer comes from the cache):

- uploads/NNN.jpg: a 19 MB JPEG of noise (7 megapixels at quality 100), told apart by bytes
  after its end, which decoders ignore;
- bombs/NNN.png: a 10,000 x 10,000 PNG, 16-bit RGBA, every pixel zero: under a megabyte on disk,
  800 MB of pixels once decoded, told apart by a text chunk. Valid (correct CRCs, a complete zlib
  stream), so a server must decode it or refuse it by budget; a malformed one would be refused
  at the header and prove nothing.

Usage: make_inputs.py FOLDER COUNT
"""
import io
import os
import struct
import sys
import zlib

from PIL import Image


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_parts(side: int = 10_000) -> tuple[bytes, bytes]:
    ihdr = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + side * 8)  # filter byte, then RGBA at 16 bits
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr), chunk(b"IDAT", data) + chunk(b"IEND", b"")


def noise_jpeg() -> bytes:
    image = Image.frombytes("RGB", (3000, 2400), os.urandom(3000 * 2400 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=100)
    return out.getvalue()


if __name__ == "__main__":
    folder, count = sys.argv[1], int(sys.argv[2])
    for name in ("uploads", "bombs"):
        os.makedirs(os.path.join(folder, name), exist_ok=True)
    head, tail = bomb_parts()
    jpeg = noise_jpeg()
    assert len(jpeg) < 20 * 1024 * 1024, len(jpeg)
    for index in range(count):
        with open(os.path.join(folder, "bombs", f"{index:03}.png"), "wb") as out:
            out.write(head + chunk(b"tEXt", b"Comment\x00bomb %d" % index) + tail)
        with open(os.path.join(folder, "uploads", f"{index:03}.jpg"), "wb") as out:
            out.write(jpeg + b"upload %d" % index)
