"""Hostile inputs for bench/hostile/run.sh: a 20 MB upload and a 10,000 x 10,000 PNG bomb.

The PNG is 16-bit RGBA, every pixel zero: under a megabyte on disk, 800 MB of pixels once
decoded. It is valid (correct CRCs, a complete zlib stream), so a server must decode it or
refuse it by budget; a malformed one would be refused at the header and prove nothing.
"""
import os
import struct
import sys
import zlib


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(path: str, side: int = 10_000) -> None:
    ihdr = struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + side * 8)  # filter byte, then RGBA at 16 bits
    parts = [compressor.compress(row) for _ in range(side)]
    parts.append(compressor.flush())
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b""))


def upload(path: str, size: int = 20_000_000) -> None:
    """20 MB that starts like a JPEG and is not one: the whole body must be read, then refused."""
    with open(path, "wb") as out:
        out.write(b"\xff\xd8\xff\xe0" + os.urandom(size - 4))


if __name__ == "__main__":
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    if not os.path.exists(os.path.join(folder, "bomb.png")):
        png_bomb(os.path.join(folder, "bomb.png"))
    if not os.path.exists(os.path.join(folder, "upload-20mb.bin")):
        upload(os.path.join(folder, "upload-20mb.bin"))
