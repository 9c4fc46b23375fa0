#!/usr/bin/env python3
"""Benchmark peer for `lenscale serve`: FastAPI + uvicorn + Pillow + onnxruntime.

    .venv/bin/python tools/peers/fastapi_server.py --port 8090 [--model efficientnet-lite0]
        [--threads 2] [--batch 16] [--delay-ms 2] [--decode-threads 2]

What a competent Python engineer would deploy, so the comparison is fair:

  * ``POST /v1/classify`` takes the raw image body, like Lenscale's; ``GET /healthz``.
  * Decoding runs in a thread pool (Pillow releases the GIL) with ``draft()``
    reduced JPEG decoding, sharing tools/peers/python_classify.py's Preprocessor.
  * Requests are micro-batched in asyncio: a batch leaves when it is full or
    ``--delay-ms`` after its first request, and ORT runs in its own thread so
    the event loop keeps accepting; the same batch size and delay as Lenscale's.
  * A bounded in-memory cache keyed by the body's SHA-256 (an LRU dict), so a
    repeated image is answered without decoding, as Lenscale's tier 1 does.
  * One uvicorn worker: a second process would load a second model copy and
    split the two cores between two ORT sessions; ``--threads`` gives ORT the
    same threads Lenscale gets.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import hashlib
import io
import json
import os
import sys

import numpy as np
import onnxruntime as ort
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from python_classify import Preprocessor  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class BytesPreprocessor(Preprocessor):
    """The folder peer's preprocessing, from bytes already in memory."""

    def from_bytes(self, data: bytes) -> np.ndarray:
        path = io.BytesIO(data)
        # Preprocessor.__call__ reads a path; reuse its steps on an in-memory file.
        with Image.open(path) as im:
            if self.draft and im.format == "JPEG":
                im.draft("RGB", (self.shorter, self.shorter))
            from PIL import ImageOps
            im = ImageOps.exif_transpose(im).convert("RGB")
        w, h = im.size
        new = (self.shorter, int(self.shorter * h / w)) if w <= h else (int(self.shorter * w / h), self.shorter)
        left = int(round((new[0] - self.size) / 2.0))
        top = int(round((new[1] - self.size) / 2.0))
        im = im.resize(new, Image.BICUBIC).crop((left, top, left + self.size, top + self.size))
        x = np.asarray(im, dtype=np.float32).transpose(2, 0, 1)
        return x * self.scale + self.offset


class MicroBatcher:
    def __init__(self, run, batch: int, delay: float):
        self.run, self.batch, self.delay = run, batch, delay
        self.queue: asyncio.Queue = asyncio.Queue()
        self.infer = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    async def submit(self, tensor: np.ndarray):
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((tensor, future))
        return await future

    async def loop(self):
        loop = asyncio.get_running_loop()
        while True:
            items = [await self.queue.get()]
            deadline = loop.time() + self.delay
            while len(items) < self.batch:
                timeout = deadline - loop.time()
                if timeout <= 0:
                    break
                try:
                    items.append(await asyncio.wait_for(self.queue.get(), timeout))
                except asyncio.TimeoutError:
                    break
            batch = np.stack([t for t, _ in items])
            try:
                probs = await loop.run_in_executor(self.infer, self.run, batch)
                for (_, future), row in zip(items, probs):
                    future.set_result(row)
            except Exception as exc:  # answer every waiter, keep the loop alive
                for _, future in items:
                    future.set_exception(exc)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--model", default="efficientnet-lite0")
    ap.add_argument("--models-dir", default=os.path.join(REPO, "models"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--delay-ms", type=float, default=2.0)
    ap.add_argument("--decode-threads", type=int, default=2)
    ap.add_argument("--cache-entries", type=int, default=100_000)
    args = ap.parse_args(argv)

    with open(os.path.join(args.models_dir, "models.json"), encoding="utf-8") as f:
        entry = next(m for m in json.load(f)["models"] if m["name"] == args.model)
    with open(os.path.join(args.models_dir, entry["labels"]), encoding="utf-8") as f:
        labels = f.read().splitlines()
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    session = ort.InferenceSession(os.path.join(args.models_dir, entry["file"]), so, providers=["CPUExecutionProvider"])
    in_name, out_name = entry["input"]["name"], entry["outputs"]["logits"]
    prep = BytesPreprocessor(entry["input"])
    decode_pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.decode_threads)
    cache: collections.OrderedDict[str, dict] = collections.OrderedDict()

    def run(batch: np.ndarray) -> np.ndarray:
        (logits,) = session.run([out_name], {in_name: batch})
        z = logits.astype(np.float64)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    batcher = MicroBatcher(run, args.batch, args.delay_ms / 1000.0)
    app = FastAPI()

    @app.on_event("startup")
    async def start() -> None:
        asyncio.get_running_loop().create_task(batcher.loop())
        run(np.zeros((1, 3, prep.size, prep.size), dtype=np.float32))

    @app.get("/healthz")
    async def healthz():
        return PlainTextResponse("ok\n")

    @app.post("/v1/classify")
    async def classify(request: Request):
        data = await request.body()
        digest = hashlib.sha256(data).hexdigest()
        if digest in cache:
            cache.move_to_end(digest)
            return JSONResponse({**cache[digest], "cache": "hit"}, headers={"X-Lenscale-Cache": "hit"})
        try:
            tensor = await asyncio.get_running_loop().run_in_executor(decode_pool, prep.from_bytes, data)
        except Exception as exc:
            return JSONResponse({"error": {"code": "undecodable", "message": str(exc)}}, status_code=422)
        row = await batcher.submit(tensor)
        top = np.argsort(-row, kind="stable")[:5]
        answer = {"sha256": digest, "model": entry["name"], "model_version": entry["version"],
                  "labels": [{"index": int(j), "name": labels[j], "score": float(row[j])} for j in top]}
        cache[digest] = answer
        if len(cache) > args.cache_entries:
            cache.popitem(last=False)
        return JSONResponse({**answer, "cache": "miss"}, headers={"X-Lenscale-Cache": "miss"})

    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
