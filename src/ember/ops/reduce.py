"""Reductions and the ops that normalise along a dimension (softmax, log_softmax, logsumexp).

Each takes PyTorch's ``dim``/``keepdim`` or NumPy's ``axis``/``keepdims``; ``dim`` may be an int, a
tuple of ints, or None for every dimension.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ember.dtypes import to_numpy_dtype
from ember.ops import return_types
from ember.ops._util import cast, float_operand, keepdim_arg, normalize_dims
from ember.ops.sorting import single_dim
from ember.tensor import Tensor


def _expand_reduced(g: np.ndarray, dims: tuple[int, ...] | None, keepdim: bool,
                    shape: tuple[int, ...]) -> np.ndarray:
    """Give a reduced gradient back its reduced axes so it broadcasts against the input."""
    if keepdim or dims is None and g.ndim == len(shape):
        return g
    if dims is None:
        return g.reshape((1,) * len(shape))
    return np.expand_dims(g, dims)


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:  # noqa: A001
    dtype = kw.pop("dtype", None)
    axis = kw.pop("axis", None)
    keepdim = keepdim_arg(keepdim, kw, "sum")
    x = _in_dtype(x, dtype)  # PyTorch casts first, so dtype=float64 also accumulates in it
    data = x._data
    dims = normalize_dims(dim, axis, data.ndim, "sum")
    if dtype is None and (data.dtype == bool or (data.dtype.kind in "iu"
                                                 and data.dtype != np.int64)):
        data = data.astype(np.int64)
    out = np.sum(data, axis=dims, keepdims=keepdim, dtype=data.dtype)
    shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.broadcast_to(_expand_reduced(g, dims, keepdim, shape), shape),)

    return Tensor._op(np.asarray(out), (x,), backward, "SumBackward", saved=(),
                      ctx=(dims, keepdim))


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    axis = kw.pop("axis", None)
    x = _in_dtype(x, kw.pop("dtype", None))
    keepdim = keepdim_arg(keepdim, kw, "mean")
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"mean(): could not infer output dtype: input dtype must be floating "
                           f"point, got {x.dtype}; pass dtype= or convert with .float()")
    data = x._data
    dims = normalize_dims(dim, axis, data.ndim, "mean")
    out = np.asarray(np.mean(data, axis=dims, keepdims=keepdim))
    count = data.size // builtins.max(out.size, 1) if data.size else 0  # not ember's max
    shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        scaled = _expand_reduced(g, dims, keepdim, shape) / builtins.max(count, 1)
        return (np.broadcast_to(scaled, shape),)

    return Tensor._op(out, (x,), backward, "MeanBackward", saved=(), ctx=(dims, keepdim))


def _in_dtype(x: Tensor, dtype: Any) -> Tensor:
    """The input cast to a reduction's ``dtype=`` argument first, as PyTorch does."""
    return x if dtype is None else cast(x, to_numpy_dtype(dtype))


def _extreme(x: Tensor, dim: Any, keepdim: bool, kw: dict[str, Any], largest: bool,
             name: str) -> Any:
    """max/min: over everything (a 0-d tensor) or over one dim (PyTorch's named pair
    ``(values, indices)``, for ``dim`` and ``axis`` alike)."""
    if isinstance(dim, Tensor):  # max(a, b) is the elementwise maximum
        from ember.ops.elementwise import maximum, minimum

        keepdim_arg(keepdim, kw, name)
        return maximum(x, dim) if largest else minimum(x, dim)
    data = x._data
    if dim is None and kw.get("axis") is None:
        kw.pop("axis", None)
        keepdim_arg(keepdim, kw, name)
        if data.size == 0:
            raise RuntimeError(f"{name}(): expected a non-empty tensor, got shape {data.shape}; "
                               f"give a dim to reduce over")
        return _extreme_values(x, None, False, largest, name)
    d = single_dim(dim, kw, data.ndim, name)
    keepdim = keepdim_arg(keepdim, kw, name)
    kind = return_types.max if largest else return_types.min
    if data.ndim == 0:  # one element: itself, at index 0
        values = _extreme_values(x, None, False, largest, name)
        return kind(values, Tensor._wrap(np.zeros((), dtype=np.int64)))
    if data.shape[d] == 0:
        raise IndexError(f"{name}(): expected reduction dim {d} to have non-zero size, got shape "
                         f"{data.shape}")
    indices = np.argmax(data, axis=d) if largest else np.argmin(data, axis=d)
    values = np.take_along_axis(data, np.expand_dims(indices, d), axis=d)
    shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(shape, dtype=g.dtype)
        np.put_along_axis(grad, np.expand_dims(indices, d), g if keepdim else
                          np.expand_dims(g, d), axis=d)
        return (grad,)

    # backward reads `indices` without the reduced dim: keep that name bound to it.
    if not keepdim:
        values = np.squeeze(values, axis=d)
    out = Tensor._op(values, (x,), backward, name.capitalize() + "Backward", saved=())
    out_indices = np.expand_dims(indices, d) if keepdim else indices
    return kind(out, Tensor._wrap(out_indices.astype(np.int64)))


def _extreme_values(x: Tensor, dims: tuple[int, ...] | None, keepdim: bool, largest: bool,
                    name: str) -> Tensor:
    """amax/amin: the gradient is shared evenly among tied extremes."""
    data = x._data
    out = np.max(data, axis=dims, keepdims=True) if largest else np.min(
        data, axis=dims, keepdims=True)
    shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        hits = data == out
        count = np.sum(hits, axis=dims, keepdims=True)
        return (hits * (_expand_reduced(g, dims, keepdim, shape) / count).astype(g.dtype),)

    result = out if keepdim else (out.reshape(()) if dims is None else np.squeeze(out, dims))
    return Tensor._op(np.asarray(result), (x,), backward, name.capitalize() + "Backward",
                      saves_output=True)


def max(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:  # noqa: A001
    return _extreme(x, dim, keepdim, kw, True, "max")


def min(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:  # noqa: A001
    return _extreme(x, dim, keepdim, kw, False, "min")


def amax(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    axis = kw.pop("axis", None)
    keepdim = keepdim_arg(keepdim, kw, "amax")
    return _extreme_values(x, normalize_dims(dim, axis, x.ndim, "amax"), keepdim, True, "amax")


def amin(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    axis = kw.pop("axis", None)
    keepdim = keepdim_arg(keepdim, kw, "amin")
    return _extreme_values(x, normalize_dims(dim, axis, x.ndim, "amin"), keepdim, False, "amin")


def var(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        **kw: Any) -> Tensor:
    """Variance with Bessel's correction by default (``correction=1``), as PyTorch."""
    axis = kw.pop("axis", None)
    correction = kw.pop("correction", kw.pop("ddof", None))
    keepdim = keepdim_arg(keepdim, kw, "var")
    if correction is None:
        correction = 0 if unbiased is False else 1
    x = float_operand(x)
    data = x._data
    dims = normalize_dims(dim, axis, data.ndim, "var")
    centered = data - np.mean(data, axis=dims, keepdims=True)
    count = data.size // builtins.max(np.mean(data, axis=dims).size, 1)
    # Zero or negative degrees of freedom divide by zero (inf, or nan for 0/0), as PyTorch.
    denominator = np.asarray(builtins.max(count - correction, 0), dtype=data.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.sum(centered * centered, axis=dims, keepdims=keepdim) / denominator
    shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (_expand_reduced(g, dims, keepdim, shape) * (2 / denominator) * centered,)

    return Tensor._op(np.asarray(out, dtype=data.dtype), (x,), backward, "VarBackward")


def std(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
        **kw: Any) -> Tensor:
    from ember.ops.elementwise import sqrt

    return sqrt(var(x, dim, unbiased, keepdim, **kw))


def prod(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    """Product; its gradient is the product of the *other* elements, exact even with zeros."""
    axis = kw.pop("axis", None)
    x = _in_dtype(x, kw.pop("dtype", None))
    keepdim = keepdim_arg(keepdim, kw, "prod")
    data = x._data
    dims = normalize_dims(dim, axis, data.ndim, "prod")
    out = np.asarray(np.prod(data, axis=dims, keepdims=keepdim))
    shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        all_dims = tuple(range(data.ndim)) if dims is None else dims
        rest = [d for d in range(data.ndim) if d not in all_dims]
        moved = np.transpose(data, rest + list(all_dims))
        flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
        ones = np.ones(flat.shape[:-1] + (1,), dtype=data.dtype)
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = (left * right).reshape(moved.shape)
        others = np.transpose(others, np.argsort(rest + list(all_dims)))
        return (_expand_reduced(g, dims, keepdim, shape) * others,)

    return Tensor._op(out, (x,), backward, "ProdBackward", saves_output=True)


def logsumexp(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
    """log(sum(exp(x))) computed stably (shifted by the max)."""
    axis = kw.pop("axis", None)
    keepdim = keepdim_arg(keepdim, kw, "logsumexp")
    x = float_operand(x)
    data = x._data
    dims = normalize_dims(dim, axis, data.ndim, "logsumexp")
    shift = np.max(data, axis=dims, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    exps = np.exp(data - shift)
    total = np.sum(exps, axis=dims, keepdims=True)
    out = np.log(total) + shift
    shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (_expand_reduced(g, dims, keepdim, shape) * (exps / total),)

    result = out if keepdim else (out.reshape(()) if dims is None else np.squeeze(out, dims))
    return Tensor._op(np.asarray(result), (x,), backward, "LogsumexpBackward",
                      saves_output=True)


def _one_dim(dim: Any, kw: dict[str, Any], ndim: int, name: str) -> int:
    d = single_dim(dim, kw, ndim, name)
    keepdim_arg(False, kw, name)
    return d if ndim else None  # type: ignore[return-value]  # a 0-d tensor reduces whole


def softmax(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, shifted by the max so large logits cannot overflow.

    ``dtype=`` casts the input first, as PyTorch does.
    """
    x = float_operand(_in_dtype(x, kw.pop("dtype", None)))
    data = x._data
    d = _one_dim(dim, kw, data.ndim, "softmax")
    exps = np.exp(data - np.max(data, axis=d, keepdims=True))
    out = exps / np.sum(exps, axis=d, keepdims=True)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (out * (g - np.sum(g * out, axis=d, keepdims=True)),)

    return Tensor._op(out, (x,), backward, "SoftmaxBackward", saves_output=True, saved=(),
                      ctx=d)


def log_softmax(x: Tensor, dim: Any = None, **kw: Any) -> Tensor:
    """x - logsumexp(x) along ``dim``: finite even for logits in the thousands."""
    x = float_operand(_in_dtype(x, kw.pop("dtype", None)))
    data = x._data
    d = _one_dim(dim, kw, data.ndim, "log_softmax")
    shifted = data - np.max(data, axis=d, keepdims=True)
    out = shifted - np.log(np.sum(np.exp(shifted), axis=d, keepdims=True))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g - np.exp(out) * np.sum(g, axis=d, keepdims=True),)

    return Tensor._op(out, (x,), backward, "LogSoftmaxBackward", saves_output=True,
                      saved=(), ctx=d)


def norm(x: Tensor, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The ``p``-norm over ``dim`` (all elements by default): 'fro'/2, 1, inf, -inf, 0 (the
    count of non-zeros) or any other number, as ``torch.norm`` computes them for vectors."""
    from ember.ops.elementwise import abs as abs_
    from ember.ops.elementwise import ne
    from ember.ops.elementwise import pow as pow_

    if isinstance(p, str) and p not in ("fro", "inf", "-inf"):
        if p == "nuc":
            raise NotImplementedError("norm: p='nuc' (the nuclear norm) is not supported")
        raise RuntimeError(f"norm: p must be a number, 'fro', 'inf' or '-inf', got {p!r}")
    if p in ("fro", 2):
        return pow_(sum(x * x, dim, keepdim), 0.5)
    if p == 1:
        return sum(abs_(x), dim, keepdim)
    if p in (float("inf"), "inf"):
        return amax(abs_(x), dim, keepdim)
    if p in (float("-inf"), "-inf"):
        return amin(abs_(x), dim, keepdim)
    if p == 0:  # PyTorch's 0-"norm": how many elements are non-zero
        return sum(ne(x, 0), dim, keepdim, dtype=x._data.dtype)
    return pow_(sum(pow_(abs_(x), p), dim, keepdim), 1.0 / p)


# ---------------------------------------------------------------------- non-differentiable
def _index_reduction(fn: Any, name: str) -> Any:
    def op(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        whole = dim is None and kw.get("axis") is None
        d = None if whole else single_dim(dim, kw, x.ndim, name)
        kw.pop("axis", None)
        keepdim = keepdim_arg(keepdim, kw, name)
        if x._data.size == 0 and (whole or x.ndim and x.shape[d] == 0):
            raise IndexError(f"{name}(): expected a non-empty reduction, got shape "
                             f"{tuple(x.shape)}" + ("" if whole else f" and dim {d}"))
        if whole or not x.ndim:
            out = fn(x._data)
            return Tensor._wrap(np.asarray(out, dtype=np.int64).reshape(
                (1,) * x.ndim if keepdim else ()))
        return Tensor._wrap(fn(x._data, axis=d, keepdims=keepdim).astype(np.int64))

    op.__name__ = name
    return op


argmax = _index_reduction(np.argmax, "argmax")
argmin = _index_reduction(np.argmin, "argmin")


def _bool_reduction(fn: Any, name: str) -> Any:
    def op(x: Tensor, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        axis = kw.pop("axis", None)
        keepdim = keepdim_arg(keepdim, kw, name)
        dims = normalize_dims(dim, axis, x.ndim, name)
        return Tensor._wrap(np.asarray(fn(x._data, axis=dims, keepdims=keepdim)))

    op.__name__ = name
    return op


all = _bool_reduction(np.all, "all")  # noqa: A001
any = _bool_reduction(np.any, "any")  # noqa: A001
