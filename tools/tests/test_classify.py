"""Tests for the reference classifier and the Python benchmark peer.

Why: the reference defines what the Swift pipeline must reproduce, so its
rounding rules are pinned here on synthetic images where the right answer
is known exactly, and the peer is held to the same output format (and, with
--no-draft, the same numbers), so benchmark comparisons are like for like.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, TOOLS, photo, shared_images_dir
import reference_classify

SPEC = {"name": "input", "size": 224, "layout": "NCHW", "color": "RGB",
        "resize": {"rule": "shorter_side", "shorter_side": 256, "filter": "bicubic"},
        "crop": "center", "mean": [127.0] * 3, "std": [128.0] * 3}


@pytest.mark.parametrize("width, left", [(224 + 33, 16), (224 + 35, 18), (224 + 34, 17)])
def test_center_crop_rounds_half_to_even(tmp_path, width, left):
    """Excess 33 -> offset round(16.5)=16, 35 -> round(17.5)=18 (Python/torchvision rounding)."""
    # Column x holds value x, so the crop's first column reveals the offset.
    # The shorter side is already 256, so the resize is the identity.
    ramp = np.tile(np.arange(width, dtype=np.uint8), (256, 1))
    path = tmp_path / "ramp.png"
    Image.fromarray(np.stack([ramp] * 3, axis=-1)).save(path)
    x = reference_classify.preprocess(str(path), SPEC)
    assert x.shape == (3, 224, 224) and x.dtype == np.float32
    top = (256 - 224) // 2
    assert x[0, top, 0] == pytest.approx((left - 127.0) / 128.0)
    assert x[1, 0, 223] == pytest.approx((left + 223 - 127.0) / 128.0)


def test_resize_truncates_long_side(tmp_path, monkeypatch):
    # 200x302: long side 256*302/200 = 386.56 -> 386 (torchvision truncates; rounding gives 387).
    sizes = []
    original = Image.Image.resize
    monkeypatch.setattr(Image.Image, "resize",
                        lambda self, size, *a, **k: sizes.append(tuple(size)) or original(self, size, *a, **k))
    path = tmp_path / "tall.png"
    Image.new("RGB", (200, 302)).save(path)
    reference_classify.preprocess(str(path), SPEC)
    assert sizes == [(256, 386)]


def test_exif_orientation_is_applied(tmp_path):
    # 300x200 landscape tagged orientation 6 ("rotate 90 clockwise to view").
    img = Image.new("RGB", (300, 200), (255, 0, 0))
    img.paste((0, 0, 255), (0, 0, 300, 20))  # blue stripe along the top edge
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    img.save(path, exif=exif, quality=95)
    x = reference_classify.preprocess(str(path), SPEC)
    # Upright, the top stripe is the right edge; the centre crop keeps part of it.
    assert x[2, 112, 223] > 0.5 and x[0, 112, 223] < 0
    assert x[0, 112, 0] > 0.5 and x[2, 112, 0] < 0


def test_grey_and_alpha_images_become_rgb(tmp_path):
    grey = tmp_path / "grey.png"
    Image.new("L", (300, 300), 200).save(grey)
    rgba = tmp_path / "rgba.png"
    Image.new("RGBA", (300, 300), (10, 20, 30, 0)).save(rgba)
    g = reference_classify.preprocess(str(grey), SPEC)
    a = reference_classify.preprocess(str(rgba), SPEC)
    np.testing.assert_allclose(g, (200 - 127) / 128, atol=1e-6)
    # Alpha is dropped, not composited onto white/black.
    np.testing.assert_allclose(a[:, 0, 0], [(10 - 127) / 128, (20 - 127) / 128, (30 - 127) / 128], atol=1e-6)


def test_cli_jsonl_output(exported, capsys):
    chelsea = photo("chelsea.png")
    assert reference_classify.main(["--models-dir", exported, "--top", "3", chelsea]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    rec = json.loads(lines[0])
    assert list(rec) == ["path", "sha256", "model", "model_version", "labels"]
    assert rec["sha256"] == hashlib.sha256(open(chelsea, "rb").read()).hexdigest()
    manifest = json.load(open(os.path.join(exported, "models.json")))
    assert rec["model"] == "efficientnet-lite0"
    assert rec["model_version"] == manifest["models"][0]["version"]
    assert [list(l) for l in rec["labels"]] == [["index", "name", "score"]] * 3
    scores = [l["score"] for l in rec["labels"]]
    assert scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1.0
    assert rec["labels"][0]["name"] in {"tabby, tabby cat", "tiger cat", "Egyptian cat"}


def test_dump_tensor(exported, tmp_path):
    out = tmp_path / "x.npy"
    assert reference_classify.main(["--models-dir", exported, "--model", "efficientnet-lite2",
                                    "--dump-tensor", str(out), photo("coffee.png")]) == 0
    x = np.load(out)
    assert x.shape == (1, 3, 260, 260) and x.dtype == np.float32
    assert -1.0 <= x.min() < -0.5 and 0.5 < x.max() <= 1.0


def test_shared_photos_top5_accuracy(exported, capsys):
    shared = shared_images_dir()
    if not shared:
        pytest.skip("shared/images not available")
    rows = list(csv.DictReader(open(os.path.join(shared, "labels.csv"), encoding="utf-8")))
    paths = [os.path.join(shared, r["file"]) for r in rows]
    assert reference_classify.main(["--models-dir", exported, "--batch", "8", "--threads", "2"] + paths) == 0
    got = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    hits = sum(bool({l["index"] for l in g["labels"]}
                    & {int(i) for i in r["acceptable_class_indices"].split(";")})
               for g, r in zip(got, rows))
    assert len(got) == len(rows) == 23
    assert hits >= 21, f"only {hits}/23 photos have an acceptable class in the top 5"


def _run(script, *args):
    return subprocess.run([sys.executable, os.path.join(TOOLS, *script.split("/")), *args],
                          capture_output=True, text=True, check=True)


def test_peer_matches_reference(exported):
    files = [photo("chelsea.png"), photo("coffee.png")]
    ref = _run("reference_classify.py", "--models-dir", exported, "--batch", "2", *files).stdout
    exact = _run("peers/python_classify.py", "--models-dir", exported, "--batch", "2",
                 "--no-draft", *files)
    assert exact.stdout == ref
    fast = _run("peers/python_classify.py", "--models-dir", exported, *files)
    assert [json.loads(l)["labels"][0]["index"] for l in fast.stdout.splitlines()] == \
        [json.loads(l)["labels"][0]["index"] for l in ref.splitlines()]
    assert re.search(r"^python_classify: 2 images in [\d.]+ s = [\d.]+ img/s$",
                     fast.stderr.splitlines()[-1])
