"""PyTorch's dtype queries: ``finfo``, ``iinfo``, ``promote_types``, ``result_type``,
``can_cast`` and ``is_floating_point``, answered from NumPy's type rules with PyTorch's
promotion (an integer meeting a float gives that float, never float64)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import dtypes
from ember.tensor import Tensor


class finfo:  # noqa: N801 - PyTorch's name
    """Machine limits of a floating dtype (``bits``, ``eps``, ``max``, ``min``, ``tiny``,
    ``smallest_normal``, ``resolution``)."""

    def __init__(self, dtype: Any = None) -> None:
        info = np.finfo(dtypes.DEFAULT_FLOAT if dtype is None else dtypes.to_numpy_dtype(dtype))
        self.bits, self.dtype = int(info.bits), dtypes.from_numpy_dtype(info.dtype)
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = float(info.resolution)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, tiny={self.tiny:g}, dtype={self.dtype.name})")


class iinfo:  # noqa: N801 - PyTorch's name
    """Limits of an integer dtype (``bits``, ``min``, ``max``)."""

    def __init__(self, dtype: Any) -> None:
        target = dtypes.to_numpy_dtype(dtype)
        if target.kind not in "iub":
            raise TypeError(f"iinfo: {dtypes.from_numpy_dtype(target)} is not an integer type")
        info = np.iinfo(target) if target.kind != "b" else None
        self.bits = 8 if info is None else int(info.bits)
        self.min = 0 if info is None else int(info.min)
        self.max = 1 if info is None else int(info.max)
        self.dtype = dtypes.from_numpy_dtype(target)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype.name})"


def promote_types(type1: Any, type2: Any) -> dtypes.dtype:
    from ember.ops._util import promote_types as promote

    return dtypes.from_numpy_dtype(promote(dtypes.to_numpy_dtype(type1),
                                           dtypes.to_numpy_dtype(type2)))


def result_type(tensor1: Any, tensor2: Any) -> dtypes.dtype:
    """The dtype of ``tensor1 + tensor2`` (tensors or Python numbers)."""
    from ember.ops._util import operands

    a, _ = operands(tensor1 if isinstance(tensor1, Tensor) else Tensor(tensor1)
                    if not isinstance(tensor2, Tensor) else tensor1, tensor2)
    return a.dtype


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's casting rules allow ``from_`` to ``to`` (no float -> integer, no
    number -> bool)."""
    source, target = dtypes.to_numpy_dtype(from_), dtypes.to_numpy_dtype(to)
    order = "biuf"
    if target.kind == "b":
        return source.kind == "b"
    return order.index(source.kind) <= order.index(target.kind) or (
        source.kind == "u" and target.kind == "i")


def is_floating_point(x: Tensor) -> bool:
    return x.is_floating_point()


def is_nonzero(x: Tensor) -> bool:
    if x.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(x.item())
