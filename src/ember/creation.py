"""Ways to make tensors: from data, filled with a value, as ranges, or at random."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import random as _random
from ember.devices import check_device
from ember.dtypes import DEFAULT_FLOAT, to_numpy_dtype
from ember.ops._util import shape_args
from ember.tensor import Tensor


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data``; Python and float64 floats become float32.

    >>> ember.tensor([[1, 2], [3, 4]], dtype=ember.float32, requires_grad=True)
    """
    check_device(device, "tensor")
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    return Tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and keeping its dtype (as ``torch.from_numpy``)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array)


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    if requires_grad:
        t.requires_grad = True
    return t


def _dtype(dtype: Any, default: np.dtype = DEFAULT_FLOAT) -> np.dtype:
    return default if dtype is None else to_numpy_dtype(dtype)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    check_device(device, "zeros")
    return _make(np.zeros(shape_args(size), dtype=_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    check_device(device, "ones")
    return _make(np.ones(shape_args(size), dtype=_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    check_device(device, "empty")
    return _make(np.empty(shape_args(size), dtype=_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    check_device(device, "full")
    if dtype is None:
        default = (np.dtype(bool) if isinstance(fill_value, bool) else
                   np.dtype(np.int64) if isinstance(fill_value, int) else DEFAULT_FLOAT)
    else:
        default = to_numpy_dtype(dtype)
    return _make(np.full(shape_args((size,)), fill_value, dtype=default), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(t._data.shape, dtype=_dtype(dtype, t._data.dtype)), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(t._data.shape, dtype=_dtype(dtype, t._data.dtype)), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.full(t._data.shape, fill_value, dtype=_dtype(dtype, t._data.dtype)),
                 requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.empty(t._data.shape, dtype=_dtype(dtype, t._data.dtype)), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """Values from ``start`` up to (not including) ``end``; integers stay int64."""
    check_device(device, "arange")
    if end is None:
        start, end = 0, start
    all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    default = np.dtype(np.int64) if all_int else DEFAULT_FLOAT
    return _make(np.arange(start, end, step).astype(_dtype(dtype, default)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    check_device(device, "linspace")
    return _make(np.linspace(start, end, int(steps)).astype(_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False,
        device: Any = None) -> Tensor:
    check_device(device, "eye")
    return _make(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False,
         generator: _random.Generator | None = None, device: Any = None) -> Tensor:
    """Uniform samples in [0, 1) from ember's seeded generator."""
    check_device(device, "rand")
    return _make(_random.uniform_array(shape_args(size), 0.0, 1.0, _dtype(dtype), generator),
                 requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False,
          generator: _random.Generator | None = None, device: Any = None) -> Tensor:
    """Standard normal samples from ember's seeded generator."""
    check_device(device, "randn")
    return _make(_random.normal_array(shape_args(size), 0.0, 1.0, _dtype(dtype), generator),
                 requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None,
            generator: _random.Generator | None = None, device: Any = None) -> Tensor:
    """Integers in [low, high); ``randint(high, size)`` starts at zero, as PyTorch."""
    if high is None:
        low, high = 0, low
    values = _random.rng(generator).integers(low, high, size=shape_args((size,)))
    return _make(values.astype(_dtype(dtype, np.dtype(np.int64))), False)


def randperm(n: int, dtype: Any = None, generator: _random.Generator | None = None,
             device: Any = None) -> Tensor:
    check_device(device, "randperm")
    return _make(_random.rng(generator).permutation(n).astype(_dtype(dtype, np.dtype(np.int64))),
                 False)


def rand_like(t: Tensor, dtype: Any = None) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype)


def randn_like(t: Tensor, dtype: Any = None) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype)


def normal(mean: float, std: float, size: Any,
           generator: _random.Generator | None = None) -> Tensor:
    return _make(_random.normal_array(shape_args((size,)), mean, std, DEFAULT_FLOAT, generator),
                 False)
