#!/usr/bin/env python3
"""The seed's Pinterest scenario over HTTP: one POST /v1/batches with 100 real-photo JPEGs of
about 200 KB each, against a running `lenscale serve` (embedded mode, in-process worker).

    .venv/bin/python bench/jobs/pinterest.py --url http://127.0.0.1:8080 --token lsk_... --images DIR [--runs 3]

Reports, per run and as medians: the time to the 202 (goal < 1 s) and the time until every item
is labelled and embedded (goal < 10 s on 2 cores), polling GET /v1/batches/{id} every 50 ms.
Each run uploads a different 100 files (a fresh content hash is fresh work, not a cache hit).
"""
import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
import uuid


def multipart(paths):
    boundary = uuid.uuid4().hex
    chunks = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        chunks.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"{os.path.basename(path)}\"\r\n"
                      f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return boundary, b"".join(chunks)


def request(url, token, data=None, content_type=None):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    req.add_header("Authorization", f"Bearer {token}")
    if content_type:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.status, json.loads(response.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--images", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--count", type=int, default=100)
    args = ap.parse_args()
    files = sorted(os.path.join(args.images, f) for f in os.listdir(args.images) if f.endswith(".jpg"))
    if len(files) < args.count * args.runs:
        sys.exit(f"need {args.count * args.runs} images in {args.images}, found {len(files)}")
    acks, totals = [], []
    for run in range(args.runs):
        paths = files[run * args.count:(run + 1) * args.count]
        size = sum(os.path.getsize(p) for p in paths) / len(paths) / 1024
        boundary, body = multipart(paths)
        t0 = time.perf_counter()
        status, receipt = request(args.url + "/v1/batches", args.token, body, f"multipart/form-data; boundary={boundary}")
        ack = time.perf_counter() - t0
        assert status == 202, (status, receipt)
        while True:
            _, batch = request(args.url + f"/v1/batches/{receipt['id']}", args.token)
            if batch.get("completed_at"):
                break
            time.sleep(0.05)
        total = time.perf_counter() - t0
        done = sum(1 for item in batch["items"] if item["state"] == "done")
        acks.append(ack)
        totals.append(total)
        print(f"run {run + 1}: {len(paths)} JPEGs of {size:.0f} KB on average: 202 after {ack:.3f} s, "
              f"all {done} labelled and embedded after {total:.2f} s", flush=True)
    print(json.dumps({"benchmark": "pinterest", "images": args.count, "runs": args.runs,
                      "ack_seconds_median": statistics.median(acks), "done_seconds_median": statistics.median(totals)}))


if __name__ == "__main__":
    main()
