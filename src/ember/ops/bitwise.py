"""Bitwise ops on integer and bool tensors (``&``, ``|``, ``^``, ``~``, ``<<``, ``>>``).

Integers keep their integer dtype and bools stay bool, as in PyTorch; floats are refused with
PyTorch's RuntimeError. None of them has a gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.ops._util import operands
from ember.ops.elementwise import _binary
from ember.tensor import Tensor


def _check_integral(name: str, *tensors: Tensor) -> None:
    for t in tensors:
        if t._data.dtype.kind not in "iub":
            raise RuntimeError(f'"{name}_cpu" not implemented for \'{t.dtype}\': bitwise ops '
                               "take integer or bool tensors")


def _bitwise(name: str, fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
             bools: bool = True) -> Callable[[Any, Any], Tensor]:
    def op(a: Any, b: Any) -> Tensor:
        a, b = operands(a, b)
        _check_integral(name, a, b)
        if not bools and a._data.dtype == np.bool_:
            raise RuntimeError(f'"{name}_cpu" not implemented for \'Bool\'')
        return Tensor._wrap(np.asarray(_binary(name, fn, a, b)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors (PyTorch's ``torch.{name}``)."
    return op


bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", np.left_shift, bools=False)
bitwise_right_shift = _bitwise("bitwise_right_shift", np.right_shift, bools=False)


def bitwise_not(x: Tensor) -> Tensor:
    _check_integral("bitwise_not", x)
    return Tensor._wrap(np.invert(x._data))


def view_as_dtype(x: Tensor, dtype: Any) -> Tensor:
    """``x.view(dtype)``: the same bytes read as ``dtype`` (the last dim rescales when the item
    sizes differ, as PyTorch's). Not differentiable."""
    from ember.dtypes import to_numpy_dtype

    target = to_numpy_dtype(dtype)
    data = x._data
    if target.itemsize != data.dtype.itemsize:
        if data.ndim == 0:
            raise RuntimeError("self.dim() cannot be 0 to view a tensor as a dtype of a different "
                               "size")
        if (data.shape[-1] * data.dtype.itemsize) % target.itemsize:
            raise RuntimeError(f"self.size(-1) must be divisible by "
                               f"{target.itemsize // data.dtype.itemsize or 1} to view "
                               f"{x.dtype} as {dtype}")
    return Tensor._wrap(np.ascontiguousarray(data).view(target))
