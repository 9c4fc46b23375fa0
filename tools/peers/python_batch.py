#!/usr/bin/env python3
"""Benchmark peer for `lenscale batch`: the offline pipeline a good Python engineer would write.

    .venv/bin/python tools/peers/python_batch.py FOLDER --out DIR [--model efficientnet-lite0]
        [--threads 2] [--batch 16] [--workers N] [--top 5] [--embedding-dtype float32|float16]

It writes what `lenscale batch` writes, from the same ONNX file and preprocessing rules
(models.json): DIR/labels.jsonl (classify's JSONL records), DIR/embeddings.npy (one row per
distinct image), DIR/embeddings.index.jsonl (row -> sha256, path) and DIR/failures.jsonl.

What makes it a fair opponent rather than a straw man:

  * Decoding runs in a ``multiprocessing.Pool`` of ``--workers`` processes (default: the cores
    this process may use), fed with ``imap`` in chunks, so it overlaps inference in the main
    process: the GIL never serialises decoding, and results stream back in input order.
  * JPEGs are decoded with ``Image.draft()``, libjpeg's DCT scaling (1/2, 1/4, 1/8), never below
    the model's resize target, as tools/peers/python_classify.py does.
  * Workers send back the 224x224 uint8 crop (150 KB), not a float tensor (600 KB), and the main
    process normalises whole batches with one vectorised multiply-add: less pickling, fewer copies.
  * ``--sessions`` ORT sessions (default: as many as ``--threads``, one thread each, the
    configuration `lenscale batch` picks and the faster one on a busy 2-core machine; see
    bench/batch/ceiling.py) run batches of ``--batch`` side by side from a thread pool (ORT
    releases the GIL), sharing ``--threads`` intra-op threads; each call fetches the logits and
    the embedding together; softmax and top-k are vectorised per batch.
  * Exact duplicates (same SHA-256) are labelled once and copied, like `lenscale batch`.

It does not checkpoint or resume; everything else is the same work. Model loading is excluded
from the timing; the last line on stderr is ``python_batch: N images in S s = R img/s, CPU C s``
(C counts every process, the decode workers included).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import io
import json
import multiprocessing
import os
import sys
import time

import numpy as np
import onnxruntime as ort
from PIL import Image, ImageOps

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp"}

_spec = None  # set in each worker by _init


def walk(folder):
    """Image files under `folder`, sorted, as `lenscale batch` lists them."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS:
                found.append(os.path.join(root, name))
    return sorted(found)


def _init(spec):
    global _spec
    _spec = spec


def prepare(path):
    """Read, hash, draft-decode, resize, crop: returns (path, sha256, uint8 HxWx3 crop or None, error)."""
    size, shorter = _spec["size"], _spec["resize"]["shorter_side"]
    try:
        with open(path, "rb") as f:
            data = f.read()
        digest = hashlib.sha256(data).hexdigest()
        with Image.open(io.BytesIO(data)) as im:
            if im.format == "JPEG":
                im.draft("RGB", (shorter, shorter))
            im = ImageOps.exif_transpose(im).convert("RGB")
        w, h = im.size
        new = (shorter, int(shorter * h / w)) if w <= h else (int(shorter * w / h), shorter)
        left, top = int(round((new[0] - size) / 2.0)), int(round((new[1] - size) / 2.0))
        im = im.resize(new, Image.BICUBIC).crop((left, top, left + size, top + size))
        return path, digest, np.asarray(im, dtype=np.uint8), None
    except Exception as exc:  # a bad file is reported, never fatal
        return path, locals().get("digest"), None, f"{type(exc).__name__}: {exc}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Python batch pipeline peer (Pillow draft + multiprocessing + onnxruntime)")
    ap.add_argument("folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default="efficientnet-lite0")
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--threads", type=int, default=2, help="ORT intra-op threads, over all sessions")
    ap.add_argument("--sessions", type=int, default=None, help="ORT sessions run side by side (default: --threads)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="decode processes")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--embedding-dtype", choices=["float32", "float16"], default="float32")
    args = ap.parse_args(argv)

    with open(os.path.join(args.models_dir, "models.json"), encoding="utf-8") as f:
        entry = next((m for m in json.load(f)["models"] if m["name"] == args.model), None)
    if entry is None or entry["task"] != "classification":
        raise SystemExit(f"{args.model}: no classification model of that name in models.json")
    with open(os.path.join(args.models_dir, entry["labels"]), encoding="utf-8") as f:
        names = f.read().splitlines()
    spec = entry["input"]
    std = np.asarray(spec["std"], dtype=np.float32)
    scale = (1.0 / std).reshape(1, 3, 1, 1)
    offset = (-np.asarray(spec["mean"], dtype=np.float32) / std).reshape(1, 3, 1, 1)

    sessions = []
    count = args.sessions or args.threads
    for _ in range(count):
        so = ort.SessionOptions()
        so.intra_op_num_threads = max(1, args.threads // count)
        so.inter_op_num_threads = 1
        sessions.append(ort.InferenceSession(os.path.join(args.models_dir, entry["file"]), so, providers=["CPUExecutionProvider"]))
    session = sessions[0]
    idle = list(sessions)
    idle_lock = __import__("threading").Lock()

    def infer(x):
        with idle_lock:
            s = idle.pop()
        try:
            return s.run(out_names, {in_name: x})
        finally:
            with idle_lock:
                idle.append(s)
    in_name = spec["name"]
    out_names = [entry["outputs"]["logits"], entry["outputs"]["embedding"]]

    os.makedirs(args.out, exist_ok=True)
    labels_file = open(os.path.join(args.out, "labels.jsonl"), "w", encoding="utf-8")
    index_file = open(os.path.join(args.out, "embeddings.index.jsonl"), "w", encoding="utf-8")
    failures_file = open(os.path.join(args.out, "failures.jsonl"), "w", encoding="utf-8")
    dtype = np.float16 if args.embedding_dtype == "float16" else np.float32

    t0 = time.perf_counter()
    cpu0 = os.times()
    paths = walk(args.folder)
    known = {}  # sha256 -> labels, for duplicates
    rows = []
    pending = []  # (path, sha256, crop) waiting for a full batch
    waiting = []  # (path, sha256) duplicates of pending items
    done = duplicates = failed = 0

    def record(path, digest, labels):
        labels_file.write(json.dumps({"labels": labels, "model": entry["name"], "model_version": entry["version"],
                                      "path": path, "sha256": digest}, sort_keys=True) + "\n")

    in_flight_batches = []  # (future, items, duplicates), oldest first

    def submit(executor):
        x = np.stack([crop for _, _, crop in pending]).transpose(0, 3, 1, 2).astype(np.float32)
        x = x * scale + offset
        in_flight_batches.append((executor.submit(infer, x), list(pending), list(waiting)))
        pending.clear()
        waiting.clear()

    def finish_oldest():
        nonlocal done
        future, items, dups = in_flight_batches.pop(0)
        logits, embedding = future.result()
        z = logits.astype(np.float64)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        probs = z / z.sum(axis=1, keepdims=True)
        top = np.argsort(-probs, axis=1, kind="stable")[:, : args.top]
        for (path, digest, _), row, best, vector in zip(items, probs, top, embedding):
            labels = [{"index": int(j), "name": names[j], "score": float(row[j])} for j in best]
            known[digest] = labels
            record(path, digest, labels)
            index_file.write(json.dumps({"path": path, "row": len(rows), "sha256": digest}, sort_keys=True) + "\n")
            rows.append(vector.astype(dtype))
            done += 1
        for path, digest in dups:
            record(path, digest, known[digest])

    chunk = max(1, min(16, len(paths) // (4 * max(1, args.workers)) or 1))
    with multiprocessing.Pool(args.workers, initializer=_init, initargs=(spec,)) as pool, \
            concurrent.futures.ThreadPoolExecutor(max_workers=count) as executor:
        in_flight = set()
        for path, digest, crop, error in pool.imap(prepare, paths, chunksize=chunk):
            if error is not None:
                failed += 1
                failures_file.write(json.dumps({"error": "decode", "message": error, "path": path, "sha256": digest}) + "\n")
                continue
            if digest in known or digest in in_flight:
                duplicates += 1
                if digest in known:
                    record(path, digest, known[digest])
                else:
                    waiting.append((path, digest))
                continue
            in_flight.add(digest)
            pending.append((path, digest, crop))
            if len(pending) == args.batch:
                submit(executor)
                # Keep every session busy with one batch queued behind it, no more.
                while len(in_flight_batches) > count:
                    finish_oldest()
        if pending:
            submit(executor)
        while in_flight_batches:
            finish_oldest()
    dims = int(session.get_outputs()[[o.name for o in session.get_outputs()].index(out_names[1])].shape[-1] or 0)
    np.save(os.path.join(args.out, "embeddings.npy"),
            np.stack(rows) if rows else np.zeros((0, dims or 1280), dtype=dtype))
    for f in (labels_file, index_file, failures_file):
        f.close()
    elapsed = time.perf_counter() - t0
    cpu1 = os.times()  # the pool's workers have been reaped, so their CPU time is counted
    cpu = sum(cpu1[:4]) - sum(cpu0[:4])
    print(f"python_batch: {done} labelled, {duplicates} duplicates, {failed} failed; workers {args.workers}, "
          f"threads {args.threads} over {count} session(s), batch {args.batch}", file=sys.stderr)
    print(f"python_batch: {done} images in {elapsed:.2f} s = {done / elapsed if elapsed > 0 else 0:.1f} img/s, CPU {cpu:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
