"""Keras's NumPy-like ops (``keras.ops.numpy`` and ``keras.ops.core``) on ember tensors."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

import ember
from ember import ops as _ops
from ember.dtypes import to_numpy_dtype
from ember.tensor import Tensor


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None) -> Tensor:
    """An ember tensor for ``x``: tensors pass through (cast to ``dtype`` if given), NumPy arrays
    keep their dtype, Python floats become float32 and ints int32 (Keras's standard types)."""
    if sparse:
        raise NotImplementedError("convert_to_tensor(sparse=True): ember has no sparse tensors")
    if isinstance(x, Tensor):
        return x if dtype is None else _ops.cast(x, to_numpy_dtype(dtype))
    if isinstance(x, (np.ndarray, np.generic)):
        array = np.asarray(x)
    else:
        array = np.asarray(x)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        elif array.dtype == np.int64:
            array = array.astype(np.int32)
    if dtype is not None:
        array = array.astype(to_numpy_dtype(dtype))
    return Tensor._wrap(np.array(array, copy=True))


def convert_to_numpy(x: Any) -> np.ndarray:
    return np.array(x.detach()._data if isinstance(x, Tensor) else x)


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _floats(x: Any) -> Tensor:
    """Keras computes means, exps and the like of integers in float32."""
    t = _t(x)
    return t if t._data.dtype.kind == "f" else _ops.cast(t, np.dtype(np.float32))


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def shape(x: Any) -> tuple[int, ...]:
    return tuple(_t(x).shape)


def ndim(x: Any) -> int:
    return _t(x).ndim


def size(x: Any) -> int:
    return _t(x).numel()


def dtype(x: Any) -> str:
    return _t(x)._data.dtype.name


def cast(x: Any, dtype: Any) -> Tensor:
    return _ops.cast(_t(x), to_numpy_dtype(dtype))


def stop_gradient(x: Any) -> Tensor:
    return _t(x).detach()


# ------------------------------------------------------------------ creation
def zeros(shape: Any, dtype: Any = None) -> Tensor:
    return ember.zeros(shape, dtype=dtype or "float32")


def ones(shape: Any, dtype: Any = None) -> Tensor:
    return ember.ones(shape, dtype=dtype or "float32")


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    return ember.full(shape, fill_value, dtype=dtype or "float32")


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    return ember.zeros_like(_t(x), dtype=dtype)


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    return ember.ones_like(_t(x), dtype=dtype)


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    return ember.full_like(_t(x), fill_value, dtype=dtype)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> Tensor:
    made = ember.arange(start, stop, step, dtype=dtype)
    if dtype is None and made._data.dtype == np.int64:
        return _ops.cast(made, np.dtype(np.int32))
    return made


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
             axis: int = 0) -> Tensor:
    if not endpoint or axis != 0:
        return convert_to_tensor(np.linspace(start, stop, num, endpoint=endpoint, axis=axis),
                                 dtype or "float32")
    return ember.linspace(start, stop, num, dtype=dtype or "float32")


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    return convert_to_tensor(np.eye(N, M, k), dtype or "float32")


identity = eye


# ------------------------------------------------------------------ elementwise
def add(x1: Any, x2: Any) -> Tensor:
    return _ops.add(_t(x1), _t(x2))


def subtract(x1: Any, x2: Any) -> Tensor:
    return _ops.sub(_t(x1), _t(x2))


def multiply(x1: Any, x2: Any) -> Tensor:
    return _ops.mul(_t(x1), _t(x2))


def divide(x1: Any, x2: Any) -> Tensor:
    return _ops.div(_t(x1), _t(x2))


true_divide = divide


def floor_divide(x1: Any, x2: Any) -> Tensor:
    return _ops.floor_divide(_t(x1), _t(x2))


def mod(x1: Any, x2: Any) -> Tensor:
    return _ops.remainder(_t(x1), _t(x2))


def power(x1: Any, x2: Any) -> Tensor:
    return _ops.pow(_t(x1), _t(x2))


def negative(x: Any) -> Tensor:
    return _ops.neg(_t(x))


def maximum(x1: Any, x2: Any) -> Tensor:
    return _ops.maximum(_t(x1), _t(x2))


def minimum(x1: Any, x2: Any) -> Tensor:
    return _ops.minimum(_t(x1), _t(x2))


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    return _ops.clamp(_t(x), x_min, x_max)


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    if x1 is None and x2 is None:
        return _ops.nonzero(_t(condition), as_tuple=True)
    return _ops.where(_t(condition), _t(x1), _t(x2))


def _unary(name: str, fn: Any, floats: bool = True) -> Any:
    def op(x: Any) -> Tensor:
        return fn(_floats(x) if floats else _t(x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Keras's ``ops.{name}``."
    return op


exp = _unary("exp", _ops.exp)
expm1 = _unary("expm1", _ops.expm1)
log = _unary("log", _ops.log)
log1p = _unary("log1p", _ops.log1p)
log2 = _unary("log2", _ops.log2)
log10 = _unary("log10", _ops.log10)
sqrt = _unary("sqrt", _ops.sqrt)
rsqrt = _unary("rsqrt", _ops.rsqrt)
sin = _unary("sin", _ops.sin)
cos = _unary("cos", _ops.cos)
tan = _unary("tan", _ops.tan)
arcsin = _unary("arcsin", _ops.asin)
arccos = _unary("arccos", _ops.acos)
arctan = _unary("arctan", _ops.atan)
sinh = _unary("sinh", _ops.sinh)
cosh = _unary("cosh", _ops.cosh)
tanh = _unary("tanh", _ops.tanh)
arcsinh = _unary("arcsinh", _ops.asinh)
arccosh = _unary("arccosh", _ops.acosh)
arctanh = _unary("arctanh", _ops.atanh)
erf = _unary("erf", _ops.erf_op)
erfinv = _unary("erfinv", _ops.erfinv)
abs = _unary("abs", _ops.abs, floats=False)  # noqa: A001 - Keras's name
absolute = abs
square = _unary("square", _ops.square, floats=False)
sign = _unary("sign", _ops.sign, floats=False)
floor = _unary("floor", _ops.floor, floats=False)
ceil = _unary("ceil", _ops.ceil, floats=False)
trunc = _unary("trunc", _ops.trunc, floats=False)
reciprocal = _unary("reciprocal", _ops.reciprocal)
isnan = _unary("isnan", _ops.isnan, floats=False)
isinf = _unary("isinf", _ops.isinf, floats=False)
isfinite = _unary("isfinite", _ops.isfinite, floats=False)
logical_not = _unary("logical_not", _ops.logical_not, floats=False)


def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001 - Keras's name
    if decimals:
        scale = 10.0**decimals
        return _ops.round(_floats(x) * scale) / scale
    return _ops.round(_t(x))


def arctan2(x1: Any, x2: Any) -> Tensor:
    return _ops.atan2(_floats(x1), _floats(x2))


def logaddexp(x1: Any, x2: Any) -> Tensor:
    return _ops.logaddexp(_floats(x1), _floats(x2))


def nan_to_num(x: Any, nan: float = 0.0, posinf: Any = None, neginf: Any = None) -> Tensor:
    return _ops.nan_to_num(_t(x), nan, posinf, neginf)


def _compare(name: str, fn: Any) -> Any:
    def op(x1: Any, x2: Any) -> Tensor:
        return fn(_t(x1), _t(x2))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Keras's ``ops.{name}``: elementwise, broadcast, bool result."
    return op


equal = _compare("equal", _ops.eq)
not_equal = _compare("not_equal", _ops.ne)
less = _compare("less", _ops.lt)
less_equal = _compare("less_equal", _ops.le)
greater = _compare("greater", _ops.gt)
greater_equal = _compare("greater_equal", _ops.ge)
logical_and = _compare("logical_and", _ops.logical_and)
logical_or = _compare("logical_or", _ops.logical_or)
logical_xor = _compare("logical_xor", _ops.logical_xor)


def isclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8,
            equal_nan: bool = False) -> Tensor:
    return _ops.isclose(_t(x1), _t(x2), rtol, atol, equal_nan)


# ------------------------------------------------------------------ reductions
def _reduction(name: str, fn: Any, floats: bool = False) -> Any:
    def op(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
        t = _floats(x) if floats else _t(x)
        return fn(t, axis, keepdims)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Keras's ``ops.{name}(x, axis=None, keepdims=False)``."
    return op


mean = _reduction("mean", _ops.mean, floats=True)
sum = _reduction("sum", _ops.sum)  # noqa: A001 - Keras's name
prod = _reduction("prod", _ops.prod)
max = _reduction("max", _ops.amax)  # noqa: A001
min = _reduction("min", _ops.amin)  # noqa: A001
amax, amin = max, min
all = _reduction("all", _ops.all)  # noqa: A001
any = _reduction("any", _ops.any)  # noqa: A001
logsumexp = _reduction("logsumexp", _ops.logsumexp, floats=True)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The population variance (no correction), as NumPy and Keras."""
    return _ops.var(_floats(x), axis, keepdim=keepdims, correction=0)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _ops.std(_floats(x), axis, keepdim=keepdims, correction=0)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return _ops.cast(_ops.argmax(_t(x), axis, keepdims), np.dtype(np.int32))


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return _ops.cast(_ops.argmin(_t(x), axis, keepdims), np.dtype(np.int32))


def average(x: Any, axis: Any = None, weights: Any = None) -> Tensor:
    if weights is None:
        return mean(x, axis)
    w = _floats(weights)
    t = _floats(x)
    if axis is not None and w.ndim == 1 and t.ndim > 1:
        shape = [1] * t.ndim
        shape[axis] = -1
        w = _ops.reshape(w, shape)
    return _ops.sum(t * w, axis) / _ops.sum(_ops.expand(w, t.shape) if w.shape != t.shape
                                            else w, axis)


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    t = _t(x)
    if axis is None:
        t, axis = _ops.reshape(t, -1), 0
    return _ops.cumsum(t, axis, dtype)


def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    t = _t(x)
    if axis is None:
        t, axis = _ops.reshape(t, -1), 0
    return _ops.cumprod(t, axis, dtype)


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A002
    return ember.linalg.norm(_floats(x), ord, axis, keepdims)


def count_nonzero(x: Any, axis: Any = None) -> Tensor:
    return _ops.cast(_ops.count_nonzero(_t(x), axis), np.dtype(np.int32))


# ------------------------------------------------------------------ shapes
def reshape(x: Any, newshape: Any) -> Tensor:
    return _ops.reshape(_t(x), newshape)


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    t = _t(x)
    return _ops.permute(t, tuple(reversed(range(t.ndim))) if axes is None else tuple(axes))


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    return _ops.transpose(_t(x), axis1, axis2)


def moveaxis(x: Any, source: Any, destination: Any) -> Tensor:
    return _ops.movedim(_t(x), source, destination)


def expand_dims(x: Any, axis: int) -> Tensor:
    return _ops.unsqueeze(_t(x), axis)


def squeeze(x: Any, axis: Any = None) -> Tensor:
    return _ops.squeeze(_t(x), axis)


def broadcast_to(x: Any, shape: Any) -> Tensor:
    return _ops.expand(_t(x), tuple(shape))


def concatenate(xs: Sequence[Any], axis: int = 0) -> Tensor:
    return _ops.cat([_t(x) for x in xs], axis)


def stack(x: Sequence[Any], axis: int = 0) -> Tensor:
    return _ops.stack([_t(v) for v in x], axis)


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    t = _t(x)
    if isinstance(indices_or_sections, int):
        return list(_ops.split(t, t.shape[axis] // indices_or_sections, axis))
    bounds = [0, *indices_or_sections, t.shape[axis]]
    return list(_ops.split(t, [b - a for a, b in zip(bounds, bounds[1:])], axis))


def tile(x: Any, repeats: Any) -> Tensor:
    t = _t(x)
    reps = (repeats,) if isinstance(repeats, int) else tuple(repeats)
    reps = (1,) * builtins.max(t.ndim - len(reps), 0) + reps
    return _ops.repeat(t, reps)


def repeat(x: Any, repeats: Any, axis: int | None = None) -> Tensor:
    return _ops.repeat_interleave(_t(x), repeats, axis)


def flip(x: Any, axis: Any = None) -> Tensor:
    t = _t(x)
    return _ops.flip(t, tuple(range(t.ndim)) if axis is None else axis)


def roll(x: Any, shift: Any, axis: Any = None) -> Tensor:
    return _ops.roll(_t(x), shift, axis)


def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Tensor:
    t = _t(x)
    widths = [(p, p) if isinstance(p, int) else tuple(p) for p in
              (pad_width if isinstance(pad_width[0], (list, tuple)) else [pad_width] * t.ndim)]
    flat = [v for before, after in reversed(widths) for v in (before, after)]
    return _ops.pad(t, flat, mode, constant_values)


def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    t, idx = _t(x), _t(indices)
    if axis is None:
        return _ops.take(t, idx)
    picked = _ops.index_select(t, axis, _ops.reshape(idx, -1))
    d = axis % t.ndim
    return _ops.reshape(picked, t.shape[:d] + tuple(idx.shape) + t.shape[d + 1:])


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    return _ops.take_along_dim(_t(x), _t(indices), axis)


def tril(x: Any, k: int = 0) -> Tensor:
    return _ops.tril(_t(x), k)


def triu(x: Any, k: int = 0) -> Tensor:
    return _ops.triu(_t(x), k)


def diag(x: Any, k: int = 0) -> Tensor:
    return _ops.diag(_t(x), k)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    return _ops.diagonal(_t(x), offset, axis1, axis2)


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    return _ops.sum(diagonal(x, offset, axis1, axis2), -1)


# ------------------------------------------------------------------ linear algebra
def matmul(x1: Any, x2: Any) -> Tensor:
    return _ops.matmul(_t(x1), _t(x2))


def dot(x1: Any, x2: Any) -> Tensor:
    a, b = _t(x1), _t(x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1 or a.ndim == 1:
        return _ops.matmul(a, b)
    return _ops.tensordot(a, b, ([a.ndim - 1], [b.ndim - 2]))


def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Tensor:
    return _ops.tensordot(_t(x1), _t(x2), axes)


def outer(x1: Any, x2: Any) -> Tensor:
    return _ops.einsum("i,j->ij", _ops.reshape(_t(x1), -1), _ops.reshape(_t(x2), -1))


def einsum(subscripts: str, *operands: Any) -> Tensor:
    return _ops.einsum(subscripts, *[_t(o) for o in operands])


# ------------------------------------------------------------------ sorting and searching
def sort(x: Any, axis: int = -1) -> Tensor:
    return _ops.sort(_t(x), axis).values


def argsort(x: Any, axis: int = -1) -> Tensor:
    return _ops.cast(_ops.argsort(_t(x), axis, stable=True), np.dtype(np.int32))


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:  # noqa: A002
    values, indices = _ops.topk(_t(x), k, -1, True, sorted)
    return values, _ops.cast(indices, np.dtype(np.int32))


def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> Tensor:
    return _ops.cast(_ops.searchsorted(_t(sorted_sequence), _t(values), side=side),
                     np.dtype(np.int32))


def unique(x: Any) -> Tensor:
    return _ops.unique(_t(x))


def bincount(x: Any, weights: Any = None, minlength: int = 0) -> Tensor:
    return _ops.bincount(_t(x), weights, minlength)


__all__ = [name for name in dir() if not name.startswith("_") and name not in (
    "annotations", "builtins", "Any", "Sequence", "Tensor", "np", "ember",
    "to_numpy_dtype")]
