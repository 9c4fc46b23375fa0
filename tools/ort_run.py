#!/usr/bin/env python3
"""Run an ONNX model with Python ONNX Runtime on a raw float32 tensor: the parity reference.

    .venv/bin/python tools/ort_run.py MODEL.onnx --input x.f32 --shape 2,3,224,224 \
        --out-dir DIR [--threads 1] [--input-name input]

Reads ``--input`` as raw little-endian float32 of the given shape, runs every output of the
model on the CPU with the given intra-op thread count, and writes each output to
``DIR/output<i>.f32`` (raw little-endian float32, C order). It prints one JSON object to stdout:

    {"onnxruntime": "1.32.0",
     "outputs": [{"name": "logits", "file": "output0.f32", "shape": [2, 1000]}, ...]}

Why raw files and not .npy: the reader is a Swift test that should not need a .npy parser, and
raw float32 is exactly what its Tensor holds. Why Python ORT is the reference: it is ONNX
Runtime's own, most used binding, with the same pinned version, so a difference from it can only
come from our C declarations or from how we feed and read tensors.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort


def parse_shape(text: str) -> list[int]:
    try:
        shape = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"shape must be comma-separated integers, got {text!r}")
    if not shape or any(dim <= 0 for dim in shape):
        raise argparse.ArgumentTypeError(f"shape dimensions must be positive, got {text!r}")
    return shape


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="the .onnx file")
    parser.add_argument("--input", type=Path, required=True, help="raw little-endian float32 tensor")
    parser.add_argument("--shape", type=parse_shape, required=True, help="e.g. 2,3,224,224")
    parser.add_argument("--out-dir", type=Path, required=True, help="where output<i>.f32 are written")
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads (default 1)")
    parser.add_argument("--input-name", help="the graph input to feed (default: its only input)")
    args = parser.parse_args(argv)

    data = np.fromfile(args.input, dtype="<f4")
    expected = int(np.prod(args.shape))
    if data.size != expected:
        parser.error(f"{args.input} holds {data.size} float32 values, shape {args.shape} needs {expected}")
    tensor = data.reshape(args.shape)

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(args.model), options, providers=["CPUExecutionProvider"])
    inputs = session.get_inputs()
    name = args.input_name or (inputs[0].name if len(inputs) == 1 else None)
    if name is None:
        parser.error(f"the model has {len(inputs)} inputs; pass --input-name")

    names = [output.name for output in session.get_outputs()]
    results = session.run(names, {name: tensor})

    args.out_dir.mkdir(parents=True, exist_ok=True)
    report = {"onnxruntime": ort.__version__, "outputs": []}
    for index, (output_name, value) in enumerate(zip(names, results)):
        array = np.ascontiguousarray(value, dtype="<f4")
        file_name = f"output{index}.f32"
        array.tofile(args.out_dir / file_name)
        report["outputs"].append({"name": output_name, "file": file_name, "shape": list(array.shape)})
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
