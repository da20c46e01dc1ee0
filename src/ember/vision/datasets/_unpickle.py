"""Reading Python pickles of plain data (CIFAR's batches) without running code from them.

The pickle is read by ember's own stack machine (:mod:`ember._torch_pickle`), never by
Python's unpickler. Its globals resolve to stand-ins for exactly what rebuilds a NumPy array
(``numpy.core.multiarray._reconstruct``, ``numpy.ndarray``, ``numpy.dtype``, as Python 2 and
3 pickled them); the arrays are then built from their recorded shape, dtype and raw bytes.
Anything else a file names is refused with an error naming the file. Object arrays (the
ragged sequences of Keras's IMDB and Reuters files) are read only where the caller asks for them,
and hold only what the pickle itself built: lists, numbers, strings, arrays.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ember._torch_pickle import PickleError, unpickle
from ember.datasets._errors import DatasetError, one_line

_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned integers, floats: no strings


class _NdarrayClass:
    """Stands for ``numpy.ndarray`` where a pickle names the class."""


class _Array:
    """An array under construction: ``_reconstruct`` makes it, BUILD fills it."""

    value: np.ndarray | None = None


class _Dtype:
    """A dtype under construction: ``numpy.dtype(code, align, copy)``, then BUILD (byte order)."""

    def __init__(self, code: Any) -> None:
        try:
            self.value = np.dtype(str(code))
        except TypeError:
            raise PickleError(f"unknown dtype {code!r}") from None
        if self.value.kind not in _NUMERIC_KINDS + "O":
            raise PickleError(f"dtype {self.value} is neither numeric nor object")


def _reconstruct(cls: Any, shape: Any, typecode: Any) -> _Array:
    if not isinstance(cls, _NdarrayClass):
        raise PickleError("_reconstruct of something other than numpy.ndarray")
    return _Array()


def _latin1_bytes(text: Any, encoding: Any = "latin1") -> bytes:
    """``_codecs.encode``, which protocol-2 pickles written by Python 3 call for bytes."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise PickleError("_codecs.encode is read only for latin-1 text (pickled bytes)")
    return text.encode("latin-1")


_GLOBALS = {
    ("_codecs", "encode"): _latin1_bytes,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): _NdarrayClass(),
    ("numpy", "dtype"): lambda code, align=False, copy=True: _Dtype(code),
}


def _find_global(module: str, name: str) -> Any:
    try:
        return _GLOBALS[(module, name)]
    except KeyError:
        raise PickleError(f"refused global {module}.{name} (only plain containers and numeric "
                          "arrays are read)") from None


def _build(obj: Any, state: Any, object_arrays: bool = False) -> bool:
    if isinstance(obj, _Dtype):
        if isinstance(state, tuple) and len(state) > 1 and state[1] in ("<", ">", "|", "="):
            obj.value = obj.value.newbyteorder(state[1]) if state[1] != "|" else obj.value
        return True
    if not isinstance(obj, _Array):
        return False
    if not (isinstance(state, tuple) and len(state) == 5):
        raise PickleError("an array's state is not (version, shape, dtype, fortran, data)")
    _, shape, dtype, fortran, raw = state
    if not isinstance(dtype, _Dtype) or not isinstance(shape, tuple):
        raise PickleError("an array's state lacks its shape or dtype")
    if dtype.value.kind == "O":
        obj.value = _object_array(shape, raw, fortran, object_arrays)
        return True
    data = raw.encode("latin-1") if isinstance(raw, str) else raw
    if not isinstance(data, bytes):
        raise PickleError("an array's data is not raw bytes")
    count = int(np.prod(shape, dtype=np.int64))
    if len(data) != count * dtype.value.itemsize:
        raise PickleError(f"array data of {len(data)} bytes for shape {shape} {dtype.value}")
    obj.value = np.frombuffer(data, dtype=dtype.value).reshape(shape, order="F" if fortran
                                                                else "C").copy()
    return True


def _object_array(shape: tuple[Any, ...], items: Any, fortran: Any,
                  allowed: bool) -> np.ndarray:
    """An object array from the list of items its pickle holds (each already plain data)."""
    if not allowed:
        raise PickleError("an object array where only numeric arrays are expected")
    count = int(np.prod(shape, dtype=np.int64))
    if not isinstance(items, list) or len(items) != count:
        raise PickleError(f"an object array of shape {shape} whose items are not a list of "
                          f"{count}")
    array = np.empty(count, dtype=object)
    for index, item in enumerate(items):
        array[index] = _finish(item)
    return array.reshape(shape, order="F" if fortran else "C")


def _finish(value: Any) -> Any:
    """Replace the stand-ins by the arrays they built."""
    if isinstance(value, _Array):
        if value.value is None:
            raise PickleError("an array was never filled")
        return value.value
    if isinstance(value, (_Dtype, _NdarrayClass)):
        raise PickleError("a bare dtype or class where data was expected")
    if isinstance(value, dict):
        return {_finish(k): _finish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finish(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_finish(v) for v in value)
    return value


def _no_persistent_ids(pid: Any) -> Any:
    raise PickleError("persistent ids are not plain data")


def unpickle_plain(data: bytes, *, object_arrays: bool = False) -> Any:
    """The plain data in the pickle ``data``: containers, numbers, strings and NumPy arrays
    (object arrays only with ``object_arrays=True``). Raises :class:`PickleError` (a
    ``ValueError``) naming what the pickle asked for beyond that."""
    try:
        value, _ = unpickle(data, _find_global, _no_persistent_ids,
                            build=partial(_build, object_arrays=object_arrays))
        return _finish(value)
    except (TypeError, RecursionError) as exc:
        raise PickleError(one_line(exc)) from None


def load_plain_pickle(path: str | Path) -> Any:
    """The plain data in a pickle file (Python 2 strings read as latin-1, as torchvision)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({one_line(exc)})") from None
    try:
        return unpickle_plain(data)
    except ValueError as exc:
        raise DatasetError(f"{path}: not a pickle of plain data ({one_line(exc)})") from None
