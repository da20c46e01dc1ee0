"""ember's dtypes: named wrappers over NumPy dtypes, printed as PyTorch does (ember.float32)."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np


class dtype:  # noqa: N801 - named like torch.dtype
    """A tensor element type. Compares equal to the matching NumPy dtype."""

    __slots__ = ("name", "numpy", "is_floating_point")

    def __init__(self, name: str) -> None:
        self.name = name
        self.numpy = np.dtype(name)
        self.is_floating_point = self.numpy.kind == "f"

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dtype):
            return self.numpy == other.numpy
        try:
            return self.numpy == np.dtype(other)  # type: ignore[arg-type]
        except TypeError:
            return False

    def __hash__(self) -> int:
        return hash(self.numpy)


float16 = dtype("float16")
float32 = dtype("float32")
float64 = dtype("float64")
uint8 = dtype("uint8")
int8 = dtype("int8")
int16 = dtype("int16")
int32 = dtype("int32")
int64 = dtype("int64")
bool_ = dtype("bool")

half, float, double = float16, float32, float64  # noqa: A001 - PyTorch's aliases
short, int, long = int16, int32, int64  # noqa: A001

_BY_NUMPY = {d.numpy: d for d in (float16, float32, float64, uint8, int8, int16, int32, int64,
                                  bool_)}

DEFAULT_FLOAT = float32.numpy


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The ember dtype for a NumPy dtype (unknown ones get a fresh wrapper)."""
    found = _BY_NUMPY.get(np_dtype)
    return found if found is not None else dtype(np_dtype.name)


def to_numpy_dtype(spec: Any) -> np.dtype:
    """Resolve an ember dtype, NumPy dtype, Python type or name to a NumPy dtype.

    Python's ``float`` means ember's default float (float32) and ``int`` means int64, as in PyTorch.
    """
    if isinstance(spec, dtype):
        return spec.numpy
    if spec is builtins.float:
        return DEFAULT_FLOAT
    if spec is builtins.int:
        return int64.numpy
    if spec is builtins.bool:
        return bool_.numpy
    if isinstance(spec, str) and spec.startswith("ember."):
        spec = spec[len("ember."):]
    try:
        return np.dtype(spec)
    except TypeError as exc:
        raise TypeError(
            f"unknown dtype {spec!r}; expected e.g. ember.float32 or 'float64'"
        ) from exc

