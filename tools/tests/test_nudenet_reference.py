"""tools/nudenet_reference.py must agree with the nudenet package it stands in for.

The Swift detector is tested against this script's output (Tests/ModerationTests), so the script
itself is held to ``nudenet.NudeDetector``: at nudenet's own thresholds its per-class decoding must
contain every detection nudenet reports, with the same class, score and (integer) box.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, photo

MODEL = os.path.join(REPO, "models", "nudenet-320n.onnx")


@pytest.mark.skipif(not os.path.exists(MODEL), reason="run tools/setup.sh to install the models")
def test_reference_contains_nudenets_own_detections(tmp_path):
    images = [photo("grace_hopper.jpg"), photo("coffee.png")]
    images = [p for p in images if p]
    assert images, "no sample photos found"
    out = subprocess.run(
        [sys.executable, os.path.join(REPO, "tools", "nudenet_reference.py"), "--model", MODEL,
         "--out", str(tmp_path), "--confidence", "0.25", *images],
        check=True, capture_output=True, text=True).stdout
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == len(images)
    for index, record in enumerate(records):
        assert (tmp_path / f"{index}.input.npy").exists() and (tmp_path / f"{index}.output.npy").exists()
        assert len(record["class_max"]) == 18
        for theirs in record["nudenet"]:
            ours = [d for d in record["decoded"] if d["class"] == theirs["class"]
                    and abs(d["score"] - theirs["score"]) < 1e-6
                    and [int(v) for v in d["box"]] == theirs["box"]]
            assert ours, f"{record['path']}: {theirs} not in {record['decoded']}"
