"""Ops that move values around without changing them: reshape, permute, expand, cat, pad, ..."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ember.ops._util import cast, normalize_dims, promote_types, shape_args, unbroadcast
from ember.ops.views import make_view
from ember.tensor import Tensor


def _dim(d: Any, ndim: int, name: str) -> int:
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(d).__name__}")
    return (normalize_dims(int(d), None, ndim, name) or (0,))[0]  # type: ignore[index]


def _no_more_keywords(kw: dict[str, Any], name: str) -> None:
    if "out" in kw:
        raise NotImplementedError(f"{name}(out=...) is not supported; use the returned tensor")
    if kw:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kw)}")


def reshape(x: Tensor, *shape: Any) -> Tensor:
    target = shape_args(shape)
    data = x._data
    try:
        out = data.reshape(target)
    except ValueError:
        raise RuntimeError(
            f"reshape: shape {list(target)} is invalid for a tensor of shape {list(data.shape)} "
            f"({data.size} elements)"
        ) from None
    in_shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g.reshape(in_shape),)

    result = Tensor._op(out, (x,), backward, "ReshapeBackward", saved=())
    return make_view(result, x, lambda array: array.reshape(target))


view = reshape


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = x._data.shape
    if not shape:
        return reshape(x, 1)
    start, end = _dim(start_dim, len(shape), "flatten"), _dim(end_dim, len(shape), "flatten")
    if start > end:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(x, shape[:start] + (-1 if 0 not in shape else 0,) + shape[end + 1:])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    shape = x._data.shape
    if dim is None:
        return reshape(x, tuple(s for s in shape if s != 1))
    dims = normalize_dims(dim, None, len(shape), "squeeze") or ()
    return reshape(x, tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    shape = x._data.shape
    d = _dim(dim, len(shape) + 1, "unsqueeze")
    return reshape(x, shape[:d] + (1,) + shape[d:])


def permute(x: Tensor, *dims: Any) -> Tensor:
    order = shape_args(dims)
    ndim = x._data.ndim
    if len(order) != ndim:
        raise RuntimeError(f"permute: the order {list(order)} has {len(order)} dims but the "
                           f"tensor of shape {tuple(x.shape)} has {ndim}")
    order = tuple(_dim(d, ndim, "permute") for d in order)
    if sorted(order) != list(range(ndim)):
        raise RuntimeError(f"permute: {list(order)} is not a permutation of the {ndim} dims "
                           f"(duplicate dims)")
    inverse = np.argsort([d % ndim for d in order]) if ndim else ()

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.transpose(g, inverse),)

    result = Tensor._op(np.transpose(x._data, order), (x,), backward, "PermuteBackward", saved=(),
                        ctx=inverse)
    return make_view(result, x, lambda array: np.transpose(array, order))


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    ndim = x._data.ndim
    a, b = _dim(dim0, ndim, "transpose"), _dim(dim1, ndim, "transpose")
    if ndim < 2:
        return x
    order = list(range(ndim))
    order[a], order[b] = order[b], order[a]
    return permute(x, order)


def expand(x: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to a larger shape without copying; -1 keeps a dim's size."""
    target = list(shape_args(sizes))
    shape = x._data.shape
    offset = len(target) - len(shape)
    for i, size in enumerate(shape):
        if target[offset + i] == -1:
            target[offset + i] = size
    try:
        out = np.broadcast_to(x._data, tuple(target))
    except ValueError:
        raise RuntimeError(f"expand: can't expand shape {list(shape)} to {target}") from None

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (unbroadcast(g, shape),)

    result = Tensor._op(out, (x,), backward, "ExpandBackward", saved=())
    return make_view(result, x, lambda array: np.broadcast_to(array, out.shape))


broadcast_to = expand


def repeat(x: Tensor, *repeats: Any) -> Tensor:
    """Tile ``repeats[i]`` times along each dim (PyTorch's ``repeat``, NumPy's ``tile``)."""
    reps = shape_args(repeats)
    shape = x._data.shape
    if len(reps) < len(shape):
        raise RuntimeError(
            f"repeat: needs at least {len(shape)} repeat counts for shape {list(shape)}, "
            f"got {list(reps)}"
        )
    padded = (1,) * (len(reps) - len(shape)) + shape
    out = np.tile(x._data.reshape(padded), reps)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        # Split each dim into (repeat, size) and sum over the repeats.
        split = g.reshape(tuple(v for pair in zip(reps, padded) for v in pair))
        return (split.sum(axis=tuple(range(0, 2 * len(reps), 2))).reshape(shape),)

    return Tensor._op(out, (x,), backward, "RepeatBackward", saved=())


def cat(tensors: Sequence[Tensor], dim: int = 0, **kw: Any) -> Tensor:
    """Join tensors along an existing dim."""
    if "axis" in kw:
        dim = kw.pop("axis")
    _no_more_keywords(kw, "cat")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    first = tensors[0]
    target = first._data.dtype  # one dtype for all, promoted as PyTorch (int + float32: float32)
    for t in tensors[1:]:
        target = promote_types(target, t._data.dtype)
    tensors = [cast(t, target) for t in tensors]
    if any(t.ndim == 0 for t in tensors):
        raise RuntimeError("cat: zero-dimensional tensors cannot be concatenated (use stack)")
    d = _dim(dim, first.ndim, "cat")
    try:
        out = np.concatenate([t._data for t in tensors], axis=d)
    except ValueError:
        shapes = ", ".join(str(list(t.shape)) for t in tensors)
        raise RuntimeError(
            f"cat: tensors must have the same shape except in dim {dim}; got {shapes}"
        ) from None
    bounds = np.cumsum([t._data.shape[d] for t in tensors])[:-1]

    def backward(g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(g, bounds, axis=d))

    return Tensor._op(out, tuple(tensors), backward, "CatBackward", saved=(), ctx=(d, bounds))


concatenate = concat = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, **kw: Any) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    if "axis" in kw:
        dim = kw.pop("axis")
    _no_more_keywords(kw, "stack")
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack: expected a non-empty sequence of tensors")
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack: all tensors must have the same shape, got {sorted(shapes)}")
    return cat([unsqueeze(t, dim) for t in tensors], dim)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the given sizes."""
    from ember.ops.indexing import getitem

    d = _dim(dim, x.ndim, "split")
    length = x._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 0 or size == 0 and length:
            raise RuntimeError(f"split: split_size must be positive, got {size} for a dim of "
                               f"size {length}")
        sizes = [min(size, length - start) for start in range(0, length, size)] if length else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != length or min(sizes, default=0) < 0:
            raise RuntimeError(f"split: sizes {sizes} don't add up to the dim's size {length}")
    pieces = []
    start = 0
    for size in sizes:
        index = (slice(None),) * d + (slice(start, start + size),)
        pieces.append(getitem(x, index))
        start += size
    return tuple(pieces)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    if chunks <= 0:
        raise RuntimeError(f"chunk: expects chunks to be greater than 0, got {chunks}")
    length = x._data.shape[_dim(dim, x.ndim, "chunk")]
    return split(x, max(-(-length // chunks), 1), dim)


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    return tuple(squeeze(piece, dim) for piece in split(x, 1, dim))


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
        ) -> Tensor:
    """Pad the last dims: ``pad=(left, right, top, bottom, ...)`` as in ``F.pad``.

    A negative pad crops that side, as in PyTorch. ``value`` fills in 'constant' mode only.
    """
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise RuntimeError(
            f"pad: expected pairs of pads for at most {x.ndim} dims, got {list(pad)}"
        )
    numpy_modes = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
                   "circular": "wrap"}
    if mode not in numpy_modes:
        raise NotImplementedError(f"pad: mode must be one of {list(numpy_modes)}, got {mode!r}")
    if mode != "constant" and value:
        raise RuntimeError(f"pad: mode {mode!r} doesn't take a value argument, got {value!r}")
    data = x._data
    shape = data.shape
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    if any(n + lo + hi < 0 for (lo, hi), n in zip(widths, shape)):
        raise RuntimeError(f"pad: padding {list(pad)} would leave a negative size for a tensor "
                           f"of shape {tuple(shape)}")
    padded = [(d, lo, hi) for d, (lo, hi) in enumerate(widths) if lo or hi]
    if mode == "reflect" and any(lo >= shape[d] or hi >= shape[d] for d, lo, hi in padded):
        raise RuntimeError(f"pad: padding size should be less than the corresponding input "
                           f"dimension in 'reflect' mode, but got padding {list(pad)} for "
                           f"input of shape {list(shape)}")
    if mode == "circular" and any(lo > shape[d] or hi > shape[d] for d, lo, hi in padded):
        raise RuntimeError("pad: padding value causes wrapping around more than once in "
                           f"'circular' mode: padding {list(pad)}, input shape {list(shape)}")
    if mode == "circular" and any(lo < 0 or hi < 0 for lo, hi in widths):
        raise NotImplementedError(f"pad: negative padding in 'circular' mode is not supported, "
                                  f"got {list(pad)}")
    # Pad by the positive parts, then crop the negative ones.
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
    crop = tuple(slice(max(-lo, 0), n + glo + ghi - max(-hi, 0))
                 for (lo, hi), (glo, ghi), n in zip(widths, grow, shape))
    if mode == "constant":
        out = np.pad(data, grow, mode="constant", constant_values=value or 0)[crop]
    else:
        out = np.pad(data, grow, mode=numpy_modes[mode])[crop]

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        if mode == "constant":
            grown = np.zeros(tuple(n + lo + hi for (lo, hi), n in zip(grow, shape)), g.dtype)
            grown[crop] = g
            return (grown[tuple(slice(lo, lo + n) for (lo, _), n in zip(grow, shape))],)
        # Reflected/replicated/wrapped cells feed several outputs: scatter through an index map.
        index = np.arange(data.size).reshape(shape)
        padded_index = np.pad(index, grow, mode=numpy_modes[mode])[crop]
        grad = np.bincount(padded_index.ravel(), weights=g.ravel(), minlength=data.size)
        return (grad.reshape(shape).astype(g.dtype),)

    return Tensor._op(out, (x,), backward, "PadBackward", saved=())
