"""More shape ops and PyTorch's aliases, all composites of existing differentiable ops:
``select``, ``tile``, ``atleast_*d``, ``broadcast_tensors``, the ``*stack`` family, ``rot90``,
``diff``, order statistics (``kthvalue``, ``quantile``, ``msort``) and NumPy-named aliases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ember.ops import elementwise as _ew
from ember.ops._util import operands
from ember.ops.arrange import flip, narrow
from ember.ops.indexing import getitem
from ember.ops.shape import _dim, cat, expand, permute, repeat, reshape, transpose
from ember.ops.sorting import sort
from ember.tensor import Tensor


def select(x: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim`` (that dim removed): a view."""
    d = _dim(dim, x.ndim, "select")
    size = x.shape[d]
    if not -size <= int(index) < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(x.shape)} at dimension {d}")
    return getitem(x, (slice(None),) * d + (int(index),))


def swapdims(x: Tensor, dim0: int, dim1: int) -> Tensor:
    return transpose(x, dim0, dim1)


swapaxes = swapdims


def t(x: Tensor) -> Tensor:
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return x if x.ndim < 2 else transpose(x, 0, 1)


def numel(x: Tensor) -> int:
    return x.numel()


def tile(x: Tensor, dims: Sequence[int]) -> Tensor:
    """``repeat`` with NumPy's rule: fewer ``dims`` than dims are padded with ones in front."""
    reps = tuple(dims)
    return repeat(x, (1,) * (x.ndim - len(reps)) + reps)


def atleast_1d(*tensors: Any) -> Any:
    out = [reshape(t, 1) if t.ndim == 0 else t for t in _tensors(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_2d(*tensors: Any) -> Any:
    out = [reshape(t, (1,) * (2 - t.ndim) + tuple(t.shape)) if t.ndim < 2 else t
           for t in _tensors(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def atleast_3d(*tensors: Any) -> Any:
    def lift(t: Tensor) -> Tensor:
        if t.ndim == 0:
            return reshape(t, (1, 1, 1))
        if t.ndim == 1:
            return reshape(t, (1, -1, 1))
        return reshape(t, tuple(t.shape) + (1,)) if t.ndim == 2 else t

    out = [lift(t) for t in _tensors(tensors)]
    return out[0] if len(out) == 1 else tuple(out)


def _tensors(tensors: tuple[Any, ...]) -> list[Tensor]:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def broadcast_shapes(*shapes: Any) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s)
                                           for s in shapes]))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: "
                           f"{[tuple(s) if not isinstance(s, int) else s for s in shapes]}"
                           ) from None


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in tensors)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    ts = atleast_1d(*tensors)
    ts = ts if isinstance(ts, tuple) else (ts,)
    return cat(list(ts), 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    ts = atleast_2d(*tensors)
    return cat(list(ts if isinstance(ts, tuple) else (ts,)), 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    ts = atleast_3d(*tensors)
    return cat(list(ts if isinstance(ts, tuple) else (ts,)), 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    columns = [reshape(t, (-1, 1)) if t.ndim <= 1 else t for t in tensors]
    return cat(columns, 1)


def rot90(x: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the
    second), as NumPy's and PyTorch's."""
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    a, b = (_dim(d, x.ndim, "rot90") for d in dims)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and "
                           f"dim1 = {b}")
    k %= 4
    if k == 1:
        return transpose(flip(x, (b,)), a, b)
    if k == 2:
        return flip(x, (a, b))
    if k == 3:
        return flip(transpose(x, a, b), (b,))
    return x * 1


def diff(x: Tensor, n: int = 1, dim: int = -1, prepend: Any = None,
         append: Any = None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (after joining ``prepend``/``append``)."""
    d = _dim(dim, x.ndim, "diff")
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        x = cat([p if isinstance(p, Tensor) else Tensor(p) for p in parts], d)
    for _ in range(n):
        size = x.shape[d]
        if size == 0:
            break
        x = narrow(x, d, 1, size - 1) - narrow(x, d, 0, size - 1)
    return x


def msort(x: Tensor) -> Tensor:
    return sort(x, 0).values


def kthvalue(x: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """The ``k``-th smallest value (1-based) along ``dim`` and where it is."""
    from ember.ops.return_types import _named_pair

    d = _dim(dim, x.ndim, "kthvalue")
    size = x.shape[d] if x.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    values, indices = sort(x, d, stable=True)
    pick_v = narrow(values, d, k - 1, 1) if x.ndim else values
    pick_i = narrow(indices, d, k - 1, 1) if x.ndim else indices
    if not keepdim and x.ndim:
        pick_v, pick_i = reshape(pick_v, _drop(x.shape, d)), reshape(pick_i, _drop(x.shape, d))
    return _named_pair("kthvalue")(pick_v, pick_i)


def _drop(shape: Sequence[int], d: int) -> tuple[int, ...]:
    return tuple(n for i, n in enumerate(shape) if i != d)


def quantile(x: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The ``q`` quantiles (0..1, a number or 1-d tensor) along ``dim`` (or all elements), with
    NumPy's/PyTorch's interpolation rules; a slice holding NaN gives NaN. Differentiable through
    the sorted values."""
    return _quantiles(x, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(x: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """``quantile`` of the non-NaN values of each slice (NaN where a slice has none)."""
    return _quantiles(x, q, dim, keepdim, interpolation, ignore_nan=True)


def _quantiles(x: Tensor, q: Any, dim: int | None, keepdim: bool, interpolation: str,
               ignore_nan: bool) -> Tensor:
    from ember.ops.indexing import gather

    name = "nanquantile" if ignore_nan else "quantile"
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    qs = np.asarray(q._data if isinstance(q, Tensor) else q, dtype=np.float64)
    if qs.size and (qs.min() < 0 or qs.max() > 1):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    source, d = (reshape(x, -1), 0) if dim is None else (x, _dim(dim, x.ndim, name))
    ordered = sort(source, d).values  # NaN sorts last
    data = ordered._data
    nan_count = np.isnan(data).sum(axis=d, keepdims=True)
    valid = data.shape[d] - nan_count if ignore_nan else np.full_like(nan_count,
                                                                      data.shape[d])
    # One position per q and slice: (Q, *slice shape with 1 at d).
    position = qs.reshape((-1,) + (1,) * data.ndim) * (np.maximum(valid, 1) - 1)
    low, high = np.floor(position).astype(np.int64), np.ceil(position).astype(np.int64)
    if interpolation == "lower":
        high = low
    elif interpolation == "higher":
        low = high
    elif interpolation == "nearest":
        low = high = np.round(position).astype(np.int64)  # half to even, as PyTorch
    weight = position - low if interpolation == "linear" else np.full(
        position.shape, 0.5 if interpolation == "midpoint" else 0.0)

    def along_d(values: np.ndarray) -> np.ndarray:  # (Q, ..., 1, ...) -> (..., Q, ...)
        return np.swapaxes(values, 0, d + 1)[0]

    picked_low = gather(ordered, d, along_d(low))
    picked_high = gather(ordered, d, along_d(high))
    w = Tensor._wrap(along_d(weight).astype(data.dtype))
    from ember.ops.math import lerp

    out = lerp(picked_low, picked_high, w)  # PyTorch's lerp: -inf and a finite value give -inf
    undefined = (valid == 0) if ignore_nan else (nan_count > 0)
    if undefined.any():
        out = _ew.where(Tensor._wrap(undefined), Tensor._wrap(np.asarray(np.nan, data.dtype)),
                        out)
    out = permute(out, (d,) + tuple(i for i in range(out.ndim) if i != d))  # q first
    if keepdim:
        out = reshape(out, (out.shape[0],) + tuple(
            1 if dim is None or i == d else n_ for i, n_ in enumerate(x.shape)))
    return reshape(out, out.shape[1:]) if qs.ndim == 0 else out


# ------------------------------------------------------------------ elementwise aliases
def subtract(a: Any, b: Any, alpha: Any = 1) -> Tensor:
    return _ew.sub(a, b if alpha == 1 else b * alpha)


def multiply(a: Any, b: Any) -> Tensor:
    return _ew.mul(a, b)


def divide(a: Any, b: Any, rounding_mode: str | None = None) -> Tensor:
    from ember.ops.math import div

    return div(a, b, rounding_mode)


def negative(x: Tensor) -> Tensor:
    return _ew.neg(x)


def positive(x: Tensor) -> Tensor:
    return x


def absolute(x: Tensor) -> Tensor:
    return _ew.abs(x)


def rsub(a: Any, b: Any, alpha: Any = 1) -> Tensor:
    """``b - alpha * a``."""
    return _ew.sub(b, a if alpha == 1 else a * alpha)


def clamp_min(x: Tensor, min: Any) -> Tensor:  # noqa: A002
    return _ew.clamp(x, min, None)


def clamp_max(x: Tensor, max: Any) -> Tensor:  # noqa: A002
    return _ew.clamp(x, None, max)


def logit(x: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    p = x if eps is None else _ew.clamp(x, eps, 1 - eps)
    return _ew.log(p / (1 - p))


def heaviside(x: Tensor, values: Any) -> Tensor:
    """0 below zero, 1 above, ``values`` at zero (not differentiable)."""
    a, v = operands(x, values)
    return Tensor._wrap(np.heaviside(a._data, v._data).astype(a._data.dtype))


def addcmul(base: Any, t1: Any, t2: Any, *, value: Any = 1) -> Tensor:
    return base + value * t1 * t2


def addcdiv(base: Any, t1: Any, t2: Any, *, value: Any = 1) -> Tensor:
    return base + value * (t1 / t2)


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    from ember.creation import linspace

    exponents = linspace(start, end, steps, dtype=dtype, device=device)
    out = Tensor._wrap(np.power(base, exponents._data.astype(np.float64))
                       .astype(exponents._data.dtype))
    return out.requires_grad_(True) if requires_grad else out


def tensor_split(x: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``n`` nearly equal parts (the first ``size % n`` one longer) or at the given
    indices, as NumPy's ``array_split``; each part is a view."""
    d = _dim(dim, x.ndim, "tensor_split")
    size = x.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"tensor_split(): number of sections must be larger than 0, got "
                               f"{n}")
        lengths = [size // n + (1 if i < size % n else 0) for i in range(n)]
        bounds = np.cumsum([0] + lengths)
    else:
        bounds = [0] + [min(max(int(i), 0), size) for i in indices_or_sections] + [size]
    return tuple(narrow(x, d, int(lo), int(max(hi - lo, 0))) for lo, hi in
                 zip(bounds[:-1], bounds[1:]))
