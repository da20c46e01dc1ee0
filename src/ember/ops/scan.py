"""Scans along one dim: cumsum, cumprod, cummax, cummin and logcumsumexp.

``dim`` is required, as in PyTorch; a 0-d tensor scans as one element. Each gradient rule sits
under its forward: a reversed cumulative sum carries the upstream gradient back to every earlier
position.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.ops import return_types
from ember.ops._util import cast, float_operand
from ember.ops.indexing import gather
from ember.ops.sorting import single_dim
from ember.tensor import Tensor

cummax_pair = return_types._named_pair("cummax")
cummin_pair = return_types._named_pair("cummin")


def _scan_dim(x: Tensor, dim: Any, kw: dict[str, Any], name: str) -> int:
    if dim is None and "axis" not in kw:
        raise TypeError(f"{name}() missing required argument 'dim'")
    d = single_dim(dim, kw, x.ndim, name)
    if kw:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kw)}")
    return d


def _reverse_cumsum(g: np.ndarray, axis: int) -> np.ndarray:
    return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)


def _in_dtype(x: Tensor, dtype: Any) -> Tensor:
    from ember.dtypes import to_numpy_dtype

    if dtype is not None:
        return cast(x, to_numpy_dtype(dtype))
    if x._data.dtype.kind in "biu":  # bools and integers accumulate in int64, as PyTorch
        return cast(x, np.dtype(np.int64))
    return x


def cumsum(x: Tensor, dim: Any = None, dtype: Any = None, **kw: Any) -> Tensor:
    """Running sums along ``dim``; bools and integers accumulate in int64 unless ``dtype``."""
    d = _scan_dim(x, dim, kw, "cumsum")
    x = _in_dtype(x, dtype)
    if x.ndim == 0:
        return x * 1
    out = np.cumsum(x._data, axis=d)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (_reverse_cumsum(g, d),)

    return Tensor._op(out, (x,), backward, "CumsumBackward", saved=())


def cumprod(x: Tensor, dim: Any = None, dtype: Any = None, **kw: Any) -> Tensor:
    """Running products along ``dim``; the gradient is exact also where inputs are zero."""
    d = _scan_dim(x, dim, kw, "cumprod")
    x = _in_dtype(x, dtype)
    if x.ndim == 0:
        return x * 1
    data = x._data
    out = np.cumprod(data, axis=d)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        if np.all(data != 0):
            return (_reverse_cumsum(g * out, d) / data,)
        # With zeros, d out_j / d x_i is the product of x_0..x_j without x_i: build it for every
        # (i, j) by setting x_i to one (O(n^2) along the dim; only taken when zeros occur).
        moved = np.moveaxis(data, d, -1)
        n = moved.shape[-1]
        tiled = np.repeat(moved[..., None, :], n, axis=-2)  # (..., i, k)
        tiled[..., np.arange(n), np.arange(n)] = 1
        partial = np.cumprod(tiled, axis=-1)  # (..., i, j): product over k <= j, k != i
        partial = partial * np.triu(np.ones((n, n), dtype=bool))  # only j >= i depend on x_i
        grad = np.einsum("...ij,...j->...i", partial, np.moveaxis(g, d, -1))
        return (np.moveaxis(grad, -1, d).astype(g.dtype, copy=False),)

    return Tensor._op(out, (x,), backward, "CumprodBackward", saves_output=True)


def _cumulative_extreme(x: Tensor, dim: Any, kw: dict[str, Any], largest: bool) -> Any:
    name = "cummax" if largest else "cummin"
    d = _scan_dim(x, dim, kw, name)
    pair = cummax_pair if largest else cummin_pair
    if x.ndim == 0:
        return pair(x * 1, Tensor._wrap(np.zeros((), dtype=np.int64)))
    data = x._data
    running = (np.maximum if largest else np.minimum).accumulate(data, axis=d)
    positions = np.arange(data.shape[d]).reshape([-1 if a == d else 1 for a in range(data.ndim)])
    # The last position holding the running extreme (ties take the later index, as PyTorch);
    # a NaN, once met, stays the extreme and keeps its own index.
    hits = (data == running) | np.isnan(data)
    indices = np.maximum.accumulate(np.where(hits, positions, 0), axis=d)
    if np.isnan(data).any():
        nan_seen = np.maximum.accumulate(np.where(np.isnan(data), positions, -1), axis=d)
        indices = np.where(nan_seen >= 0, nan_seen, indices)
    indices = indices.astype(np.int64)
    return pair(gather(x, d, indices), Tensor._wrap(indices))


def cummax(x: Tensor, dim: Any = None, **kw: Any) -> Any:
    """Running maxima along ``dim`` and where each was found: ``(values, indices)``."""
    return _cumulative_extreme(x, dim, kw, largest=True)


def cummin(x: Tensor, dim: Any = None, **kw: Any) -> Any:
    """Running minima along ``dim`` and where each was found: ``(values, indices)``."""
    return _cumulative_extreme(x, dim, kw, largest=False)


def logcumsumexp(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    """``log(cumsum(exp(x)))`` along ``dim``, computed without overflow."""
    d = _scan_dim(x, dim, kw, "logcumsumexp")
    x = float_operand(x)
    if x.ndim == 0:
        return x * 1
    data = x._data
    out = np.logaddexp.accumulate(data, axis=d)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        # grad_i = sum_{j >= i} g_j exp(x_i - out_j), summed in log space for the positive and
        # negative parts of g separately so that nothing overflows.
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = np.zeros_like(g)
            for part, sign in ((np.maximum(g, 0), 1), (np.maximum(-g, 0), -1)):
                log_terms = np.log(part) - out
                tail = np.flip(np.logaddexp.accumulate(np.flip(log_terms, d), axis=d), d)
                grad = grad + sign * np.exp(data + tail)
        return (grad.astype(g.dtype, copy=False),)

    return Tensor._op(out, (x,), backward, "LogcumsumexpBackward", saves_output=True)
