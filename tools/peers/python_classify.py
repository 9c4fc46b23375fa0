#!/usr/bin/env python3
"""Benchmark peer: how a competent Python engineer would classify a folder of photos.

    .venv/bin/python tools/peers/python_classify.py [--model efficientnet-lite0]
        [--threads 1] [--batch 16] [--top 5] [--models-dir models] PATH...

Why it exists: Lenscale's Swift pipeline is measured against this, so it has
to be a fair opponent, not a straw man. It prints the same JSONL as
tools/reference_classify.py and uses the same model and preprocessing rules
(models.json), with the optimisations an experienced engineer would reach for:

  * Batched inference (``--batch``), one ORT session with ``--threads``
    intra-op threads.
  * JPEG reduced decoding with ``Image.draft()``: libjpeg's DCT scaling
    decodes at 1/2, 1/4 or 1/8 size directly. We request no less than the
    resize target's shorter side, so the subsequent bicubic resize still
    only ever downsamples; it is the honest fast path any Pillow user
    should take for thumbnails. The cost: the DCT downscale is a different
    (box-like) filter than the reference's antialiased bicubic, so scores
    move. On the 23 shared photos with lite0: median change 0.005, largest
    0.099 in probability, top-1 identical on 22 of 23 (the other was a
    near-tie). ``--no-draft`` turns it off, which makes the output match
    tools/reference_classify.py exactly.
  * Decoding of the next batch overlaps inference of the current one (one
    background thread; Pillow and ORT both release the GIL in their C code).
    On a 2-core machine with ``--threads 2`` the two contend; that is the
    honest trade-off and is left to the caller.

Model loading (session creation) is excluded from the timing; the last line
on stderr is ``python_classify: N images in S s = R img/s``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import io
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}


def walk(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for name in sorted(files):
                    if os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
                        yield os.path.join(root, name)
        else:
            yield p


class Preprocessor:
    """Decode + resize + crop + normalise per models.json (same rounding as the reference)."""

    def __init__(self, spec: dict, draft: bool = True):
        self.draft = draft
        assert spec["resize"]["rule"] == "shorter_side" and spec["crop"] == "center"
        assert spec["color"] == "RGB" and spec["layout"] == "NCHW"
        self.size = spec["size"]
        self.shorter = spec["resize"]["shorter_side"]
        # Fold (p - mean) / std into one multiply-add.
        std = np.asarray(spec["std"], dtype=np.float32)
        self.scale = (1.0 / std).reshape(3, 1, 1)
        self.offset = (-np.asarray(spec["mean"], dtype=np.float32) / std).reshape(3, 1, 1)

    def __call__(self, path: str) -> tuple[str, np.ndarray]:
        with open(path, "rb") as f:
            data = f.read()
        digest = hashlib.sha256(data).hexdigest()
        with Image.open(io.BytesIO(data)) as im:
            if self.draft and im.format == "JPEG":
                # Both sides stay >= the shorter-side target, whatever the
                # EXIF orientation, because the request is square.
                im.draft("RGB", (self.shorter, self.shorter))
            im = ImageOps.exif_transpose(im)
            im = im.convert("RGB")
        w, h = im.size
        if w <= h:
            new = (self.shorter, int(self.shorter * h / w))
        else:
            new = (int(self.shorter * w / h), self.shorter)
        left = int(round((new[0] - self.size) / 2.0))
        top = int(round((new[1] - self.size) / 2.0))
        im = im.resize(new, Image.BICUBIC).crop((left, top, left + self.size, top + self.size))
        x = np.asarray(im, dtype=np.float32).transpose(2, 0, 1)
        return digest, x * self.scale + self.offset


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Python/Pillow/onnxruntime classification peer")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--model", default="efficientnet-lite0")
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--threads", type=int, default=1, help="ORT intra-op threads")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--no-draft", action="store_true", help="full JPEG decode (slower, exact)")
    args = ap.parse_args(argv)

    with open(os.path.join(args.models_dir, "models.json"), encoding="utf-8") as f:
        entry = next((m for m in json.load(f)["models"] if m["name"] == args.model), None)
    if entry is None or entry["task"] != "classification":
        raise SystemExit(f"{args.model}: no classification model of that name in models.json")
    with open(os.path.join(args.models_dir, entry["labels"]), encoding="utf-8") as f:
        labels = f.read().splitlines()

    t_load = time.perf_counter()
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    session = ort.InferenceSession(os.path.join(args.models_dir, entry["file"]), so,
                                   providers=["CPUExecutionProvider"])
    print(f"python_classify: model loaded in {time.perf_counter() - t_load:.3f} s", file=sys.stderr)

    prep = Preprocessor(entry["input"], draft=not args.no_draft)
    in_name, out_name = entry["input"]["name"], entry["outputs"]["logits"]
    paths = list(walk(args.paths))
    batches = [paths[i:i + args.batch] for i in range(0, len(paths), max(1, args.batch))]

    def load_batch(batch):
        ok, digests, tensors = [], [], []
        for p in batch:
            try:
                d, x = prep(p)
            except (OSError, ValueError) as exc:
                print(f"python_classify: {p}: {exc}", file=sys.stderr)
                continue
            ok.append(p)
            digests.append(d)
            tensors.append(x)
        return ok, digests, tensors

    done = failures = 0
    out = sys.stdout
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(load_batch, batches[0]) if batches else None
        for i in range(len(batches)):
            ok, digests, tensors = pending.result()
            failures += len(batches[i]) - len(ok)
            if i + 1 < len(batches):
                pending = pool.submit(load_batch, batches[i + 1])
            if not ok:
                continue
            (logits,) = session.run([out_name], {in_name: np.stack(tensors)})
            z = logits.astype(np.float64)
            z = np.exp(z - z.max(axis=1, keepdims=True))
            probs = z / z.sum(axis=1, keepdims=True)
            for p, d, row in zip(ok, digests, probs):
                top = np.argsort(-row, kind="stable")[: args.top]
                out.write(json.dumps({
                    "path": p, "sha256": d, "model": entry["name"],
                    "model_version": entry["version"],
                    "labels": [{"index": int(j), "name": labels[j], "score": float(row[j])} for j in top],
                }) + "\n")
            done += len(ok)
    out.flush()
    elapsed = time.perf_counter() - t0
    rate = done / elapsed if elapsed > 0 else 0.0
    print(f"python_classify: {done} images in {elapsed:.2f} s = {rate:.1f} img/s", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
