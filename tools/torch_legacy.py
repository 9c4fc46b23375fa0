"""Read legacy (pre-1.6) torch ``.pth`` state dicts into numpy arrays, without torch.

Why this exists: the EfficientNet-Lite weights we ship are only published as
torch checkpoints, and installing torch to read them would pull several GB of
CUDA wheels onto every developer and CI machine. The legacy format is simple
enough to read directly:

    pickle(magic number) pickle(protocol version) pickle(sys info)
    pickle(state dict, storages referenced by persistent id)
    pickle(list of storage keys, in the order their data follows)
    for each key: int64 element count, then the raw little-endian elements

Why it is restricted: a pickle can call any importable function while it
loads. We only ever need to rebuild an ``OrderedDict`` of tensors, so
``find_class`` admits exactly that vocabulary and refuses everything else
with an error naming the offending global. Tensors are materialised only
after bounds-checking their offset/shape/strides against the storage,
because ``numpy.lib.stride_tricks.as_strided`` would otherwise happily read
memory outside the buffer on a crafted file.
"""

from __future__ import annotations

import collections
import pickle
import struct
import zipfile
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

__all__ = ["UnsafePickleError", "LegacyFormatError", "load_state_dict"]

# Written by torch.save in front of every legacy checkpoint.
_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
_PROTOCOL_VERSION = 1001

# Storage class name -> numpy dtype. BFloat16 is left out on purpose: numpy
# has no native type for it and none of our checkpoints use it, so refusing
# is better than silently widening.
_STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class UnsafePickleError(pickle.UnpicklingError):
    """The checkpoint asked for something outside the allowed vocabulary."""


class LegacyFormatError(ValueError):
    """The file is not a well-formed legacy torch checkpoint."""


@dataclass(frozen=True)
class _StorageType:
    """Stand-in for ``torch.FloatStorage`` etc.; only its dtype matters."""

    name: str
    dtype: np.dtype


@dataclass
class _Storage:
    key: str
    dtype: np.dtype
    numel: int
    data: np.ndarray | None = None


@dataclass
class _StorageView:
    """A legacy view into a root storage (element offset and length)."""

    root: _Storage
    offset: int
    numel: int


@dataclass
class _PendingTensor:
    """A tensor whose bytes have not been read yet (they follow the pickle)."""

    storage: _Storage | _StorageView
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]
    extra: dict = field(default_factory=dict)


def _int_tuple(value, what: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise LegacyFormatError(f"tensor {what} must be a tuple of ints, got {value!r}")
    return tuple(value)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    # Mirrors the argument list of torch._utils._rebuild_tensor_v2 so the
    # pickle's REDUCE lands here; only the layout arguments are kept.
    if not isinstance(storage, (_Storage, _StorageView)):
        raise LegacyFormatError("tensor storage is not a persistent storage reference")
    if not isinstance(storage_offset, int) or storage_offset < 0:
        raise LegacyFormatError(f"bad storage offset {storage_offset!r}")
    shape = _int_tuple(size, "size")
    strides = _int_tuple(stride, "stride")
    if len(shape) != len(strides):
        raise LegacyFormatError("tensor size and stride differ in length")
    return _PendingTensor(storage, storage_offset, shape, strides)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    # nn.Parameter is just a tensor for inference purposes.
    if not isinstance(data, _PendingTensor):
        raise LegacyFormatError("parameter does not wrap a tensor")
    return data


_ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
}


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the globals a state dict needs."""

    def __init__(self, file: BinaryIO, storages: dict[str, _Storage] | None = None):
        super().__init__(file)
        self._storages = storages if storages is not None else {}

    def find_class(self, module: str, name: str):
        found = _ALLOWED_GLOBALS.get((module, name))
        if found is not None:
            return found
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name, _STORAGE_DTYPES[name])
        raise UnsafePickleError(
            f"refusing to load global {module}.{name}: only collections.OrderedDict, "
            "torch._utils._rebuild_tensor_v2/_rebuild_parameter and torch.*Storage "
            "are allowed in a weights file"
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage"):
            raise UnsafePickleError(f"refusing unknown persistent id {pid!r:.200}")
        _, storage_type, key, _location, numel, view_metadata = pid
        if not isinstance(storage_type, _StorageType):
            raise LegacyFormatError(f"persistent id names a non-storage type {storage_type!r}")
        if not isinstance(key, str) or not isinstance(numel, int) or numel < 0:
            raise LegacyFormatError(f"malformed storage reference {pid!r:.200}")
        root = self._storages.get(key)
        if root is None:
            root = self._storages[key] = _Storage(key, storage_type.dtype, numel)
        elif root.dtype != storage_type.dtype or root.numel != numel:
            raise LegacyFormatError(f"storage {key} is referenced with two different types/sizes")
        if view_metadata is None:
            return root
        view_key, offset, view_numel = view_metadata
        if not (isinstance(offset, int) and isinstance(view_numel, int)
                and 0 <= offset and offset + view_numel <= numel):
            raise LegacyFormatError(f"storage view {view_key} lies outside storage {key}")
        return _StorageView(root, offset, view_numel)


def _load_plain(f: BinaryIO):
    # The header pickles hold only ints and dicts; the same restricted
    # unpickler guards them so there is no unguarded pickle.load anywhere.
    return _RestrictedUnpickler(f).load()


def _materialise(t: _PendingTensor) -> np.ndarray:
    if isinstance(t.storage, _StorageView):
        base = t.storage.root.data[t.storage.offset:t.storage.offset + t.storage.numel]
    else:
        base = t.storage.data
    assert base is not None
    if any(d < 0 for d in t.shape) or any(s < 0 for s in t.stride):
        raise LegacyFormatError(f"negative size or stride in tensor {t.shape}/{t.stride}")
    count = int(np.prod(t.shape, dtype=np.int64))
    if count == 0:
        return np.zeros(t.shape, dtype=base.dtype)
    last = t.offset + sum((d - 1) * s for d, s in zip(t.shape, t.stride))
    if last >= base.size:
        raise LegacyFormatError(
            f"tensor {t.shape} with strides {t.stride} at offset {t.offset} reads past "
            f"its storage of {base.size} elements"
        )
    view = np.lib.stride_tricks.as_strided(
        base[t.offset:],
        shape=t.shape,
        strides=tuple(s * base.itemsize for s in t.stride),
        writeable=False,
    )
    return np.ascontiguousarray(view)


def load_state_dict(path_or_file) -> "collections.OrderedDict[str, np.ndarray]":
    """Load a legacy torch state dict as an ordered mapping of numpy arrays.

    Raises UnsafePickleError for anything that is not plain tensor data and
    LegacyFormatError for files in another format (including the zip format
    of torch >= 1.6, which this loader deliberately does not handle).
    """
    if isinstance(path_or_file, (str, bytes)) or hasattr(path_or_file, "__fspath__"):
        with open(path_or_file, "rb") as f:
            return _load(f)
    return _load(path_or_file)


def _load(f: BinaryIO):
    start = f.tell()
    if zipfile.is_zipfile(f):
        raise LegacyFormatError("this is a zip-format torch checkpoint; only the legacy format is supported")
    f.seek(start)

    try:
        magic = _load_plain(f)
    except UnsafePickleError:
        raise
    except Exception as exc:  # a random binary blob, most likely
        raise LegacyFormatError(f"not a legacy torch checkpoint: {exc}") from exc
    if magic != _MAGIC_NUMBER:
        raise LegacyFormatError("not a legacy torch checkpoint (magic number mismatch)")
    version = _load_plain(f)
    if version != _PROTOCOL_VERSION:
        raise LegacyFormatError(f"unsupported legacy protocol version {version!r}")
    sys_info = _load_plain(f)
    if not (isinstance(sys_info, dict) and sys_info.get("little_endian") is True):
        raise LegacyFormatError("only little-endian checkpoints are supported")

    storages: dict[str, _Storage] = {}
    result = _RestrictedUnpickler(f, storages).load()
    keys = _load_plain(f)
    if not isinstance(keys, list) or set(keys) != set(storages) or len(keys) != len(storages):
        raise LegacyFormatError("storage key list does not match the storages the state dict uses")

    for key in keys:
        storage = storages[key]
        header = f.read(8)
        if len(header) != 8:
            raise LegacyFormatError(f"file ends before storage {key}")
        (numel,) = struct.unpack("<q", header)
        if numel != storage.numel:
            raise LegacyFormatError(f"storage {key} holds {numel} elements, expected {storage.numel}")
        nbytes = numel * storage.dtype.itemsize
        raw = f.read(nbytes)
        if len(raw) != nbytes:
            raise LegacyFormatError(f"file ends inside storage {key}")
        storage.data = np.frombuffer(raw, dtype=storage.dtype)
    if f.read(1):
        raise LegacyFormatError("unexpected data after the last storage")

    if not isinstance(result, collections.OrderedDict):
        raise LegacyFormatError(f"checkpoint holds a {type(result).__name__}, not a state dict")
    out: collections.OrderedDict[str, np.ndarray] = collections.OrderedDict()
    for name, value in result.items():
        if not isinstance(name, str) or not isinstance(value, _PendingTensor):
            raise LegacyFormatError(f"state dict entry {name!r} is not a tensor")
        out[name] = _materialise(value)
    return out

