#!/usr/bin/env python3
"""The inference ceiling for bench/batch: ONNX Runtime alone on pre-decoded tensors.

    .venv/bin/python bench/batch/ceiling.py FOLDER [--model efficientnet-lite0] [--threads 2]
        [--batch 16] [--images 2000] [--distinct 256] [--config 1x2,2x1]

Decodes up to --distinct images of FOLDER once, untimed, with the peer's preprocessing (so the
tensors are real photos), then times --images inferences in batches of --batch, cycling over the
decoded tensors, for each configuration SESSIONSxTHREADS whose product is --threads: one session
with all the threads, or several sessions of fewer threads each run from their own Python thread
(ORT releases the GIL). Fetches the logits and the embedding, as the pipelines do. Prints one line
per configuration and, last, ``ceiling: best SxT R img/s, CPU C s``: the honest ceiling is the
best one. C is the process's CPU time over the timed part, every thread included.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "peers"))
import python_batch  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--model", default="efficientnet-lite0")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--distinct", type=int, default=256)
    ap.add_argument("--config", default=None, help="comma-separated SxT (default: every split of --threads)")
    args = ap.parse_args()

    models_dir = os.path.join(REPO, "models")
    with open(os.path.join(models_dir, "models.json"), encoding="utf-8") as f:
        entry = next(m for m in json.load(f)["models"] if m["name"] == args.model)
    spec = entry["input"]
    python_batch._init(spec)
    std = np.asarray(spec["std"], dtype=np.float32)
    crops = [python_batch.prepare(p)[2] for p in python_batch.walk(args.folder)[: args.distinct]]
    x = np.stack([c for c in crops if c is not None]).transpose(0, 3, 1, 2).astype(np.float32)
    x = (x - np.asarray(spec["mean"], dtype=np.float32).reshape(1, 3, 1, 1)) / std.reshape(1, 3, 1, 1)
    batches = [np.ascontiguousarray(x[(i * args.batch) % (len(x) - args.batch + 1):][: args.batch])
               for i in range(args.images // args.batch)]
    outputs = [entry["outputs"]["logits"], entry["outputs"]["embedding"]]

    configs = []
    if args.config:
        configs = [tuple(int(v) for v in c.split("x")) for c in args.config.split(",")]
    else:
        configs = [(s, args.threads // s) for s in range(1, args.threads + 1) if args.threads % s == 0]

    best = None
    for sessions, threads in configs:
        pool = []
        for _ in range(sessions):
            so = ort.SessionOptions()
            so.intra_op_num_threads = threads
            so.inter_op_num_threads = 1
            pool.append(ort.InferenceSession(os.path.join(models_dir, entry["file"]), so, providers=["CPUExecutionProvider"]))
        for s in pool:  # warm up: the first run allocates and picks kernels
            s.run(outputs, {spec["name"]: batches[0]})
        next_batch = iter(range(len(batches)))
        lock = threading.Lock()

        def worker(session):
            while True:
                with lock:
                    i = next(next_batch, None)
                if i is None:
                    return
                session.run(outputs, {spec["name"]: batches[i]})

        t0 = time.perf_counter()
        cpu0 = time.process_time()
        workers = [threading.Thread(target=worker, args=(s,)) for s in pool]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        rate = len(batches) * args.batch / elapsed
        print(f"ceiling: {sessions}x{threads} {rate:.1f} img/s, CPU {cpu:.1f} s", flush=True)
        if best is None or rate > best[2]:
            best = (sessions, threads, rate, cpu)
    print(f"ceiling: best {best[0]}x{best[1]} {best[2]:.1f} img/s, CPU {best[3]:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
