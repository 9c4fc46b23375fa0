#!/usr/bin/env python3
"""Reference classifier: the behaviour the Swift implementation must reproduce.

    .venv/bin/python tools/reference_classify.py [--model efficientnet-lite0] [--top 5]
        [--threads N] [--batch N] [--models-dir models] PATH...
    .venv/bin/python tools/reference_classify.py --dump-tensor x.npy IMAGE

Why it exists: when the Swift pipeline disagrees with expectations, this is
the unambiguous, slow-but-obvious definition of "correct". It therefore
favours exactness over speed (full decode, no draft(), no shortcuts) and
spells out every rounding decision, all driven by models.json so it cannot
drift from what the Swift side reads.

Preprocessing, step by step (for models whose input rule is "shorter_side"):
  1. ``Image.open``; ``ImageOps.exif_transpose`` so camera-rotated photos are
     upright; ``convert("RGB")`` (alpha is dropped, not composited; palette
     and grey images are expanded).
  2. Resize so the shorter side is exactly ``shorter_side``; the longer side
     becomes ``floor(shorter_side * long / short)``, i.e. truncated, as
     torchvision's Resize(int) does. Filter: Pillow BICUBIC (a = -0.5, with
     Pillow's antialiasing support when downscaling).
  3. Centre crop ``size`` x ``size`` with offsets
     ``left = round((w - size) / 2)``, ``top = round((h - size) / 2)`` using
     Python's round(), which rounds half to EVEN (torchvision's center_crop
     does exactly this). E.g. a 3-pixel excess gives an offset of 2 and a
     5-pixel excess also gives 2. Swift must use ``.toNearestOrEven``.
  4. float32 ``(p - mean) / std`` per channel on 0..255 values, HWC -> CHW,
     batched as NCHW.

Output: one JSON object per image and line,
``{"path", "sha256", "model", "model_version", "labels": [{"index", "name", "score"}]}``
where score is the softmax probability (computed in float64 from the float32
logits) and labels are in descending score order, ties by lower index.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}


def load_manifest(models_dir: str, name: str) -> dict:
    with open(os.path.join(models_dir, "models.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    for entry in manifest["models"]:
        if entry["name"] == name:
            if entry["task"] != "classification":
                raise SystemExit(f"{name} is a {entry['task']} model; this tool classifies")
            return entry
    raise SystemExit(f"{name} is not in {models_dir}/models.json")


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def preprocess(path: str, spec: dict) -> np.ndarray:
    """The CHW float32 tensor for one image, per models.json's ``input`` block."""
    if spec["resize"]["rule"] != "shorter_side" or spec["crop"] != "center" \
            or spec["layout"] != "NCHW" or spec["color"] != "RGB":
        raise SystemExit(f"unsupported preprocessing in models.json: {spec}")
    size = spec["size"]
    shorter = spec["resize"]["shorter_side"]
    if spec["resize"]["filter"] != "bicubic":
        raise SystemExit(f"unsupported filter {spec['resize']['filter']}")

    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        im = im.convert("RGB")
    w, h = im.size
    if w <= h:
        new = (shorter, int(shorter * h / w))
    else:
        new = (int(shorter * w / h), shorter)
    im = im.resize(new, Image.BICUBIC)
    w, h = im.size
    left = int(round((w - size) / 2.0))
    top = int(round((h - size) / 2.0))
    im = im.crop((left, top, left + size, top + size))

    x = np.asarray(im, dtype=np.float32)
    x = (x - np.asarray(spec["mean"], dtype=np.float32)) / np.asarray(spec["std"], dtype=np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; directories walked recursively in sorted order."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
                        out.append(os.path.join(root, name))
        else:
            out.append(p)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Lenscale reference classifier (Pillow + onnxruntime)")
    ap.add_argument("paths", nargs="+", help="image files or directories")
    ap.add_argument("--model", default="efficientnet-lite0")
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="ORT intra-op threads")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--dump-tensor", metavar="OUT.npy",
                    help="write the preprocessed [1,3,R,R] tensor of the single input image and exit")
    args = ap.parse_args(argv)

    entry = load_manifest(args.models_dir, args.model)
    paths = expand_paths(args.paths)

    if args.dump_tensor:
        if len(paths) != 1:
            raise SystemExit("--dump-tensor takes exactly one image")
        np.save(args.dump_tensor, preprocess(paths[0], entry["input"])[None])
        return 0

    model_path = os.path.join(args.models_dir, entry["file"])
    if sha256_file(model_path) != entry["sha256"]:
        raise SystemExit(f"{model_path} does not match models.json; re-run tools/export_models.py")
    with open(os.path.join(args.models_dir, entry["labels"]), encoding="utf-8") as f:
        labels = f.read().splitlines()

    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    session = ort.InferenceSession(model_path, so, providers=["CPUExecutionProvider"])

    failures = 0
    batch_size = max(1, args.batch)
    for start in range(0, len(paths), batch_size):
        chunk, tensors = [], []
        for p in paths[start:start + batch_size]:
            try:
                tensors.append(preprocess(p, entry["input"]))
                chunk.append(p)
            except (OSError, ValueError) as exc:
                print(f"reference_classify: {p}: {exc}", file=sys.stderr)
                failures += 1
        if not chunk:
            continue
        (logits,) = session.run([entry["outputs"]["logits"]], {entry["input"]["name"]: np.stack(tensors)})
        for p, probs in zip(chunk, softmax(logits)):
            top = np.argsort(-probs, kind="stable")[: args.top]
            print(json.dumps({
                "path": p,
                "sha256": sha256_file(p),
                "model": entry["name"],
                "model_version": entry["version"],
                "labels": [{"index": int(i), "name": labels[i], "score": float(probs[i])} for i in top],
            }), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
