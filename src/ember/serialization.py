"""Saving and loading tensors without pickle: the safetensors layout, written atomically.

A safetensors file is an 8-byte little-endian header length, a JSON header naming each tensor's
dtype, shape and byte range, then the raw bytes. Reading it parses JSON and copies bytes: nothing in
a file can run code. Every field is validated before any large allocation, so a corrupt or hostile
file raises ``ModelFileError`` naming the file and the problem.

``ember.save(model.state_dict(), "model.safetensors")`` and ``ember.load(...)`` work as in PyTorch
for state dicts (also nested ones, such as an optimizer's).
"""

from __future__ import annotations

import json
import os
import struct
import tempfile

# Only the exception class (the very object pickle.UnpicklingError is): ember never unpickles
# with Python's pickle, which the reliability tests check by forbidding its import.
from _pickle import UnpicklingError
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

_DTYPES = {"F16": np.float16, "F32": np.float32, "F64": np.float64, "U8": np.uint8,
           "I8": np.int8, "I16": np.int16, "I32": np.int32, "I64": np.int64, "BOOL": np.bool_}
_CODES = {np.dtype(v): k for k, v in _DTYPES.items()}
MAX_HEADER_BYTES = 100 * 1024 * 1024
_MAX_DIMS = 32  # NumPy allows 64; no weight tensor needs more than a handful


class ModelFileError(ValueError):
    """A model, checkpoint or tensor file is missing, corrupt, or not what it claims to be."""


class UnsafeFileError(ModelFileError, UnpicklingError):
    """A PyTorch file names a global that loading refuses (PyTorch raises
    ``pickle.UnpicklingError`` for the same file with ``weights_only=True``)."""


class StateDictError(ModelFileError, RuntimeError):
    """A state dict doesn't fit the module: missing or extra keys, wrong shapes or dtypes.

    A ``RuntimeError`` as in PyTorch, and a ``ModelFileError`` so that loading a checkpoint
    (``model.load_state_dict(ember.load(path))``) fails with one error type whatever went wrong.
    """


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a temporary file in the same folder, fsync it, then rename it into place.

    A crash at any moment leaves either the old file or the new one, never half of one. The
    temporary file is ``.NAME.PID.RANDOM.tmp``; a process killed mid-save (SIGKILL, power loss)
    cannot remove its own, so every successful save of ``NAME`` removes the ones left by
    processes that are no longer running.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                    dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)
    remove_stale_temporaries(target)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders can't be opened."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _process_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or we can't tell: leave its file alone
    return True


def stale_temporaries(target: str | os.PathLike) -> list[Path]:
    """Temporary files ``atomic_write`` left next to ``target`` from processes no longer running."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    prefix = f".{target.name}."
    stale = []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid = name[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and not _process_running(int(pid)):
            stale.append(folder / name)
    return stale


def remove_stale_temporaries(target: str | os.PathLike) -> None:
    """Delete what ``stale_temporaries(target)`` finds (files already gone are fine)."""
    for path in stale_temporaries(target):
        try:
            path.unlink()
        except OSError:
            pass


def safetensors_bytes(tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None = None
                      ) -> bytes:
    """Serialise named arrays to the safetensors layout."""
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks, offset = [], 0
    for name, array in tensors.items():
        array = np.asarray(array, order="C")  # ascontiguousarray would make 0-d arrays 1-d
        if array.dtype not in _CODES:
            raise TypeError(f"save: tensor {name!r} has unsupported dtype {array.dtype}")
        raw = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _CODES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)  # keep the data 8-byte aligned, as the format advises
    return struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks)


def safetensors_from_bytes(blob: bytes, source: str = "<bytes>"
                           ) -> tuple[OrderedDict[str, np.ndarray], dict[str, str]]:
    """Parse and validate a safetensors blob; ``source`` names it in errors."""
    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"{source}: {problem}")

    if len(blob) < 8:
        raise fail(f"too short to be a safetensors file ({len(blob)} bytes)")
    (header_len,) = struct.unpack("<Q", blob[:8])
    if header_len > min(MAX_HEADER_BYTES, len(blob) - 8):
        raise fail(f"header claims {header_len} bytes but the file has {len(blob) - 8} after "
                   "the length field")
    try:
        header = json.loads(blob[8:8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise fail(f"header is not valid JSON ({exc.__class__.__name__})") from None
    if not isinstance(header, dict):
        raise fail("header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise fail("__metadata__ must map names to strings")
    data = memoryview(blob)[8 + header_len:]
    tensors: OrderedDict[str, np.ndarray] = OrderedDict()
    spans = []
    for name, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise fail(f"entry {name!r} must have exactly dtype, shape and data_offsets")
        dtype = _DTYPES.get(entry["dtype"]) if isinstance(entry["dtype"], str) else None
        if dtype is None:
            raise fail(f"tensor {name!r} has unknown dtype {entry['dtype']!r}")
        shape, offsets = entry["shape"], entry["data_offsets"]
        if not (isinstance(shape, list) and len(shape) <= _MAX_DIMS
                and all(type(s) is int and 0 <= s < 2**48 for s in shape)):
            raise fail(f"tensor {name!r} has an invalid shape {shape!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(type(o) is int for o in offsets) and 0 <= offsets[0] <= offsets[1]):
            raise fail(f"tensor {name!r} has invalid data_offsets {offsets!r}")
        begin, end = offsets
        if end > len(data):
            raise fail(f"tensor {name!r} claims bytes {begin}..{end} but the data section has "
                       f"only {len(data)}")
        count = 1
        for s in shape:
            count *= s
        expected = count * np.dtype(dtype).itemsize
        if end - begin != expected:
            raise fail(f"tensor {name!r} of shape {shape} and dtype {entry['dtype']} needs "
                       f"{expected} bytes, its offsets give {end - begin}")
        spans.append((begin, end))
        array = np.frombuffer(data[begin:end], dtype=np.dtype(dtype).newbyteorder("<"))
        try:
            tensors[name] = array.astype(dtype).reshape(shape)  # a native-order copy
        except ValueError:
            raise fail(f"tensor {name!r} has an impossible shape {shape}") from None
    spans.sort()
    covered = 0
    for begin, end in spans:
        if begin < covered:
            raise fail("tensor byte ranges overlap")
        if begin > covered:
            raise fail(f"bytes {covered}..{begin} of the data section belong to no tensor")
        covered = end
    if covered != len(data):
        raise fail(f"the data section has {len(data)} bytes but the tensors cover {covered} "
                   "(truncated, or bytes appended)")
    return tensors, dict(metadata)


def save_safetensors(tensors: Mapping[str, np.ndarray], path: str | os.PathLike,
                     metadata: Mapping[str, str] | None = None) -> None:
    blob = safetensors_bytes(tensors, metadata)
    atomic_write(path, lambda f: f.write(blob))


def load_safetensors(path: str | os.PathLike
                     ) -> tuple[OrderedDict[str, np.ndarray], dict[str, str]]:
    try:
        blob = Path(path).read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a folder, expected a file") from None
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror})") from None
    return safetensors_from_bytes(blob, str(path))


# ---------------------------------------------------------------------- ember.save / ember.load
_STRUCTURE_KEY = "ember.structure"
_VERSION_KEY = "ember.format_version"
SAVE_FORMAT_VERSION = 1


def flatten_structure(obj: Any, prefix: str, tensors: dict[str, np.ndarray]) -> Any:
    """Replace every tensor/array in a nested structure by a reference into ``tensors``.

    The JSON-ready structure and ``tensors`` are what ``ember.save`` writes (and what the Keras
    archive and ``ember train``'s checkpoints write for optimizer state)."""
    from ember.tensor import Tensor

    if isinstance(obj, Tensor):
        obj = obj._data
    if isinstance(obj, np.ndarray):
        tensors[prefix] = obj
        return {"__tensor__": prefix}
    if isinstance(obj, Mapping):
        keys = list(obj.keys())
        if not all(isinstance(k, (str, int)) for k in keys):
            raise TypeError(f"save: keys must be str or int, got {keys!r} at {prefix or 'top'}")
        return {"__dict__": [[k, flatten_structure(obj[k], f"{prefix}.{k}" if prefix else str(k),
                                                   tensors)]
                             for k in keys]}
    if isinstance(obj, (list, tuple)):
        items = [flatten_structure(v, f"{prefix}.{i}" if prefix else str(i), tensors)
                 for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"save: can't store a {type(obj).__name__} at {prefix or 'top'}; ember files "
                    "hold tensors, numbers, strings, lists and dicts")


def unflatten_structure(node: Any, tensors: Mapping[str, np.ndarray], source: str) -> Any:
    """Rebuild what ``flatten_structure`` recorded; anything it could not have written is
    refused."""
    from ember.tensor import Tensor

    if isinstance(node, dict):
        if set(node) == {"__tensor__"}:
            name = node["__tensor__"]
            if not isinstance(name, str) or name not in tensors:
                raise ModelFileError(f"{source}: structure names a missing tensor {name!r}")
            return Tensor._wrap(tensors[name])
        if set(node) == {"__tuple__"} and isinstance(node["__tuple__"], list):
            return tuple(unflatten_structure(v, tensors, source) for v in node["__tuple__"])
        if set(node) == {"__dict__"} and isinstance(node["__dict__"], list):
            items = OrderedDict()
            for pair in node["__dict__"]:
                if not (isinstance(pair, list) and len(pair) == 2
                        and isinstance(pair[0], (str, int)) and not isinstance(pair[0], bool)):
                    raise ModelFileError(f"{source}: malformed dictionary entry in the "
                                         "structure record")
                items[pair[0]] = unflatten_structure(pair[1], tensors, source)
            return items
        raise ModelFileError(f"{source}: unknown structure entry {sorted(node)[:5]!r}")
    if isinstance(node, list):
        return [unflatten_structure(v, tensors, source) for v in node]
    return node


def parse_structure(text: str, source: str) -> Any:
    """The JSON structure record of an ``ember.save`` file (or an optimizer state)."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ModelFileError(f"{source}: its structure record is not valid JSON") from None


def _holds_module(obj: Any, depth: int = 0) -> bool:
    from ember.nn.modules.module import Module

    if isinstance(obj, Module):
        return True
    if depth > 50:
        return False
    if isinstance(obj, Mapping):
        return any(_holds_module(v, depth + 1) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(_holds_module(v, depth + 1) for v in obj)
    return False


def save(obj: Any, f: str | os.PathLike, format: str | None = None) -> None:  # noqa: A002
    """Save a state dict (or nested dicts/lists of tensors and numbers) to a safetensors file,
    or with ``format="torch"`` to PyTorch's zip format (which PyTorch loads with
    ``weights_only=True``).

    A whole model (``ember.save(model, path)``, or a dict holding one) is written in PyTorch's
    zip format, its pickle naming the model's ember classes; ``ember.load(path,
    weights_only=False)`` rebuilds it. Only models made of ember's own ``nn.Module`` classes can
    be saved so; for others save ``model.state_dict()``.

    >>> ember.save(model.state_dict(), "model.safetensors")
    """
    whole_module = _holds_module(obj)
    if format is None:
        format = "torch" if whole_module else "safetensors"  # noqa: A001
    if format == "torch":
        from ember._torch_save import torch_file_bytes

        blob = torch_file_bytes(obj)
        atomic_write(f, lambda handle: handle.write(blob))
        return
    if format != "safetensors":
        raise ValueError(f"save: unknown format {format!r}; expected 'safetensors' or 'torch'")
    if whole_module:
        raise TypeError("save: a safetensors file holds tensors, not a whole nn.Module; save "
                        "model.state_dict(), or the model with format='torch' (or no format)")
    tensors: dict[str, np.ndarray] = {}
    structure = flatten_structure(obj, "", tensors)
    save_safetensors(tensors, f, {_STRUCTURE_KEY: json.dumps(structure),
                                  _VERSION_KEY: str(SAVE_FORMAT_VERSION)})


def load(f: str | os.PathLike, map_location: Any = None, weights_only: bool | None = True
         ) -> Any:
    """Load what ``ember.save`` or ``torch.save`` wrote; never executes anything from the file.

    ``map_location`` may name the CPU (a string, ``ember.device`` or a dict mapping locations to
    it); any other device is refused by name. With ``weights_only=True`` (the default; None
    means the same, as in PyTorch) a file may hold tensors, numbers, strings and containers; a
    file naming anything else is refused with ``UnsafeFileError``, a ``pickle.UnpicklingError``
    as PyTorch raises. ``weights_only=False`` also rebuilds whole models saved with
    ``ember.save(model, path)``, but only from ember's own ``nn.Module`` classes (made without
    running their ``__init__``): a class from ``__main__`` or any other package, or any other
    callable, is still refused. No code from a file ever runs.
    """
    from ember._torch_load import is_torch_file, load_torch_file
    from ember.devices import check_device

    if callable(map_location):
        raise NotImplementedError("load(map_location=<function>): ember's tensors are already "
                                  "on the CPU; pass 'cpu' or leave it out")
    for target in (map_location.values() if isinstance(map_location, dict) else [map_location]):
        check_device(target, "load(map_location=...)")

    if weights_only is not None and not isinstance(weights_only, bool):
        raise TypeError(f"load: weights_only must be True, False or None, got {weights_only!r}")
    if is_torch_file(Path(f)):
        return load_torch_file(f, weights_only=weights_only is not False)
    tensors, metadata = load_safetensors(f)
    version = metadata.get(_VERSION_KEY, str(SAVE_FORMAT_VERSION))
    if version != str(SAVE_FORMAT_VERSION):
        raise ModelFileError(f"{f}: format version {version!r} is not supported (this ember "
                             f"reads version {SAVE_FORMAT_VERSION})")
    if _STRUCTURE_KEY not in metadata:  # a plain safetensors file, e.g. from another library
        return OrderedDict((k, unflatten_structure({"__tensor__": k}, tensors, str(f)))
                           for k in tensors)
    structure = parse_structure(metadata[_STRUCTURE_KEY], str(f))
    try:
        return unflatten_structure(structure, tensors, str(f))
    except RecursionError:
        raise ModelFileError(f"{f}: its structure record is nested too deeply") from None
