"""The rest of PyTorch's everyday functions: NumPy-named aliases, NaN-ignoring extremes,
integer gcd/lcm, index grids, split helpers, trapezoid integration, scatters of slices and
matrix powers; composites of existing ops unless stated."""

from __future__ import annotations

from functools import reduce as _fold
from typing import Any

import numpy as np

from ember.ops import elementwise as _ew
from ember.ops import math as _math
from ember.ops._util import operands, unbroadcast
from ember.ops.arrange import diag
from ember.ops.indexing import _index_put, getitem
from ember.ops.linalg import matmul
from ember.ops.reduce import sum as _sum
from ember.ops.shape import _dim, reshape
from ember.ops.shape_extra import tensor_split
from ember.tensor import Tensor

arcsin, arccos, arctan = _math.asin, _math.acos, _math.atan
arcsinh, arccosh, arctanh = _math.asinh, _math.acosh, _math.atanh
not_equal = _ew.ne
greater, greater_equal, less, less_equal = _ew.gt, _ew.ge, _ew.lt, _ew.le


def ravel(x: Tensor) -> Tensor:
    return reshape(x, -1)


def _nan_ignoring(name: str, pick: Any, keep_a: Any) -> Any:
    def op(a: Any, b: Any) -> Tensor:
        a, b = operands(a, b)
        a_data, b_data = a._data, b._data
        out = pick(a_data, b_data)

        def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            from_a = keep_a(a_data, b_data)
            return (unbroadcast(np.where(from_a, g, 0).astype(g.dtype), a_data.shape),
                    unbroadcast(np.where(from_a, 0, g).astype(g.dtype), b_data.shape))

        return Tensor._op(out, (a, b), backward, name.capitalize() + "Backward")

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise {name}: like maximum/minimum, but a NaN loses to a number."
    return op


fmax = _nan_ignoring("fmax", np.fmax, lambda a, b: (a >= b) | np.isnan(b))
fmin = _nan_ignoring("fmin", np.fmin, lambda a, b: (a <= b) | np.isnan(b))


def gcd(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return Tensor._wrap(np.gcd(a._data, b._data))


def lcm(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return Tensor._wrap(np.lcm(a._data, b._data))


def ldexp(x: Any, exponent: Any) -> Tensor:
    """``x * 2 ** exponent``."""
    x, exponent = operands(x, exponent)
    return _ew.mul(x, _math.exp2(exponent))


def polygamma(n: int, x: Tensor) -> Tensor:
    """The ``n``-th derivative of digamma; its gradient is polygamma(n + 1)."""
    from ember.ops.math import _special, _unary

    op = _unary("polygamma", lambda v: _special().polygamma(n, v),
                lambda v, y: _special().polygamma(n + 1, v), "PolygammaBackward")
    return op(x)


def diagflat(x: Tensor, offset: int = 0) -> Tensor:
    return diag(reshape(x, -1), offset)


def hsplit(x: Tensor, sections: Any) -> tuple[Tensor, ...]:
    return tensor_split(x, sections, 1 if x.ndim > 1 else 0)


def vsplit(x: Tensor, sections: Any) -> tuple[Tensor, ...]:
    if x.ndim < 2:
        raise RuntimeError(f"torch.vsplit requires a tensor with at least 2 dimension, but got "
                           f"a tensor with {x.ndim} dimensions!")
    return tensor_split(x, sections, 0)


def dsplit(x: Tensor, sections: Any) -> tuple[Tensor, ...]:
    if x.ndim < 3:
        raise RuntimeError(f"torch.dsplit requires a tensor with at least 3 dimension, but got "
                           f"a tensor with {x.ndim} dimensions!")
    return tensor_split(x, sections, 2)


def tril_indices(row: int, col: int, offset: int = 0, dtype: Any = None,
                 device: Any = None) -> Tensor:
    from ember.devices import check_device

    check_device(device, "tril_indices")
    rows, cols = np.tril_indices(row, offset, col)
    return Tensor._wrap(np.stack([rows, cols]).astype(np.int64 if dtype is None else
                                                       np.dtype(str(dtype).split(".")[-1])))


def triu_indices(row: int, col: int, offset: int = 0, dtype: Any = None,
                 device: Any = None) -> Tensor:
    from ember.devices import check_device

    check_device(device, "triu_indices")
    rows, cols = np.triu_indices(row, offset, col)
    return Tensor._wrap(np.stack([rows, cols]).astype(np.int64 if dtype is None else
                                                       np.dtype(str(dtype).split(".")[-1])))


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    flat = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
    if flat.dtype.kind not in "iu":
        raise TypeError("unravel_index: expected 'indices' to be an integer tensor")
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    size = int(np.prod(dims, dtype=np.int64))
    if flat.size and (flat.min() < -size or flat.max() >= size):
        raise RuntimeError("unravel_index: index out of bounds for the shape")
    return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.unravel_index(flat % size, dims))


def trapezoid(y: Tensor, x: Any = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """The trapezoid rule along ``dim`` with sample points ``x`` or spacing ``dx`` (default 1)."""
    d = _dim(dim, y.ndim, "trapezoid")
    n = y.shape[d]
    if n == 0:
        return _sum(y, d)
    left = getitem(y, (slice(None),) * d + (slice(0, n - 1),))
    right = getitem(y, (slice(None),) * d + (slice(1, n),))
    if x is None:
        return _sum(left + right, d) * ((1.0 if dx is None else dx) / 2)
    xs = x if isinstance(x, Tensor) else Tensor(x)
    if xs.ndim == 1:
        widths = getitem(xs, slice(1, None)) - getitem(xs, slice(0, -1))
        shape = [1] * y.ndim
        shape[d] = n - 1
        widths = reshape(widths, shape)
    else:
        widths = getitem(xs, (slice(None),) * d + (slice(1, n),)) - getitem(
            xs, (slice(None),) * d + (slice(0, n - 1),))
    return _sum((left + right) * widths, d) / 2


trapz = trapezoid


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: float | None = None,
                         dim: int = -1) -> Tensor:
    from ember.ops.scan import cumsum

    d = _dim(dim, y.ndim, "cumulative_trapezoid")
    n = y.shape[d]
    left = getitem(y, (slice(None),) * d + (slice(0, n - 1),))
    right = getitem(y, (slice(None),) * d + (slice(1, n),))
    if x is None:
        return cumsum((left + right) * ((1.0 if dx is None else dx) / 2), d)
    xs = x if isinstance(x, Tensor) else Tensor(x)
    widths = getitem(xs, slice(1, None)) - getitem(xs, slice(0, -1))
    shape = [1] * y.ndim
    shape[d] = n - 1
    return cumsum((left + right) * reshape(widths, shape) / 2, d)


def index_copy(x: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:
    """A copy of ``x`` with the slices of ``source`` written at ``index`` along ``dim``."""
    d = _dim(dim, x.ndim, "index_copy")
    idx = np.asarray(index._data if isinstance(index, Tensor) else index).reshape(-1)
    return _index_put(x, (slice(None),) * d + (idx,), source)


def select_scatter(x: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``x`` with ``src`` written at ``index`` along ``dim``."""
    d = _dim(dim, x.ndim, "select_scatter")
    return _index_put(x, (slice(None),) * d + (int(index),), src)


def slice_scatter(x: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    d = _dim(dim, x.ndim, "slice_scatter")
    return _index_put(x, (slice(None),) * d + (slice(start, end, step),), src)


def narrow_copy(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    from ember.ops.arrange import narrow
    from ember.ops.indexing import clone

    return clone(narrow(x, dim, start, length))


def chain_matmul(*matrices: Tensor) -> Tensor:
    return _fold(matmul, matrices)


def matrix_power(x: Tensor, n: int) -> Tensor:
    """``x @ x @ ... @ x`` (``n`` >= 0 times; 0 gives the identity), by repeated squaring."""
    if n < 0:
        raise NotImplementedError("matrix_power with a negative power needs matrix inverses, "
                                  "which ember does not compute")
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {x.shape[-2] if x.ndim > 1 else 1} by {x.shape[-1]}")
    result = None
    base = x
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    if result is None:  # the identity, still connected to x (zero gradient), as PyTorch's
        eye = np.broadcast_to(np.eye(x.shape[-1], dtype=x._data.dtype), x._data.shape)
        return x * 0 + Tensor._wrap(eye.copy())
    return result


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """Columns of powers of the 1-d ``x`` (decreasing unless ``increasing``)."""
    n = x.shape[0] if N is None else N
    powers = np.arange(n) if increasing else np.arange(n)[::-1].copy()
    exponents = Tensor._wrap(powers.astype(x._data.dtype if x._data.dtype.kind == "f"
                                           else np.int64))
    return _ew.pow(reshape(x, (-1, 1)), exponents)


def nextafter(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    return Tensor._wrap(np.nextafter(a._data, b._data))
