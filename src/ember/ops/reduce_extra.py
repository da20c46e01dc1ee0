"""More reductions, composed of the differentiable ones in ``reduce.py``: variance and mean
together, NaN-skipping sums and means, min and max together, and counts."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ember.ops import reduce as _reduce
from ember.ops._util import keepdim_arg, normalize_dims
from ember.ops.elementwise import div, where
from ember.tensor import Tensor

_aminmax_base = namedtuple("aminmax", ["min", "max"])  # type: ignore[name-match]


class aminmax_pair(_aminmax_base):  # noqa: N801 - PyTorch's return_types.aminmax
    __slots__ = ()

    def __repr__(self) -> str:
        return f"ember.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"


def var_mean(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
             **kw: Any) -> tuple[Tensor, Tensor]:
    """``(var(x, ...), mean(x, ...))`` with the same arguments as ``var``."""
    axis = kw.get("axis")
    return (_reduce.var(x, dim, unbiased, keepdim, **kw),
            _reduce.mean(x, dim if axis is None else axis, keepdim))


def std_mean(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
             **kw: Any) -> tuple[Tensor, Tensor]:
    """``(std(x, ...), mean(x, ...))`` with the same arguments as ``std``."""
    axis = kw.get("axis")
    return (_reduce.std(x, dim, unbiased, keepdim, **kw),
            _reduce.mean(x, dim if axis is None else axis, keepdim))


def nansum(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    """The sum treating NaN as zero (NaN positions get zero gradient)."""
    if x._data.dtype.kind != "f":
        return _reduce.sum(x, dim, keepdim, **kw)
    return _reduce.sum(where(Tensor._wrap(np.isnan(x._data)), 0.0, x), dim, keepdim, **kw)


def nanmean(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    """The mean of the non-NaN elements (NaN where all are NaN)."""
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got "
                           f"{x.dtype}")
    present = Tensor._wrap((~np.isnan(x._data)).astype(x._data.dtype))
    return div(nansum(x, dim, keepdim, **dict(kw)), _reduce.sum(present, dim, keepdim, **kw))


def aminmax(x: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over ``dim`` (all elements when None), PyTorch's named pair."""
    if x._data.size == 0 and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity")
    return aminmax_pair(_reduce.amin(x, dim, keepdim), _reduce.amax(x, dim, keepdim))


def count_nonzero(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    """How many elements are non-zero (int64), over ``dim`` (an int or tuple) or all."""
    axis = kw.pop("axis", None)
    keepdim_arg(False, kw, "count_nonzero")
    dims = normalize_dims(dim, axis, x.ndim, "count_nonzero")
    return Tensor._wrap(np.asarray(np.count_nonzero(x._data, axis=dims), dtype=np.int64))
