"""More linear algebra, each a composite of ``matmul``, ``einsum`` and elementwise ops (no
gradient rule of its own): outer/inner products, the ``add*mm`` family, ``cross``, ``kron``,
``trace``, distances, block diagonals, Cartesian products, covariance and correlation."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.ops._util import operands
from ember.ops.arrange import diagonal
from ember.ops.einsum import einsum
from ember.ops.linalg import bmm, matmul
from ember.ops.reduce import mean, sum
from ember.ops.shape import cat, reshape, stack
from ember.tensor import Tensor


def _check_ndim(t: Tensor, ndim: int, name: str, what: str) -> None:
    if t.ndim != ndim:
        raise RuntimeError(f"{name}: {what} must be a {ndim}D tensor, got {t.ndim}D")


def outer(a: Tensor, b: Tensor) -> Tensor:
    """``a[i] * b[j]`` for 1-d ``a`` and ``b``."""
    _check_ndim(a, 1, "outer", "input")
    _check_ndim(b, 1, "outer", "vec2")
    return einsum("i,j->ij", a, b)


ger = outer


def inner(a: Tensor, b: Tensor) -> Tensor:
    """The sum over the last dims of ``a`` and ``b`` (a scalar product for vectors)."""
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(a.shape)} and {list(b.shape)}")
    a, b = operands(a, b)
    letters_a = "abcdefgh"[:a.ndim - 1]
    letters_b = "ijklmnop"[:b.ndim - 1]
    return einsum(f"{letters_a}z,{letters_b}z->{letters_a}{letters_b}", a, b)


def vdot(a: Tensor, b: Tensor) -> Tensor:
    _check_ndim(a, 1, "vdot", "input")
    _check_ndim(b, 1, "vdot", "other")
    return einsum("i,i->", a, b)


def mv(matrix: Tensor, vector: Tensor) -> Tensor:
    _check_ndim(matrix, 2, "mv", "input")
    _check_ndim(vector, 1, "mv", "vec")
    return matmul(matrix, vector)


def _scaled_sum(base: Any, product: Tensor, beta: Any, alpha: Any) -> Tensor:
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:  # PyTorch ignores base (even NaN in it) when beta is 0, but broadcasts to it
        from ember.ops.shape import expand

        shape = np.broadcast_shapes(np.shape(getattr(base, "_data", base)), tuple(scaled.shape))
        return expand(scaled, shape) if tuple(shape) != tuple(scaled.shape) else scaled
    return (base if beta == 1 else base * beta) + scaled


def addmm(base: Any, m1: Tensor, m2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * base + alpha * (m1 @ m2)`` for matrices."""
    _check_ndim(m1, 2, "addmm", "mat1")
    _check_ndim(m2, 2, "addmm", "mat2")
    return _scaled_sum(base, matmul(m1, m2), beta, alpha)


def addmv(base: Any, matrix: Tensor, vector: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    return _scaled_sum(base, mv(matrix, vector), beta, alpha)


def baddbmm(base: Any, b1: Tensor, b2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    return _scaled_sum(base, bmm(b1, b2), beta, alpha)


def addbmm(base: Any, b1: Tensor, b2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    return _scaled_sum(base, sum(bmm(b1, b2), 0), beta, alpha)


def addr(base: Any, v1: Tensor, v2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    return _scaled_sum(base, outer(v1, v2), beta, alpha)


def cross(a: Tensor, b: Tensor, dim: int | None = None) -> Tensor:
    """The 3-d cross product along ``dim`` (default: the first dim of size 3, as PyTorch)."""
    a, b = operands(a, b)
    if dim is None:
        sizes = [i for i, n in enumerate(np.broadcast_shapes(a.shape, b.shape)) if n == 3]
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes[0]
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[dim]} and {b.shape[dim]}")
    from ember.ops.shape_extra import select

    a0, a1, a2 = (select(a, dim, i) for i in range(3))
    b0, b1, b2 = (select(b, dim, i) for i in range(3))
    return stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], dim)


def kron(a: Tensor, b: Tensor) -> Tensor:
    """The Kronecker product (inputs padded to the same number of dims)."""
    ndim = max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (ndim - a.ndim) + tuple(a.shape))
    b = reshape(b, (1,) * (ndim - b.ndim) + tuple(b.shape))
    letters = "abcdefghij"[:ndim]
    upper = "klmnopqrst"[:ndim]
    spec = f"{letters},{upper}->" + "".join(x + y for x, y in zip(letters, upper))
    product = einsum(spec, a, b)
    return reshape(product, tuple(m * n for m, n in zip(a.shape, b.shape)))


def trace(x: Tensor) -> Tensor:
    _check_ndim(x, 2, "trace", "input")
    return sum(diagonal(x, 0, 0, 1))


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, **kw: Any) -> Tensor:
    """Pairwise p-norm distances between the rows of ``x1`` (..., P, M) and ``x2`` (..., R, M)."""
    from ember.linalg import vector_norm

    kw.pop("compute_mode", None)
    if kw:
        raise TypeError(f"cdist() got unexpected keyword arguments {sorted(kw)}")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return vector_norm(diff, p, -1)


def dist(a: Tensor, b: Tensor, p: float = 2) -> Tensor:
    from ember.linalg import vector_norm

    return vector_norm(a - b, p)


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-, 1- or 2-d) placed along the diagonal of one matrix."""
    blocks = [reshape(t, (1, -1)) if t.ndim < 2 else t for t in tensors]
    width = int(np.sum([b.shape[1] for b in blocks]))
    rows, start = [], 0
    for block in blocks:
        left = Tensor._wrap(np.zeros((block.shape[0], start), dtype=block._data.dtype))
        right = Tensor._wrap(np.zeros((block.shape[0], width - start - block.shape[1]),
                                      dtype=block._data.dtype))
        rows.append(cat([left, block, right], 1))
        start += block.shape[1]
    return cat(rows, 0)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of the 1-d tensors' elements, one per row."""
    from ember.ops.arrange import meshgrid

    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, -1) for g in grids], 1)


def cov(x: Tensor, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
    """The covariance of the rows (variables) of ``x`` over its columns (observations)."""
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov(fweights=, aweights=): not supported")
    rows = reshape(x, (1, -1)) if x.ndim < 2 else x
    centred = rows - mean(rows, 1, keepdim=True)
    count = rows.shape[1] - correction
    out = matmul(centred, centred.T) / max(count, 0)
    return reshape(out, ()) if x.ndim < 2 else out


def corrcoef(x: Tensor) -> Tensor:
    """Pearson correlation coefficients of the rows of ``x``."""
    from ember.ops.elementwise import clamp, sqrt

    c = cov(x)
    if c.ndim == 0:
        return c / c
    d = sqrt(diagonal(c, 0, 0, 1))
    return clamp(c / d.unsqueeze(1) / d.unsqueeze(0), -1, 1)

