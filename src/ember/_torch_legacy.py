"""PyTorch's legacy checkpoint layout (``torch.save`` before 1.6, or
``_use_new_zipfile_serialization=False``): several pickles in a row, then the storages' bytes.
Read with the same restricted unpickler as the zip layout (``ember._torch_load``)."""

from __future__ import annotations

import io
import struct
from typing import Any

import numpy as np

from ember._torch_load import (
    _guarded,
    _Storage,
    _storage_array,
    _StorageView,
    _to_ember,
    find_global,
    storage_loader,
)
from ember._torch_pickle import unpickle
from ember.serialization import ModelFileError

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def load_legacy(blob: bytes, source: str) -> Any:
    """PyTorch < 1.6: magic, protocol, system info, the object, storage keys, then each
    storage as an int64 element count and its bytes, in the order of the keys."""
    magic, position = _plain_load(blob, 0, source)
    if magic != _LEGACY_MAGIC:
        raise ModelFileError(f"{source}: not a PyTorch file (neither a zip archive nor the "
                             "legacy format)")
    protocol, position = _plain_load(blob, position, source)
    if protocol != 1001:
        raise ModelFileError(f"{source}: unsupported legacy PyTorch protocol")
    info, position = _plain_load(blob, position, source)
    little = not (isinstance(info, dict) and info.get("little_endian") is False)
    named: dict[str, tuple[_Storage, int, _StorageView]] = {}

    def load_storage(storage: _Storage, key: str, numel: int) -> _StorageView:
        # The bytes come after this pickle: hand out an empty view, filled below.
        if key not in named:
            named[key] = (storage, numel, _StorageView(np.empty(0, np.uint8)))
        return named[key][2]

    start = position
    obj, position = _guarded(lambda: unpickle(blob, find_global, storage_loader(load_storage),
                                              start), source)
    keys, position = _plain_load(blob, position, source)
    if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        raise ModelFileError(f"{source}: malformed storage key list")
    stream = io.BytesIO(blob)
    stream.seek(position)
    for key in keys:
        header = stream.read(8)
        if len(header) != 8 or key not in named:
            raise ModelFileError(f"{source}: storage {key!r:.40} is missing or unnamed")
        (count,) = struct.unpack("<q" if little else ">q", header)
        storage, numel, view = named[key]
        itemsize = 2 if storage.dtype == "bfloat16" else np.dtype(storage.dtype).itemsize
        if count != numel:
            raise ModelFileError(f"{source}: storage {key} holds {count} elements, the object "
                                 f"names {numel}")
        raw = stream.read(count * itemsize)
        view.array = _storage_array(raw, storage, numel, little, f"{source}: storage {key}").array
    return _guarded(lambda: _to_ember(obj, depth=0), source)


def _plain_load(blob: bytes, position: int, source: str) -> tuple[Any, int]:
    """One of the legacy format's small header pickles (numbers, a dict): no globals at all."""
    return _guarded(lambda: unpickle(blob, _no_globals, _no_globals, position), source)


def _no_globals(*args: Any) -> Any:
    raise ModelFileError("a global or storage where none may be")
