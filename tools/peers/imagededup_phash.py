#!/usr/bin/env python3
"""Peer for the near-duplicate benchmark: imagededup's PHash on the same files.

imagededup's package __init__ files import its CNN method, which needs torch (gigabytes). Its
hashing method needs only numpy, scipy, PyWavelets, Pillow and tqdm, so this script registers
the `imagededup.methods` and `imagededup.utils` packages without running their __init__ files
and imports the hashing module alone. Nothing of imagededup is changed.

Prints JSON {file name: 16-hex-digit hash} for every image in the folder.
Usage: python imagededup_phash.py FOLDER
"""
import importlib.util
import json
import sys
import types
from pathlib import Path


def import_hashing():
    spec = importlib.util.find_spec("imagededup")
    root = Path(spec.origin).parent
    for package in ("imagededup.methods", "imagededup.utils"):
        module = types.ModuleType(package)
        module.__path__ = [str(root / package.split(".")[1])]
        sys.modules[package] = module
    from imagededup.methods.hashing import PHash  # noqa: E402

    return PHash


def main() -> None:
    folder = Path(sys.argv[1])
    phash = import_hashing()(verbose=False)
    hashes = {}
    for path in sorted(folder.iterdir()):
        encoded = phash.encode_image(image_file=str(path))
        if encoded:
            hashes[path.name] = encoded
    json.dump(hashes, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
