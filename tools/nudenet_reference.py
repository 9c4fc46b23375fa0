#!/usr/bin/env python3
"""The NudeNet reference that Lenscale's Swift detector (Sources/Moderation) is held to.

    .venv/bin/python tools/nudenet_reference.py --model models/nudenet-320n.onnx \
        --out DIR [--size 320] [--confidence 0.05] [--iou 0.45] IMAGE...

For each image it writes, into DIR, ``<index>.input.npy`` (the float32 NCHW blob made by the
``nudenet`` package's own ``_read_image``: cv2 decode, BGR, zero padding at the bottom/right,
cv2 bilinear resize, x/255) and ``<index>.output.npy`` (the raw ``output0`` tensor, [1, 22, N]),
and prints one JSON line with:

  * ``nudenet``: what ``NudeDetector.detect`` itself returns (its fixed thresholds 0.2/0.25,
    class-agnostic NMS at IoU 0.45, integer boxes);
  * ``decoded``: the raw output decoded at ``--confidence`` with per-class NMS at ``--iou``,
    boxes as floats in original-image pixels (x, y, w, h), using nudenet's own coordinate
    mapping and clipping. Low thresholds make the comparison meaningful on photos that contain
    nothing unsafe, where NudeNet's defaults leave almost no detections.
  * ``class_max``: per class, the highest score over all candidates.

Why per-class NMS here and not nudenet's class-agnostic one: Lenscale's policy scores classes
independently, so one class's box must not hide another's. The Swift test checks both: it matches
``decoded`` exactly and finds every ``nudenet`` detection.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile

import numpy as np
import onnxruntime
from PIL import Image, ImageCms, ImageOps

from nudenet import nudenet as nn


def iou(a, b) -> float:
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    ih = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def decode(output, x_pad, y_pad, width, height, size, confidence, iou_threshold):
    rows = np.transpose(np.squeeze(output[0]))
    candidates = []
    for row in rows:
        scores = row[4:]
        cls = int(np.argmax(scores))
        score = float(scores[cls])
        if score < confidence:
            continue
        cx, cy, w, h = (float(v) for v in row[0:4])
        x, y = cx - w / 2, cy - h / 2
        sx, sy = (width + x_pad) / size, (height + y_pad) / size
        x, y, w, h = x * sx, y * sy, w * sx, h * sy
        x = max(0.0, min(x, width))
        y = max(0.0, min(y, height))
        w = min(w, width - x)
        h = min(h, height - y)
        candidates.append((cls, score, [x, y, w, h]))
    kept = []
    for cls in sorted({c[0] for c in candidates}):
        same = sorted((c for c in candidates if c[0] == cls), key=lambda c: -c[1])
        chosen = []
        for c in same:
            if all(iou(c[2], k[2]) <= iou_threshold for k in chosen):
                chosen.append(c)
        kept.extend(chosen)
    kept.sort(key=lambda c: (-c[1], c[0]))
    return [{"class_index": c[0], "class": nn.__labels[c[0]], "score": c[1], "box": c[2]} for c in kept]


def in_srgb(path: str, folder: str) -> str:
    """The file nudenet should read for `path`: itself, or for a photo tagged with a profile other
    than sRGB, the photo converted to sRGB (Pillow's littleCMS, perceptual, upright) as a PNG.

    nudenet reads files with cv2, which ignores ICC profiles; Lenscale converts them (lcms2), so
    the reference is given the same pixels a colour-managed decoder sees.
    """
    image = Image.open(path)
    icc = image.info.get("icc_profile")
    if not icc:
        return path
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    if "srgb" in ImageCms.getProfileDescription(profile).lower() or image.mode not in ("RGB", "RGBA", "L"):
        return path
    upright = ImageOps.exif_transpose(image).convert("RGB")
    converted = ImageCms.profileToProfile(upright, profile, ImageCms.createProfile("sRGB"),
                                          renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB")
    target = os.path.join(folder, f"{os.path.basename(path)}.srgb.png")
    converted.save(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", type=int, default=320)
    parser.add_argument("--confidence", type=float, default=0.05)
    parser.add_argument("--iou", type=float, default=0.45)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    session = onnxruntime.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    detector = nn.NudeDetector(model_path=args.model, inference_resolution=args.size)
    converted = tempfile.mkdtemp(prefix="nudenet-srgb-")
    for index, path in enumerate(args.images):
        source = in_srgb(path, converted)
        blob, _, _, x_pad, y_pad, width, height = nn._read_image(source, args.size)
        blob = np.ascontiguousarray(blob, dtype=np.float32)
        output = session.run(None, {session.get_inputs()[0].name: blob})
        np.save(os.path.join(args.out, f"{index}.input.npy"), blob)
        np.save(os.path.join(args.out, f"{index}.output.npy"), np.ascontiguousarray(output[0], dtype=np.float32))
        record = {
            "path": path,
            "width": width,
            "height": height,
            "nudenet": detector.detect(source),
            "decoded": decode(output, x_pad, y_pad, width, height, args.size, args.confidence, args.iou),
            "class_max": [float(v) for v in np.max(output[0][0][4:], axis=1)],
        }
        print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
