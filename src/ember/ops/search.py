"""Searching and counting, none differentiable: searchsorted, bucketize, histc, bincount, unique.

Integer results are int64; ``histc`` counts in the input's float dtype, as PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.tensor import Tensor


def _array(value: Any) -> np.ndarray:
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def searchsorted(sorted_sequence: Any, values: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Any = None) -> Tensor:
    """Where each of ``values`` would go in ``sorted_sequence`` (along its last dim) to keep it
    sorted: the first such place, or the last with ``right=True``/``side='right'``."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites")
        right = side == "right"
    boundaries, needles = _array(sorted_sequence), _array(values)
    if sorter is not None:
        boundaries = np.take_along_axis(boundaries, _array(sorter), axis=-1)
    dtype = np.int32 if out_int32 else np.int64
    how = "right" if right else "left"
    if boundaries.ndim <= 1:
        return Tensor._wrap(np.searchsorted(boundaries, needles, side=how).astype(dtype))
    if boundaries.shape[:-1] != needles.shape[:-1]:
        raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the "
                           f"first N-1 dimensions of boundaries tensor and input value tensor "
                           f"must match, but we got boundaries tensor {list(boundaries.shape)} "
                           f"and input value tensor {list(needles.shape)}")
    rows_b = boundaries.reshape(-1, boundaries.shape[-1])
    rows_v = needles.reshape(-1, needles.shape[-1])
    found = np.stack([np.searchsorted(b, v, side=how) for b, v in zip(rows_b, rows_v)])
    return Tensor._wrap(found.reshape(needles.shape).astype(dtype))


def bucketize(values: Any, boundaries: Any, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each value among the 1-d ``boundaries`` (``right=True``: intervals closed on
    the left), as ``torch.bucketize``."""
    edges = _array(boundaries)
    if edges.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim("
                           f"{edges.ndim})")
    found = np.searchsorted(edges, _array(values), side="right" if right else "left")
    return Tensor._wrap(np.asarray(found, dtype=np.int32 if out_int32 else np.int64))


def histc(x: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """A histogram of ``bins`` equal bins over ``[min, max]`` (the data's range when both are
    0); values outside are ignored."""
    data = x._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{x.dtype}\'')
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    low, high = float(min), float(max)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError(f"torch.histc(): max must be larger than min, but got min {low} "
                           f"max {high}")
    counts, _ = np.histogram(data, bins=bins, range=(low, high))
    return Tensor._wrap(counts.astype(data.dtype))


def bincount(x: Tensor, weights: Any = None, minlength: int = 0) -> Tensor:
    """How often each non-negative integer occurs in the 1-d ``x`` (or the sum of ``weights``)."""
    data = x._data
    if data.ndim != 1 or data.dtype.kind not in "iub":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if data.size and data.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._wrap(np.bincount(data, minlength=minlength).astype(np.int64))
    w = _array(weights)
    out_dtype = w.dtype if w.dtype.kind == "f" else np.float64
    return Tensor._wrap(np.bincount(data, weights=w, minlength=minlength).astype(out_dtype))


def unique(x: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values (sorted), optionally with each element's position among them and
    each value's count; with ``dim``, the distinct slices along it."""
    data = x._data
    if dim is not None:
        d = dim % max(data.ndim, 1)
        values, inverse, counts = np.unique(data, return_inverse=True, return_counts=True,
                                            axis=d)
    else:
        values, inverse, counts = np.unique(data, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(data.shape)
    result: list[Tensor] = [Tensor._wrap(values)]
    if return_inverse:
        result.append(Tensor._wrap(inverse.astype(np.int64)))
    if return_counts:
        result.append(Tensor._wrap(counts.astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


def unique_consecutive(x: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None) -> Any:
    """Each run of equal consecutive values collapsed to one (flattened unless ``dim``)."""
    if dim is not None:
        raise NotImplementedError("unique_consecutive(dim=...): only the flattened form")
    flat = x._data.reshape(-1)
    starts = np.ones(flat.shape, dtype=bool)
    starts[1:] = flat[1:] != flat[:-1]
    result: list[Tensor] = [Tensor._wrap(flat[starts])]
    if return_inverse:
        result.append(Tensor._wrap((np.cumsum(starts) - 1).reshape(x._data.shape)
                                   .astype(np.int64)))
    if return_counts:
        result.append(Tensor._wrap(np.diff(np.append(np.flatnonzero(starts), flat.size))
                                   .astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Whether each of ``elements`` occurs in ``test_elements`` (bool, ``elements``' shape)."""
    found = np.isin(_array(elements), _array(test_elements), assume_unique=assume_unique,
                    invert=invert)
    return Tensor._wrap(np.asarray(found))
