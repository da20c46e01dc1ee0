"""Ops that order or select along one dim: sort, argsort, topk, median and mode.

Each returns PyTorch's named pair (values, indices) where PyTorch does; the values are
differentiable (their gradient goes back to the positions they were taken from), the indices are
int64. Ties resolve as PyTorch's CPU kernels resolve them: sorting is stable (equal values keep
their order, also when descending), ``median`` takes the lower middle of a stable sort and
``mode`` the smallest most frequent value at its last position.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.ops import return_types
from ember.ops._util import keepdim_arg, normalize_dims
from ember.ops.shape import reshape
from ember.tensor import Tensor


def single_dim(dim: Any, kw: dict[str, Any], ndim: int, name: str, default: int = -1) -> int:
    """PyTorch's ``dim`` or NumPy's ``axis``: one int (a tuple is a TypeError, as in PyTorch)."""
    axis = kw.pop("axis", None)
    if axis is not None and dim is not None:
        raise TypeError(f"{name}(): give dim or axis, not both")
    dim = default if axis is None and dim is None else (axis if axis is not None else dim)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return (normalize_dims(int(dim), None, ndim, name) or (0,))[0]  # type: ignore[index]


def take_along(x: Tensor, indices: np.ndarray, dim: int, squeeze: bool, name: str) -> Tensor:
    """``x``'s values at ``indices`` along ``dim`` (distinct within each slice), differentiable:
    the gradient goes back to exactly those positions. ``squeeze`` drops ``dim`` (size 1)."""
    data = x._data
    values = np.take_along_axis(data, indices, axis=dim)
    if squeeze:
        values = np.squeeze(values, axis=dim)
    shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(grad, indices, np.expand_dims(g, dim) if squeeze else g, axis=dim)
        return (grad,)

    return Tensor._op(values, (x,), backward, name, saved=())


def _stable_order(data: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable argsort along ``dim``; descending keeps equal values in their original order (no
    negation, so unsigned and bool data sort right too). NaN counts as the largest value."""
    if not descending:
        return np.argsort(data, axis=dim, kind="stable")
    size = data.shape[dim]
    flipped = np.flip(data, axis=dim)
    return np.flip(size - 1 - np.argsort(flipped, axis=dim, kind="stable"), axis=dim)


def _as_1d(x: Tensor) -> Tensor:
    return reshape(x, 1)


def argsort(x: Tensor, dim: Any = None, descending: bool = False, stable: bool = False,
            **kw: Any) -> Tensor:
    """Indices (int64) that sort ``x`` along ``dim`` (default -1); always stable."""
    d = single_dim(dim, kw, x.ndim, "argsort")
    keepdim_arg(False, kw, "argsort")
    if x.ndim == 0:
        return Tensor._wrap(np.zeros((), dtype=np.int64))
    return Tensor._wrap(_stable_order(x._data, d, descending).astype(np.int64))


def sort(x: Tensor, dim: Any = None, descending: bool = False, stable: bool = False,
         **kw: Any) -> Any:
    """Sorted values along ``dim`` (default -1) and their indices: ``(values, indices)``.

    The sort is always stable (``stable=False`` allows any order of ties; stable is one).
    """
    d = single_dim(dim, kw, x.ndim, "sort")
    keepdim_arg(False, kw, "sort")
    if x.ndim == 0:
        values = take_along(_as_1d(x), np.zeros(1, dtype=np.int64), 0, True, "SortBackward")
        return return_types.sort(values, Tensor._wrap(np.zeros((), dtype=np.int64)))
    indices = _stable_order(x._data, d, descending).astype(np.int64)
    return return_types.sort(take_along(x, indices, d, False, "SortBackward"),
                             Tensor._wrap(indices))


def topk(x: Tensor, k: int, dim: Any = None, largest: bool = True, sorted: bool = True,  # noqa: A002
         **kw: Any) -> Any:
    """The ``k`` largest (or smallest) values along ``dim`` (default -1) and their indices,
    in sorted order (``sorted=False`` allows any order; sorted is one)."""
    d = single_dim(dim, kw, x.ndim, "topk")
    keepdim_arg(False, kw, "topk")
    size = x.shape[d] if x.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"topk(): argument 'k' must be int, not {type(k).__name__}")
    if not 0 <= k <= size:
        raise RuntimeError(f"topk: k={k} is out of range for a dim of size {size}")
    source = x if x.ndim else _as_1d(x)
    d = d if x.ndim else 0
    order = _stable_order(source._data, d, descending=largest)
    indices = np.take(order, np.arange(k), axis=d).astype(np.int64)
    values = take_along(source, indices, d, False, "TopkBackward")
    if not x.ndim:
        return return_types.topk(reshape(values, ()), Tensor._wrap(indices.reshape(())))
    return return_types.topk(values, Tensor._wrap(indices))


def _check_reducible(x: Tensor, d: int, name: str) -> None:
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{name}(): expected reduction dim {d} to have non-zero size, got "
                         f"shape {tuple(x.shape)}")


def median(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:
    """The lower median (of an even count, the smaller middle value), as PyTorch.

    Without ``dim``: a tensor, over all elements (NaN when empty). With ``dim`` (or ``axis``):
    ``(values, indices)``. A slice holding NaN has median NaN at its first NaN.
    """
    if dim is None and kw.get("axis") is None:
        kw.pop("axis", None)
        keepdim_arg(keepdim, kw, "median")
        if x._data.size == 0:
            return Tensor._wrap(np.asarray(np.nan, dtype=x._data.dtype))
        flat = reshape(x, -1)
        index = _median_indices(flat._data, 0)
        return take_along(flat, index, 0, True, "MedianBackward")
    d = single_dim(dim, kw, x.ndim, "median")
    keepdim = keepdim_arg(keepdim, kw, "median")
    _check_reducible(x, d, "median")
    source, d = (x, d) if x.ndim else (_as_1d(x), 0)
    index = _median_indices(source._data, d)
    return _pair(return_types.median, x, source, index, d, keepdim, "MedianBackward")


def _median_indices(data: np.ndarray, dim: int) -> np.ndarray:
    """Position of the lower median along ``dim`` (size 1 there), or of the first NaN."""
    middle = (data.shape[dim] - 1) // 2
    index = np.take(_stable_order(data, dim, False), [middle], axis=dim)
    if data.dtype.kind == "f":
        nans = np.isnan(data)
        has_nan = nans.any(axis=dim, keepdims=True)
        if has_nan.any():
            index = np.where(has_nan, np.argmax(nans, axis=dim, keepdims=True), index)
    return index.astype(np.int64)


def mode(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:
    """The most frequent value along ``dim`` (default -1) and its last position:
    ``(values, indices)``. Among equally frequent values the smallest wins, as in PyTorch."""
    d = single_dim(dim, kw, x.ndim, "mode")
    keepdim = keepdim_arg(keepdim, kw, "mode")
    _check_reducible(x, d, "mode")
    source, d = (x, d) if x.ndim else (_as_1d(x), 0)
    data = np.moveaxis(source._data, d, -1)
    rows = data.reshape(-1, data.shape[-1])
    order = np.argsort(rows, axis=1, kind="stable")
    ordered = np.take_along_axis(rows, order, axis=1)
    positions = np.arange(rows.shape[1])
    starts_run = np.ones(ordered.shape, dtype=bool)
    starts_run[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    run_start = np.maximum.accumulate(np.where(starts_run, positions, 0), axis=1)
    # The first position where a run reaches the longest length ends the smallest such value's
    # run; stable order makes that run's last element its last occurrence in the input.
    run_end = np.argmax(positions - run_start + 1, axis=1)
    last = np.take_along_axis(order, run_end[:, None], axis=1)
    index = np.moveaxis(last.reshape(data.shape[:-1] + (1,)), -1, d)
    return _pair(return_types.mode, x, source, index.astype(np.int64), d, keepdim,
                 "ModeBackward")


def _pair(kind: type, x: Tensor, source: Tensor, index: np.ndarray, dim: int, keepdim: bool,
          name: str) -> Any:
    """(values, indices) of a one-position-per-slice selection, shaped as PyTorch shapes them."""
    if not x.ndim:  # a 0-d input gives 0-d results
        values = take_along(source, index, 0, True, name)
        return kind(values, Tensor._wrap(index.reshape(())))
    values = take_along(source, index, dim, not keepdim, name)
    return kind(values, Tensor._wrap(index if keepdim else np.squeeze(index, axis=dim)))
