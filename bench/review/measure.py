#!/usr/bin/env python3
"""Moderation over HTTP, measured against a real `lenscale serve` (release build by default).

1. Added latency of the light stage on the online path: for each of N distinct JPEGs (already
   classified, so the prediction is a cache hit), `POST /v1/classify` and
   `POST /v1/classify?moderate=true` back to back, alternating which goes first; the moderated
   one runs the light stage (decode at >= 320, NudeNet 320, policy, record). Also a third pass
   where the moderation decision is cached. p50/p95/p99 of each and of the per-image difference.
2. Upload to heavy-stage decision under light load: re-encoded copies of rocket.jpg (same
   content, new hashes), one at a time; time from the upload to `GET /v1/moderation/{sha}`
   leaving `uncertain` (polled every 10 ms).
3. Review API throughput: `GET /v1/review` from 4 threads for 5 s; then two reviewers claim and
   decide the queue until it is empty.

Usage: bench/review/measure.py [--bin .build/release/lenscale] [--count 60] [--heavy 12]
"""
import argparse
import hashlib
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("SHARED", REPO.parent / "shared"))
POLICY = """\
version: 1
sample_rate: 0
categories:
  weapons:
    imagenet_classes: [missile, "projectile, missile", space shuttle]
    escalate_at: 0.05
    review_at: 0.05
    block_at: 0.999
"""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def summary(name, ms):
    return f"{name:<34} n={len(ms):<4} p50={percentile(ms, 50):7.2f} ms  p95={percentile(ms, 95):7.2f} ms  p99={percentile(ms, 99):7.2f} ms  max={max(ms):7.2f} ms"


class Client:
    def __init__(self, url, key):
        self.url, self.key = url, key

    def call(self, path, method="GET", body=None, content_type=None):
        request = urllib.request.Request(self.url + path, data=body, method=method)
        request.add_header("Authorization", "Bearer " + self.key)
        if content_type:
            request.add_header("Content-Type", content_type)
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            data = response.read()
        return (time.perf_counter() - started) * 1000, json.loads(data) if data else None


def jpeg_set(count):
    photos = sorted(p for p in (SHARED / "images").glob("*.jpg"))
    out = []
    for i in range(count):
        image = Image.open(photos[i % len(photos)]).convert("RGB")
        w, h = image.size
        k = 1 + i // len(photos)
        crop = image.crop((k * 3, k * 2, w - k * 3, h - k * 2))
        crop.thumbnail((1024, 1024))
        buffer = io.BytesIO()
        crop.save(buffer, "JPEG", quality=85)
        out.append(buffer.getvalue())
    return out


def rocket_copies(count):
    image = Image.open(SHARED / "images" / "rocket.jpg").convert("RGB")
    out = []
    for q in range(count):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=70 + q % 26, subsampling=q // 26)
        out.append(buffer.getvalue())
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=str(REPO / ".build" / "release" / "lenscale"))
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--heavy", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="lenscale-review-bench-")
    policy = Path(data) / "policy.yaml"
    policy.write_text(POLICY)
    env = dict(os.environ, LENSCALE_MODERATION_POLICY=str(policy))
    key = subprocess.run([args.bin, "keys", "create", "--data", data, "--name", "bench", "--scope", "admin"],
                         capture_output=True, text=True, check=True, env=env).stdout.strip()
    second = subprocess.run([args.bin, "keys", "create", "--data", data, "--name", "bench2", "--scope", "review"],
                            capture_output=True, text=True, check=True, env=env).stdout.strip()
    log = open(Path(data) / "serve.log", "w")
    server = subprocess.Popen([args.bin, "serve", "--data", data, "--port", "0", "--threads", str(args.threads)],
                              stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=REPO)
    try:
        url = None
        while url is None:
            line = server.stdout.readline()
            if not line:
                sys.exit("the server did not start: see " + log.name)
            match = re.search(r"listening on (http://\S+)", line)
            url = match.group(1) if match else None
        while True:
            try:
                if urllib.request.urlopen(url + "/readyz", timeout=5).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        client = Client(url, key)
        print(f"load average before: {open('/proc/loadavg').read().split()[:3]}; server threads {args.threads}")

        # 1. The light stage's added latency (prediction cache hit in both).
        images = jpeg_set(args.count)
        for body in images:
            client.call("/v1/classify", "POST", body, "image/jpeg")
        plain, moderated, cached, added = [], [], [], []
        for i, body in enumerate(images):
            order = [False, True] if i % 2 == 0 else [True, False]
            times = {}
            for moderate in order:
                times[moderate], _ = client.call("/v1/classify" + ("?moderate=true" if moderate else ""), "POST", body, "image/jpeg")
            plain.append(times[False])
            moderated.append(times[True])
            added.append(times[True] - times[False])
        for body in images:
            cached.append(client.call("/v1/classify?moderate=true", "POST", body, "image/jpeg")[0])
        print(summary("classify (hit)", plain))
        print(summary("classify?moderate=true (light)", moderated))
        print(summary("  added by the light stage", added))
        print(summary("classify?moderate=true (cached)", cached))

        # 2. Upload to heavy decision, one at a time.
        heavy = []
        for body in rocket_copies(args.heavy):
            sha = hashlib.sha256(body).hexdigest()
            started = time.perf_counter()
            _, answer = client.call("/v1/classify?moderate=true", "POST", body, "image/jpeg")
            assert answer["moderation"]["outcome"] == "uncertain", answer["moderation"]
            while True:
                _, decision = client.call(f"/v1/moderation/{sha}")
                if decision["outcome"] != "uncertain":
                    break
                time.sleep(0.01)
            heavy.append((time.perf_counter() - started) * 1000)
        print(summary("upload -> heavy decision", heavy))

        # 3. Review API throughput.
        stop = time.perf_counter() + 5
        counts = [0] * 4

        def lister(slot):
            while time.perf_counter() < stop:
                client.call("/v1/review?limit=50")
                counts[slot] += 1
        threads = [threading.Thread(target=lister, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(f"GET /v1/review (4 threads, 5 s): {sum(counts) / 5:.0f} req/s")
        decided = [0, 0]

        def reviewer(slot, token):
            me = Client(url, token)
            while True:
                _, claim = me.call("/v1/review/claim", "POST")
                if not claim.get("item"):
                    return
                me.call(f"/v1/review/{claim['item']['id']}", "POST", b'{"verdict": "approve", "reason": "bench"}', "application/json")
                decided[slot] += 1
        started = time.perf_counter()
        threads = [threading.Thread(target=reviewer, args=(0, key)), threading.Thread(target=reviewer, args=(1, second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        print(f"claim + decide (2 reviewers): {sum(decided)} items in {elapsed:.2f} s = {sum(decided) / elapsed:.0f} items/s")
        print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
