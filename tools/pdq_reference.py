#!/usr/bin/env python3
"""Reference PDQ hashes for the Swift parity test (Tests/HashingTests/PDQParityTests.swift).

Reads binary PPM files (P6, maxval 255) holding pixels the Swift side already decoded, so both
sides hash identical RGB and the comparison is of the hash algorithm, not of JPEG decoders.
Hashes them with the `pdqhash` package (Cython bindings of Meta's reference C++) and prints one
line per file: `<64 hex digits> <quality> <path>`, the hex in the reference's own form (16-bit
word 15 first).

    .venv/bin/python tools/pdq_reference.py a.ppm b.ppm
"""
import sys

import numpy as np
import pdqhash


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1  # the single whitespace byte after maxval
    if fields[0] != b"P6" or fields[3] != b"255":
        raise SystemExit(f"{path}: not a binary 8-bit PPM")
    width, height = int(fields[1]), int(fields[2])
    pixels = np.frombuffer(data, dtype=np.uint8, count=width * height * 3, offset=pos)
    return pixels.reshape(height, width, 3)


def reference_hex(vector):
    # compute() returns the bits reversed: vector[255 - k] is bit k, bit k in word k // 16.
    words = [0] * 16
    for k in range(256):
        if vector[255 - k]:
            words[k >> 4] |= 1 << (k & 15)
    return "".join(f"{w:04x}" for w in reversed(words))


def main(paths):
    for path in paths:
        vector, quality = pdqhash.compute(np.ascontiguousarray(read_ppm(path)))
        print(reference_hex(vector), int(quality), path)


if __name__ == "__main__":
    main(sys.argv[1:])
