#!/usr/bin/env python3
"""Plain-numpy EfficientNet-Lite forward pass: the numeric reference for the ONNX export.

Why it exists: a conversion that gets padding or BatchNorm eps subtly wrong
still puts the right class in the top 5 for most photos (symmetric padding
moved probabilities by up to 0.21 in our measurements), so photo tests alone
cannot catch it. This module recomputes the network straight from the .pth
tensors, deliberately written differently from the exporter:

  * BatchNorm is applied unfolded, as the checkpoint describes it;
  * everything is computed in float64, so the ONNX float32 result can be held
    to a tight absolute tolerance against something more precise than itself;
  * SAME padding is materialised with ``np.pad`` rather than Conv attributes.

It shares only the block layout (effnet_lite.blocks), whose every shape is
checked against the checkpoint.

    .venv/bin/python tools/numpy_forward.py --model efficientnet-lite0 --input x.npy [--top 5]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import effnet_lite  # noqa: E402
import torch_legacy  # noqa: E402


def _pad_same(x: np.ndarray, k: int, s: int) -> np.ndarray:
    """Zero-pad H and W the way TensorFlow's "SAME" does (extra pixel bottom/right)."""
    pads = [(0, 0), (0, 0)]
    for size in x.shape[2:]:
        out = (size + s - 1) // s
        total = max(0, (out - 1) * s + k - size)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, pads)


def _conv(x: np.ndarray, w: np.ndarray, s: int) -> np.ndarray:
    """Dense convolution (groups=1) with SAME padding."""
    k = w.shape[-1]
    if k == 1 and s == 1:
        return np.einsum("oc,nchw->nohw", w[:, :, 0, 0], x, optimize=True)
    xp = _pad_same(x, k, s)
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    return np.einsum("nchwij,ocij->nohw", win, w, optimize=True)


def _depthwise(x: np.ndarray, w: np.ndarray, s: int) -> np.ndarray:
    """Depthwise convolution (groups=channels) as a sum of shifted, strided slices."""
    k = w.shape[-1]
    xp = _pad_same(x, k, s)
    oh = (x.shape[2] + s - 1) // s
    ow = (x.shape[3] + s - 1) // s
    out = np.zeros((x.shape[0], x.shape[1], oh, ow), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            tap = w[:, 0, i, j].reshape(1, -1, 1, 1)
            out += xp[:, :, i:i + s * (oh - 1) + 1:s, j:j + s * (ow - 1) + 1:s] * tap
    return out


def _bn(x: np.ndarray, gamma, beta, mean, var) -> np.ndarray:
    r = lambda a: a.astype(np.float64).reshape(1, -1, 1, 1)  # noqa: E731
    return (x - r(mean)) / np.sqrt(r(var) + effnet_lite.BN_EPS) * r(gamma) + r(beta)


def _relu6(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 6.0)


def forward(variant: effnet_lite.Variant, state, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(logits [N,1000], embedding [N,1280]) in float64 for input x [N,3,R,R]."""
    r = variant.resolution
    if x.ndim != 4 or x.shape[1:] != (3, r, r):
        raise ValueError(f"{variant.name} expects [N,3,{r},{r}], got {list(x.shape)}")
    wr = effnet_lite.WeightReader(state)
    get = lambda key, shape: wr.get(key, shape).astype(np.float64)  # noqa: E731
    x = x.astype(np.float64)

    x = _conv(x, get("_conv_stem.weight", (effnet_lite.STEM_CHANNELS, 3, 3, 3)), 2)
    x = _relu6(_bn(x, *wr.bn("_bn0", effnet_lite.STEM_CHANNELS)))
    for b in effnet_lite.blocks(variant):
        p = f"_blocks.{b.index}"
        inp = x
        if b.expand != 1:
            x = _conv(x, get(f"{p}._expand_conv.weight", (b.hidden, b.cin, 1, 1)), 1)
            x = _relu6(_bn(x, *wr.bn(f"{p}._bn0", b.hidden)))
        x = _depthwise(x, get(f"{p}._depthwise_conv.weight", (b.hidden, 1, b.kernel, b.kernel)), b.stride)
        x = _relu6(_bn(x, *wr.bn(f"{p}._bn1", b.hidden)))
        x = _conv(x, get(f"{p}._project_conv.weight", (b.cout, b.hidden, 1, 1)), 1)
        x = _bn(x, *wr.bn(f"{p}._bn2", b.cout))
        if b.residual:
            x = x + inp
    last = effnet_lite.blocks(variant)[-1].cout
    x = _conv(x, get("_conv_head.weight", (effnet_lite.HEAD_CHANNELS, last, 1, 1)), 1)
    x = _relu6(_bn(x, *wr.bn("_bn1", effnet_lite.HEAD_CHANNELS)))
    embedding = x.mean(axis=(2, 3))
    logits = embedding @ get("_fc.weight", (effnet_lite.NUM_CLASSES, effnet_lite.HEAD_CHANNELS)).T
    logits = logits + get("_fc.bias", (effnet_lite.NUM_CLASSES,))
    wr.finish()
    return logits, embedding


def load(model: str):
    """(variant, state dict) for a model name such as 'efficientnet-lite0'."""
    variant = effnet_lite.VARIANTS[model]
    return variant, torch_legacy.load_state_dict(effnet_lite.weights_path(variant))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="numpy reference forward pass")
    ap.add_argument("--model", default="efficientnet-lite0", choices=sorted(effnet_lite.VARIANTS))
    ap.add_argument("--input", required=True, help=".npy tensor [N,3,R,R] (e.g. from reference_classify --dump-tensor)")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--save-logits", help="write the float64 logits here as .npy")
    args = ap.parse_args(argv)

    variant, state = load(args.model)
    x = np.load(args.input)
    if x.ndim == 3:
        x = x[None]
    logits, _ = forward(variant, state, x)
    if args.save_logits:
        np.save(args.save_logits, logits)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    for row in probs:
        top = np.argsort(-row, kind="stable")[: args.top]
        print(json.dumps([{"index": int(i), "score": float(row[i])} for i in top]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
