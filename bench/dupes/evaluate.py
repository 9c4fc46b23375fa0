#!/usr/bin/env python3
"""Scores the duplicate tiers on the quality set, pair by pair, and prints threshold sweeps.

Ground truth (from make_set.py's groups.json):
  * near duplicate: both files are the same photo or its edited copies (same group);
  * similar: both files come from the same shared photo, halves included (same group prefix).

Lenscale's perceptual hashes and embeddings are read from the catalog that `lenscale ingest`
wrote; imagededup's PHash hashes come from tools/peers/imagededup_phash.py. Both hashes are
scored with the same Hamming-distance rule, so the comparison is of the hashes alone.

Usage: evaluate.py --set bench/out/dupes --ingest ingest.jsonl --catalog catalog.sqlite
                   --peer imagededup.json --model efficientnet-lite0 [--near T] [--similar S]
"""
import argparse
import json
import sqlite3
from itertools import combinations

import numpy as np


def scores(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = int(np.sum(predicted & truth))
    fp = int(np.sum(predicted & ~truth))
    fn = int(np.sum(~predicted & truth))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    x = np.bitwise_xor(a, b)
    return np.array([bin(int(v)).count("1") for v in x])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", required=True)
    ap.add_argument("--ingest", required=True)
    ap.add_argument("--catalog", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--model", default="efficientnet-lite0")
    ap.add_argument("--near", type=int, default=8)
    ap.add_argument("--similar", type=float, default=0.6)
    ap.add_argument("--json", help="write the chosen-threshold figures here")
    args = ap.parse_args()

    groups = json.load(open(f"{args.set}/groups.json"))
    sha_of = {}
    for line in open(args.ingest):
        record = json.loads(line)
        if record.get("sha256"):
            sha_of[record["path"].rsplit("/", 1)[-1]] = record["sha256"]
    db = sqlite3.connect(args.catalog)
    phash = {}
    for sha, value, crops in db.execute("SELECT sha256, phash, phash_crops FROM images"):
        phash[sha] = [value & 0xFFFFFFFFFFFFFFFF] + [int.from_bytes(crops[i:i + 8], "little") for i in range(0, len(crops), 8)]
    vectors = {sha: np.frombuffer(blob, dtype="<f4") for sha, blob in
               db.execute("SELECT sha256, vector FROM embeddings WHERE model = ? AND dtype = 'float32'", (args.model,))}
    peer = {name: int(value, 16) for name, value in json.load(open(args.peer)).items()}

    files = sorted(f for f in groups if f in sha_of and f in peer)
    missing = sorted(set(groups) - set(files))
    pairs = list(combinations(range(len(files)), 2))
    left = np.array([p[0] for p in pairs])
    right = np.array([p[1] for p in pairs])
    group = np.array([groups[f] for f in files])
    source = np.array([groups[f].split("/")[0] for f in files])
    near_truth = group[left] == group[right]
    similar_truth = source[left] == source[right]

    # Lenscale's distance, as the near tier computes it: one side's full-frame hash against the
    # other's full frame or crops, whichever is closest (Hashing.PerceptualCodes).
    codes = np.array([phash[sha_of[f]] for f in files], dtype=np.uint64)
    full = codes[:, 0]
    ours_d = hamming(full[left], full[right])
    for k in range(1, codes.shape[1]):
        ours_d = np.minimum(ours_d, hamming(full[left], codes[right, k]))
        ours_d = np.minimum(ours_d, hamming(codes[left, k], full[right]))
    plain_d = hamming(full[left], full[right])
    theirs = np.array([peer[f] for f in files], dtype=np.uint64)
    theirs_d = hamming(theirs[left], theirs[right])
    emb = np.stack([vectors[sha_of[f]] for f in files])
    emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
    cosine = np.sum(emb[left] * emb[right], axis=1)

    print(f"{len(files)} images ({len(missing)} missing), {len(pairs)} pairs, "
          f"{int(near_truth.sum())} near-duplicate pairs, {int(similar_truth.sum())} same-photo pairs")
    print("\nnear-duplicate tier: Hamming distance ≤ T")
    print(f"{'T':>3}  {'lenscale P':>10} {'R':>6}   {'full frame only P':>17} {'R':>6}   {'imagededup P':>12} {'R':>6}")
    for t in range(0, 21):
        p1, r1 = scores(ours_d <= t, near_truth)
        p0, r0 = scores(plain_d <= t, near_truth)
        p2, r2 = scores(theirs_d <= t, near_truth)
        print(f"{t:>3}  {p1:>10.4f} {r1:>6.3f}   {p0:>17.4f} {r0:>6.3f}   {p2:>12.4f} {r2:>6.3f}")
    print("\nsimilar tier (near duplicates included): embedding cosine ≥ S, against same-photo truth")
    print(f"{'S':>5}  {'P':>7} {'R':>6}   near-duplicate truth: {'P':>7} {'R':>6}")
    for s in np.arange(0.50, 0.96, 0.05):
        predicted = (cosine >= s) | (ours_d <= args.near)
        p, r = scores(predicted, similar_truth)
        p2, r2 = scores(cosine >= s, near_truth)
        print(f"{s:>5.2f}  {p:>7.4f} {r:>6.3f}   {'':>22}{p2:>7.4f} {r2:>6.3f}")

    chosen = {
        "near_threshold": args.near,
        "similar_threshold": args.similar,
        "lenscale_near": scores(ours_d <= args.near, near_truth),
        "imagededup_near_at_T": scores(theirs_d <= args.near, near_truth),
        "imagededup_near_default_10": scores(theirs_d <= 10, near_truth),
        "lenscale_similar": scores((cosine >= args.similar) | (ours_d <= args.near), similar_truth),
    }
    print(f"\nchosen T = {args.near}, S = {args.similar}:")
    print("  lenscale near tier        precision %.4f recall %.4f" % chosen["lenscale_near"])
    print("  imagededup PHash, T = %2d  precision %.4f recall %.4f" % ((args.near,) + chosen["imagededup_near_at_T"]))
    print("  imagededup PHash, its default 10: precision %.4f recall %.4f" % chosen["imagededup_near_default_10"])
    print("  lenscale similar tier     precision %.4f recall %.4f (same-photo truth)" % chosen["lenscale_similar"])
    best_peer = max(range(0, 21), key=lambda t: (scores(theirs_d <= t, near_truth)[0] >= 0.99, scores(theirs_d <= t, near_truth)[1]))
    print("  imagededup at its best T with precision ≥ 0.99 (T = %d): precision %.4f recall %.4f"
          % ((best_peer,) + scores(theirs_d <= best_peer, near_truth)))
    if args.json:
        json.dump(chosen, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
