"""Reading PyTorch's checkpoint files (``torch.save``) without torch and without running code.

A ``.pt`` file is a zip holding ``ARCHIVE/data.pkl`` (a pickle of the saved object in which every
tensor is a call to ``torch._utils._rebuild_tensor_v2`` on a storage named by a persistent id)
and one member ``ARCHIVE/data/KEY`` of raw little-endian bytes per storage. Files from before
PyTorch 1.6 are the "legacy" layout: several pickles in a row, then the storages' bytes.

The pickle is read by ember's own small pickle machine (``_torch_pickle``), whose globals are
only stand-ins for what
PyTorch's own ``weights_only=True`` allows (tensors, storages, ``OrderedDict``, numbers,
strings, containers). Those stand-ins record values and never reach torch; any other global is
a ``ModelFileError`` naming it. After unpickling, one walk checks every object is of an allowed
type and turns the recorded tensors into ember tensors.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from ember import _torch_modules
from ember._torch_pickle import unpickle
from ember.serialization import ModelFileError

# torch's storage classes -> NumPy dtypes ember has. bfloat16 is read as its 16 high bits of a
# float32 (exact), since ember has no bfloat16.
STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "BFloat16Storage": "bfloat16", "LongStorage": np.int64, "IntStorage": np.int32,
    "ShortStorage": np.int16, "CharStorage": np.int8, "ByteStorage": np.uint8,
    "BoolStorage": np.bool_, "UntypedStorage": np.uint8,
}
TORCH_DTYPES = {
    "float32": np.float32, "float": np.float32, "float64": np.float64, "double": np.float64,
    "float16": np.float16, "half": np.float16, "bfloat16": "bfloat16", "int64": np.int64,
    "long": np.int64, "int32": np.int32, "int": np.int32, "int16": np.int16, "short": np.int16,
    "int8": np.int8, "uint8": np.uint8, "bool": np.bool_,
}
_MAX_MEMBER_BYTES = 8 * 1024**3
_MAX_DEFLATE_RATIO = 1100
_MAX_EXPANDED = 2**24  # a stride-0 view may repeat a storage up to this many elements
_MAX_DIMS = 32


class _Storage:
    """A storage class named in a file (``torch.FloatStorage``); only its dtype matters."""

    __slots__ = ("name", "dtype")

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = STORAGE_DTYPES[name]


class _DType:
    __slots__ = ("name", "dtype")

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = TORCH_DTYPES[name]


class _Rebuilt:
    """A tensor named in the file: its storage and geometry, made into an ember tensor after
    unpickling (no ``__dict__``, so a pickle's BUILD cannot attach attributes to it)."""

    __slots__ = ("storage", "offset", "size", "stride", "dtype", "requires_grad", "is_parameter")

    def __init__(self, storage: Any, offset: Any, size: Any, stride: Any, dtype: Any,
                 requires_grad: bool) -> None:
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride
        self.dtype = dtype
        self.requires_grad = requires_grad
        self.is_parameter = False


class _TypeMarker:
    """``torch.Tensor`` or ``torch.nn.Parameter`` as ``_rebuild_from_type_v2`` names them."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class _StorageView:
    """A loaded storage: its elements as a 1-d array."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


def _int(value: Any, what: str) -> int:
    if type(value) is not int:
        raise ModelFileError(f"{what} must be an integer, got {type(value).__name__}")
    return value


def _strided(storage: Any, offset: Any, size: Any, stride: Any, dtype: Any = None) -> np.ndarray:
    """The ``size``/``stride`` view of ``storage`` from ``offset``, bounds-checked, copied."""
    if not isinstance(storage, _StorageView):
        raise ModelFileError(f"tensor storage must be a storage, got {type(storage).__name__}")
    flat = storage.array
    if dtype is not None:  # _rebuild_tensor_v3: an untyped byte storage reinterpreted
        flat = _reinterpret(flat.view(np.uint8), dtype)
    offset = _int(offset, "storage offset")
    if not (isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride)
            and len(size) <= _MAX_DIMS):
        raise ModelFileError(f"tensor size {size!r:.80} and stride {stride!r:.80} must be "
                             "tuples of equal length")
    size = tuple(_int(s, "tensor size") for s in size)
    stride = tuple(_int(s, "tensor stride") for s in stride)
    if offset < 0 or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise ModelFileError(f"tensor size {size}, stride {stride} or offset {offset} is negative")
    count = 1
    for s in size:
        count *= s
    if count == 0:
        return np.zeros(size, dtype=flat.dtype)
    last = offset + sum((s - 1) * st for s, st in zip(size, stride))
    if last >= flat.size:
        raise ModelFileError(f"tensor of size {size}, stride {stride} at offset {offset} reaches "
                             f"element {last} of a storage of {flat.size}")
    if count > max(flat.size, _MAX_EXPANDED):
        raise ModelFileError(f"tensor of size {size} repeats a storage of {flat.size} elements "
                             f"into {count:,}")
    item = flat.itemsize
    view = np.lib.stride_tricks.as_strided(flat[offset:], shape=size,
                                           strides=tuple(st * item for st in stride),
                                           writeable=False)
    return np.array(view)  # a contiguous copy, independent of the storage


def _reinterpret(raw: np.ndarray, dtype: Any) -> np.ndarray:
    """Raw little-endian bytes as elements of ``dtype`` (a NumPy dtype or ``"bfloat16"``)."""
    if dtype == "bfloat16":
        usable = raw[: raw.size - raw.size % 2]
        high = usable.view("<u2").astype(np.uint32) << 16
        return high.view(np.float32)
    dtype = np.dtype(dtype).newbyteorder("<")
    usable = raw[: raw.size - raw.size % dtype.itemsize]
    return usable.view(dtype).astype(dtype.newbyteorder("="))


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any, *rest: Any) -> _Rebuilt:
    """``_rebuild_tensor`` (3 args after storage) and ``_rebuild_tensor_v2`` (+ requires_grad,
    backward hooks, optional metadata)."""
    if len(rest) > 3:
        raise ModelFileError(f"_rebuild_tensor_v2 takes at most 7 arguments, got {4 + len(rest)}")
    return _Rebuilt(storage, offset, size, stride, None, bool(rest[0]) if rest else False)


def _rebuild_tensor_v3(storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any,
                       hooks: Any, dtype: Any, metadata: Any = None) -> _Rebuilt:
    if not isinstance(dtype, _DType):
        raise ModelFileError(f"_rebuild_tensor_v3 needs a dtype, got {type(dtype).__name__}")
    return _Rebuilt(storage, offset, size, stride, dtype.dtype, bool(requires_grad))


def _rebuild_parameter(data: Any, requires_grad: Any, hooks: Any, state: Any = None) -> _Rebuilt:
    if not isinstance(data, _Rebuilt):
        raise ModelFileError(f"a Parameter must wrap a tensor, got {type(data).__name__}")
    if state:
        raise ModelFileError("a Parameter with extra Python attributes is not supported")
    data.requires_grad = bool(requires_grad)
    data.is_parameter = True
    return data


def _rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> Any:
    """Tensor subclasses with attributes: ember reads plain tensors and Parameters only."""
    if not (callable(func) and isinstance(new_type, _TypeMarker) and isinstance(args, tuple)):
        raise ModelFileError("malformed _rebuild_from_type_v2 record")
    result = func(*args)
    if state:
        raise ModelFileError("a tensor with extra Python attributes is not supported")
    if isinstance(result, _Rebuilt) and new_type.name == "Parameter":
        result.is_parameter = True
    return result


def _device(name: Any, index: Any = None) -> str:
    if not isinstance(name, str):
        raise ModelFileError(f"torch.device needs a name, got {type(name).__name__}")
    return name


def _encode(text: Any, encoding: Any = "latin1") -> bytes:
    """``_codecs.encode``, how protocol-2 pickles spell bytes; latin-1 only (a pure mapping)."""
    if not isinstance(text, str) or encoding != "latin1":
        raise ModelFileError("malformed bytes record in the pickle")
    return text.encode("latin1")


def _allowed_globals() -> dict[str, Any]:
    """What a file may name, as PyTorch's weights_only allows, mapped to ember's stand-ins."""
    allowed: dict[str, Any] = {
        "collections.OrderedDict": OrderedDict, "collections.Counter": Counter,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.Tensor": _TypeMarker("Tensor"),
        "torch.nn.parameter.Parameter": _TypeMarker("Parameter"),
        "torch.Size": tuple, "torch.device": _device, "_codecs.encode": _encode,
        "builtins.set": set, "builtins.complex": complex, "builtins.bytearray": bytearray,
    }
    for name in STORAGE_DTYPES:
        allowed[f"torch.{name}"] = _Storage(name)
    allowed["torch.storage.UntypedStorage"] = _Storage("UntypedStorage")
    for name in TORCH_DTYPES:
        allowed[f"torch.{name}"] = _DType(name)
    return allowed


_ALLOWED = _allowed_globals()


def find_global(module: str, name: str) -> Any:
    """The stand-in for a global the file names; anything off the allow-list is refused."""
    if module == "__builtin__":  # protocol 2 spells builtins with Python 2's name
        module = "builtins"
    found = _ALLOWED.get(f"{module}.{name}")
    if found is None:
        raise _torch_modules.weights_only_refusal(module, name)
    return found


def storage_loader(load_storage: Any) -> Any:
    """The persistent-id hook: ``('storage', type, key, location, numel)`` to a storage."""
    def persistent_load(pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise ModelFileError(f"unknown persistent id {pid!r:.80}")
        storage_type, key, numel = pid[1], pid[2], pid[4]
        if not isinstance(storage_type, _Storage) or not isinstance(key, str):
            raise ModelFileError(f"malformed storage record {pid!r:.80}")
        return load_storage(storage_type, key, _int(numel, "storage size"))

    return persistent_load


def _guarded(load: Any, source: str) -> Any:
    """Run ``load`` (an unpickling); every way a damaged pickle fails becomes ModelFileError."""
    try:
        return load()
    except ModelFileError as exc:  # the same type (UnsafeFileError stays one), with the file
        raise type(exc)(f"{source}: {exc}") from None
    except RecursionError:
        raise ModelFileError(f"{source}: the pickle is nested too deeply") from None
    except MemoryError:
        raise ModelFileError(f"{source}: the pickle asks for more memory than exists") from None
    except Exception as exc:  # noqa: BLE001 - any damage to a pickle is a bad file, nothing else
        raise ModelFileError(f"{source}: corrupt pickle ({type(exc).__name__}: "
                             f"{str(exc)[:120]})") from None


def _unpickle(data: bytes, load_storage: Any, source: str, weights_only: bool = True) -> Any:
    if weights_only:
        obj, _ = _guarded(lambda: unpickle(data, find_global, storage_loader(load_storage)),
                          source)
    else:
        modules = _torch_modules
        obj, _ = _guarded(lambda: unpickle(
            data, modules.find_global_with_modules(find_global), storage_loader(load_storage),
            build=modules.build, new_object=modules.new_object), source)
    memo: dict[int, Any] = {}
    return _guarded(lambda: _to_ember(obj, 0, memo), source)


_STAND_INS = (_torch_modules.ModuleClass, _torch_modules.FunctionRef,
              _torch_modules.PendingModule)


def _to_ember(obj: Any, depth: int, memo: dict[int, Any] | None = None) -> Any:
    """Rebuilt tensors to ember tensors; anything a weights file cannot hold is refused.

    ``memo`` keeps one ember object per recorded tensor or module, so what the file shares
    (tied weights, a module used twice) stays shared."""
    from ember.nn.parameter import Parameter
    from ember.tensor import Tensor

    memo = {} if memo is None else memo
    if depth > 200:
        raise ModelFileError("the saved object is nested too deeply")
    if isinstance(obj, _Rebuilt):
        if id(obj) not in memo:
            array = _strided(obj.storage, obj.offset, obj.size, obj.stride, obj.dtype)
            memo[id(obj)] = (Parameter(Tensor._wrap(array), requires_grad=obj.requires_grad
                                       and array.dtype.kind == "f")
                             if obj.is_parameter else Tensor._wrap(array))
        return memo[id(obj)]
    if isinstance(obj, _STAND_INS):  # only handed out for weights_only=False
        return _torch_modules.rebuild(obj, lambda value: _to_ember(value, depth + 1, memo), memo)
    if obj is None or type(obj) in (bool, int, float, complex, str, bytes, bytearray):
        return obj
    if type(obj) in (dict, OrderedDict, Counter):
        out = type(obj)() if type(obj) is not Counter else {}
        for key, value in obj.items():
            out[_to_ember(key, depth + 1, memo)] = _to_ember(value, depth + 1, memo)
        return out
    if type(obj) in (list, tuple, set):
        return type(obj)(_to_ember(item, depth + 1, memo) for item in obj)
    raise ModelFileError(f"the file holds a {type(obj).__name__} object, which a weights file "
                         "cannot hold")


def _storage_array(raw: bytes | memoryview, storage: _Storage, numel: int, little: bool,
                   what: str) -> _StorageView:
    dtype = storage.dtype
    itemsize = 2 if dtype == "bfloat16" else np.dtype(dtype).itemsize
    if len(raw) != numel * itemsize:
        raise ModelFileError(f"{what} has {len(raw)} bytes; {numel} elements of "
                             f"{storage.name} need {numel * itemsize}")
    array = np.frombuffer(raw, dtype=np.uint8)
    if not little and itemsize > 1:
        array = array.reshape(-1, itemsize)[:, ::-1].reshape(-1)
    return _StorageView(_reinterpret(array, dtype))


def is_torch_file(path: Path) -> bool:
    """Whether ``path`` looks like ``torch.save`` output (a zip with data.pkl, or legacy)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(32)
        if head.startswith(b"PK\x03\x04"):
            with zipfile.ZipFile(path) as archive:
                return any(name.endswith("data.pkl") for name in archive.namelist())
        return head.startswith(b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19")  # legacy magic
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return False


def load_torch_file(path: str | Path, weights_only: bool = True) -> Any:
    """What ``torch.save`` wrote to ``path``, with ember tensors; ``ModelFileError`` otherwise.

    ``weights_only=False`` also rebuilds whole ember models (see ``ember._torch_modules``)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path}: is a folder, expected a file") from None
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror})") from None
    if blob.startswith(b"PK\x03\x04"):
        return _load_zip(blob, str(path), weights_only)
    from ember._torch_legacy import load_legacy

    return load_legacy(blob, str(path))


def _load_zip(blob: bytes, source: str, weights_only: bool = True) -> Any:
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        infos = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            struct.error, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{source}: not a PyTorch file (not a zip archive: {exc})") from None
    pickles = [name for name in infos if name.endswith("/data.pkl") or name == "data.pkl"]
    if len(pickles) != 1:
        raise ModelFileError(f"{source}: not a PyTorch file (expected one data.pkl, found "
                             f"{len(pickles)})")
    prefix = pickles[0][: -len("data.pkl")]

    def read(name: str) -> bytes:
        info = infos.get(name)
        if info is None:
            raise ModelFileError(f"{source}: member {name} is missing")
        limit = (info.compress_size if info.compress_type == zipfile.ZIP_STORED
                 else info.compress_size * _MAX_DEFLATE_RATIO + 1024)
        if info.file_size > min(_MAX_MEMBER_BYTES, limit) or info.compress_size > len(blob):
            raise ModelFileError(f"{source}: member {name} claims {info.file_size} bytes from "
                                 f"{info.compress_size} compressed: its sizes are corrupt")
        try:
            return archive.read(info)
        except Exception as exc:  # noqa: BLE001 - zipfile raises many types for damaged members
            raise ModelFileError(f"{source}: member {name} is corrupt "
                                 f"({type(exc).__name__})") from None

    order = read(prefix + "byteorder").strip() if prefix + "byteorder" in infos else b"little"
    if order not in (b"little", b"big"):
        raise ModelFileError(f"{source}: unknown byte order {order[:20]!r}")
    loaded: dict[str, _StorageView] = {}

    def load_storage(storage: _Storage, key: str, numel: int) -> _StorageView:
        if key not in loaded:
            name = f"{prefix}data/{key}"
            loaded[key] = _storage_array(read(name), storage, numel, order == b"little",
                                         f"{source}: {name}")
        return loaded[key]

    with archive:
        return _unpickle(read(pickles[0]), load_storage, source, weights_only)
