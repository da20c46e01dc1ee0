"""``ember.linalg``: PyTorch's ``torch.linalg`` norms, composed of differentiable reductions.

``vector_norm`` treats the input as a vector (over ``dim`` or everything); ``matrix_norm`` takes
two dims (Frobenius, nuclear-free: ``'fro'``, 1, -1, inf, -inf); ``norm`` picks between them as
PyTorch does.
"""

from __future__ import annotations

import math
from typing import Any

from ember import ops
from ember.tensor import Tensor


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False,  # noqa: A002
                *, dtype: Any = None) -> Tensor:
    """``sum(|x| ** ord) ** (1 / ord)`` over ``dim``; ``ord`` inf/-inf: max/min of ``|x|``,
    0: the count of non-zeros. The gradient at the zero vector is zero, as PyTorch's."""
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {x.dtype}")
    magnitude = ops.abs(x)
    if ord == math.inf:
        return ops.amax(magnitude, dim, keepdim)
    if ord == -math.inf:
        return ops.amin(magnitude, dim, keepdim)
    if ord == 0:
        return ops.sum(ops.cast(ops.ne(x, 0), x._data.dtype), dim, keepdim)
    if ord == 1:
        return ops.sum(magnitude, dim, keepdim)
    if ord == 2:  # sqrt of a sum of squares; zero has gradient 0 instead of 0/0
        squares = ops.sum(ops.mul(x, x), dim, keepdim)
        zero = ops.eq(squares, 0)
        safe = ops.where(zero, 1.0, squares)
        return ops.where(zero, 0.0, ops.sqrt(safe))
    powered = ops.sum(ops.pow(magnitude, float(ord)), dim, keepdim)
    return ops.pow(powered, 1.0 / float(ord))


def matrix_norm(x: Tensor, ord: Any = "fro", dim: tuple[int, int] = (-2, -1),  # noqa: A002
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """A matrix norm over the two ``dim``: ``'fro'``, 1/-1 (max/min column sum), inf/-inf
    (max/min row sum). ``'nuc'`` and 2/-2 need singular values and are not supported."""
    if x.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions, got {x.ndim}")
    if ord == "fro":
        return vector_norm(x, 2, dim, keepdim, dtype=dtype)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm(ord={ord!r}): needs singular values, "
                                  "which ember does not compute")
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    rows, cols = (d % x.ndim for d in dim)
    summed_over, then = (rows, cols) if ord in (1, -1) else (cols, rows)
    sums = ops.sum(ops.abs(x), summed_over, keepdim=True)
    pick = ops.amax if ord > 0 else ops.amin
    out = pick(sums, then, keepdim=True)
    return out if keepdim else ops.squeeze(out, tuple(sorted((rows, cols))))


def norm(x: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False,  # noqa: A002
         *, dtype: Any = None) -> Tensor:
    """``vector_norm`` for an int ``dim`` (or no ``dim`` and no ``ord``), ``matrix_norm`` for
    two dims (or a 2-d input with ``ord`` and no ``dim``), as ``torch.linalg.norm``."""
    if dim is not None and not isinstance(dim, int) and len(tuple(dim)) == 2:
        return matrix_norm(x, "fro" if ord is None else ord, tuple(dim), keepdim, dtype=dtype)
    if ord is not None and dim is None and x.ndim == 2:
        return matrix_norm(x, ord, (-2, -1), keepdim, dtype=dtype)
    if ord is not None and dim is None and x.ndim != 1:
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be "
                           "1D or 2D.")
    return vector_norm(x, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
