"""Helpers shared by the ops: operand conversion, dtype promotion, dims, and ``unbroadcast``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import dtypes
from ember.ops._sums import sum_over
from ember.tensor import Tensor


def as_array(value: Any) -> np.ndarray:
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def as_tensor(value: Any, like: np.ndarray | None = None) -> Tensor:
    """A Tensor for ``value``; Python scalars take ``like``'s dtype where that loses nothing."""
    if isinstance(value, Tensor):
        return value
    if like is not None and isinstance(value, (int, float)):
        kind = like.dtype.kind
        if isinstance(value, bool) or kind == "f" or (isinstance(value, int) and kind in "iu"):
            dtype = like.dtype
        elif isinstance(value, int):
            dtype = np.dtype(np.int64)
        else:
            dtype = dtypes.DEFAULT_FLOAT  # read now: set_default_dtype may change it
        return Tensor._wrap(np.asarray(value, dtype=dtype))
    return Tensor._from_data(value)


def operands(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors of one dtype, promoted as PyTorch does.

    Python scalars adopt the tensor's dtype (an int tensor times 0.5 gives float32); an integer
    tensor meeting a float tensor becomes that float type, never float64.
    """
    if not isinstance(a, Tensor):
        a = as_tensor(a, b._data if isinstance(b, Tensor) else None)
    if not isinstance(b, Tensor):  # both may be numbers: where(cond, 1.0, 0.0)
        b = as_tensor(b, a._data)
    da, db = a._data.dtype, b._data.dtype
    if da != db:
        target = promote_types(da, db)
        if da != target:
            a = cast(a, target)
        if db != target:
            b = cast(b, target)
    return a, b


def promote_types(da: np.dtype, db: np.dtype) -> np.dtype:
    float_a, float_b = da.kind == "f", db.kind == "f"
    if float_a and not float_b:
        return da
    if float_b and not float_a:
        return db
    return np.promote_types(da, db)


def each_for_the_other(inputs: tuple[Tensor, ...]) -> list[Tensor]:
    """Saved tensors of a product (mul, matmul, linear): each of the first two inputs is read only
    for the other's gradient, so it is saved only when the other needs one (as PyTorch saves)."""
    a, b = inputs[0], inputs[1]
    return [t for t, other in ((a, b), (b, a)) if other._requires_grad]


def cast(x: Tensor, target: np.dtype) -> Tensor:
    if x._data.dtype == target:
        return x
    source = x._data.dtype

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g.astype(source),)

    return Tensor._op(x._data.astype(target), (x,), backward, "ToCopyBackward", saved=())


def float_operand(x: Tensor) -> Tensor:
    """Float math (exp, log, /) on an integer tensor happens in the default float type."""
    return x if x._data.dtype.kind == "f" else cast(x, dtypes.DEFAULT_FLOAT)


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` back down to ``shape``: the one place broadcasting is undone."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, size in enumerate(shape) if size == 1 and grad.shape[i + extra] != 1
    )
    # (sum_over drops the summed axes; the reshape puts back the size-1 ones shape keeps.)
    return (sum_over(grad, axes) if axes else grad).reshape(shape)


def normalize_dims(dim: Any, axis: Any, ndim: int, name: str) -> tuple[int, ...] | None:
    """Accept PyTorch's ``dim`` or NumPy's ``axis`` (an int, a tuple, or None for all)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{name}: give dim or axis, not both")
        dim = axis
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = []
    for d in dims:
        d = int(d)
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(
                f"{name}: dimension {d} is out of range for a tensor of {ndim} dims "
                f"(expected in [{-max(ndim, 1)}, {max(ndim, 1) - 1}])"
            )
        if ndim:  # a 0-d tensor's dim 0 or -1 names no axis: reducing over it changes nothing
            out.append(d % ndim)
    return tuple(out)


def keepdim_arg(keepdim: bool, kwargs: dict[str, Any], name: str) -> bool:
    """Merge NumPy's ``keepdims`` into PyTorch's ``keepdim``; reject unknown keywords."""
    if "keepdims" in kwargs:
        keepdim = bool(kwargs.pop("keepdims"))
    if kwargs:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kwargs)}")
    return keepdim


def shape_args(args: tuple[Any, ...]) -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean the shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(int(a) for a in args)
