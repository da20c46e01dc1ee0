"""Ops that rearrange or select a structured part of a tensor: flip, roll, triangles and
diagonals, moved and narrowed dims, grids, interleaved repeats and sliding windows.

Most are composites of ``getitem``, ``reshape``, ``permute``, ``expand`` and ``where`` and need no
gradient rule of their own; ``flip``, ``roll``, ``diag`` (of a vector) and ``diagonal`` have theirs
beside the forward.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ember.ops._util import normalize_dims, shape_args
from ember.ops.elementwise import where
from ember.ops.indexing import getitem
from ember.ops.shape import _dim, expand, permute, reshape
from ember.tensor import Tensor


def _dims(dims: Any, ndim: int, name: str) -> tuple[int, ...]:
    return normalize_dims(dims, None, ndim, name) or ()


def flip(x: Tensor, dims: Any = None, *more: int) -> Tensor:
    """Reverse the order along ``dims`` (a copy, as in PyTorch)."""
    if more:
        dims = (dims, *more)
    if dims is None:
        raise TypeError("flip() missing required argument 'dims'")
    axes = _dims(dims, x.ndim, "flip")
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"flip: dims has duplicates: {dims}")
    out = np.flip(x._data, axes).copy() if axes else x._data.copy()

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.flip(g, axes) if axes else g,)

    return Tensor._op(out, (x,), backward, "FlipBackward", saved=())


def fliplr(x: Tensor) -> Tensor:
    if x.ndim < 2:
        raise RuntimeError("fliplr: input must be >= 2-d")
    return flip(x, (1,))


def flipud(x: Tensor) -> Tensor:
    if x.ndim < 1:
        raise RuntimeError("flipud: input must be >= 1-d")
    return flip(x, (0,))


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements cyclically by ``shifts`` along ``dims`` (the flattened tensor if None)."""
    if dims is None:
        flat = reshape(x, -1)
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise RuntimeError("roll: shifts must have one element when dims is not given")
        return reshape(roll(flat, shifts, 0), x.shape)
    shift_list = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    axes = tuple(_dim(d, x.ndim, "roll") for d in
                 (dims if isinstance(dims, (tuple, list)) else (dims,)))
    if len(shift_list) != len(axes):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shift_list)}, "
                           f"dims: {len(axes)}")
    out = np.roll(x._data, shift_list, axes)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.roll(g, tuple(-s for s in shift_list), axes),)

    return Tensor._op(out, (x,), backward, "RollBackward", saved=())


def _triangle(x: Tensor, diagonal: int, lower: bool, name: str) -> Tensor:
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols = x.shape[-2], x.shape[-1]
    keep = np.tril(np.ones((rows, cols), dtype=bool), diagonal) if lower else \
        np.triu(np.ones((rows, cols), dtype=bool), diagonal)
    return where(Tensor._wrap(keep), x, Tensor._wrap(np.zeros((), dtype=x._data.dtype)))


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (on and below ``diagonal``), zeros elsewhere."""
    return _triangle(x, diagonal, True, "tril")


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (on and above ``diagonal``), zeros elsewhere."""
    return _triangle(x, diagonal, False, "triu")


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the ``dim1``/``dim2`` planes, as a new last dim (a copy in ember)."""
    a, b = _dim(dim1, x.ndim, "diagonal"), _dim(dim2, x.ndim, "diagonal")
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = np.diagonal(x._data, offset, a, b).copy()
    shape = x._data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(shape, dtype=g.dtype)
        moved = np.moveaxis(grad, (a, b), (-2, -1))  # a view: writing into it fills grad
        n = out.shape[-1]
        rows = np.arange(n) + max(-offset, 0)
        cols = np.arange(n) + max(offset, 0)
        moved[..., rows, cols] = g
        return (grad,)

    return Tensor._op(out, (x,), backward, "DiagonalBackward", saved=())


def diag(x: Tensor, diagonal_: int = 0, **kw: Any) -> Tensor:
    """A vector to a square matrix with it on diagonal ``diagonal``; a matrix to its diagonal."""
    offset = kw.pop("diagonal", diagonal_)
    if kw:
        raise TypeError(f"diag() got unexpected keyword arguments {sorted(kw)}")
    if x.ndim == 2:
        return diagonal(x, offset, 0, 1)
    if x.ndim != 1:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")
    n = x.shape[0] + abs(offset)
    rows = np.arange(x.shape[0]) + max(-offset, 0)
    cols = np.arange(x.shape[0]) + max(offset, 0)
    out = np.zeros((n, n), dtype=x._data.dtype)
    out[rows, cols] = x._data

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g[rows, cols],)

    return Tensor._op(out, (x,), backward, "DiagBackward", saved=())


def diag_embed(x: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Each last-dim vector of ``x`` placed on a diagonal of a new matrix (default last 2 dims)."""
    if (dim1, dim2) != (-2, -1) or offset != 0:
        raise NotImplementedError("diag_embed: only offset=0, dim1=-2, dim2=-1 are supported")
    n = x.shape[-1] if x.ndim else 1
    eye = Tensor._wrap(np.eye(n, dtype=bool))
    return where(eye, reshape(x, (*x.shape, 1)), Tensor._wrap(np.zeros((), x._data.dtype)))


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims ``source`` to positions ``destination`` (ints or sequences of equal length)."""
    src = _dims(source, x.ndim, "movedim")
    dst = _dims(destination, x.ndim, "movedim")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    order = [d for d in range(x.ndim) if d not in src]
    for target, origin in sorted(zip(dst, src)):
        order.insert(target, origin)
    return permute(x, order)


moveaxis = movedim


def narrow(x: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The ``length`` elements from ``start`` along ``dim``: a view."""
    d = _dim(dim, x.ndim, "narrow")
    size = x.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size "
                         f"({size})")
    return getitem(x, (slice(None),) * d + (slice(start, start + length),))


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one of them may be -1)."""
    d = _dim(dim, x.ndim, "unflatten")
    return reshape(x, x.shape[:d] + tuple(shape_args((sizes,))) + x.shape[d + 1:])


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-d (or 0-d) tensors, ``'ij'`` (matrix) or ``'xy'`` (Cartesian)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                         f"received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t.ndim}D")
    sizes = [t.numel() for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, t in enumerate(tensors):
        axis = (1 - i if i < 2 else i) if swap else i
        shape = [1] * len(tensors)
        shape[axis] = -1
        grids.append(expand(reshape(t, shape), sizes))
    return tuple(grids)


def repeat_interleave(x: Any, repeats: Any = None, dim: int | None = None,
                      output_size: int | None = None) -> Tensor:
    """Each element (or slice along ``dim``) repeated ``repeats`` times, in place of itself.

    ``repeat_interleave(counts)`` with only an integer tensor gives ``arange`` repeated by it.
    """
    if repeats is None:
        counts = x._data
        return Tensor._wrap(np.repeat(np.arange(counts.shape[0]), counts).astype(np.int64))
    counts = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if np.any(counts < 0):
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    if dim is None:
        x, d = reshape(x, -1), 0
    else:
        d = _dim(dim, x.ndim, "repeat_interleave")
    size = x.shape[d] if x.ndim else 1
    if counts.ndim and counts.size not in (1, size):
        raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along "
                           f"dim, but got repeats.size(0) = {counts.size} and input.size({d}) = "
                           f"{size}")
    index = np.repeat(np.arange(size), counts.reshape(-1) if counts.size > 1 else int(counts))
    if output_size is not None and index.size != output_size:
        raise RuntimeError(f"repeat_interleave: output_size {output_size} differs from the "
                           f"repeated size {index.size}")
    return getitem(x, (slice(None),) * d + (index,))


def unfold(x: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """``Tensor.unfold``: windows of ``size`` every ``step`` along ``dimension``, as a new last
    dim (a copy in ember; PyTorch returns a view)."""
    d = _dim(dimension, x.ndim, "unfold")
    length = x.shape[d] if x.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if x.ndim == 0:
        return reshape(x, 1)
    windows = (length - size) // step + 1
    index = (np.arange(windows)[:, None] * step + np.arange(size)[None, :]).reshape(-1)
    picked = getitem(x, (slice(None),) * d + (index,))
    split = reshape(picked, x.shape[:d] + (windows, size) + x.shape[d + 1:])
    return movedim(split, d + 1, -1)
