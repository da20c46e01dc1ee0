"""Ways to make tensors: from data, filled with a value, as ranges, or at random."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import dtypes
from ember import random as _random
from ember.devices import check_device
from ember.dtypes import to_numpy_dtype
from ember.ops._util import shape_args
from ember.tensor import Tensor


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data``; Python and float64 floats become float32.

    >>> ember.tensor([[1, 2], [3, 4]], dtype=ember.float32, requires_grad=True)
    """
    check_device(device, "tensor")
    return Tensor._from_data(data, dtype=dtype, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    check_device(device, "as_tensor")
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    return Tensor._from_data(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing ``array``'s memory and keeping its dtype (as ``torch.from_numpy``)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects an np.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array)


def _size(size: tuple[Any, ...], kw: dict[str, Any], name: str) -> tuple[int, ...]:
    """The shape from ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``; other keywords refused."""
    if "size" in kw:
        if size:
            raise TypeError(f"{name}() got the size both positionally and as size=")
        size = (kw.pop("size"),)
    if kw:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kw)}")
    return shape_args(size)


def _make(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    if requires_grad:
        t.requires_grad = True
    return t


def _dtype(dtype: Any, default: np.dtype | None = None) -> np.dtype:
    """``dtype`` resolved; when None, ``default`` or else the default float (read now: it can
    be changed by set_default_dtype)."""
    if dtype is not None:
        return to_numpy_dtype(dtype)
    return dtypes.DEFAULT_FLOAT if default is None else default


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
          **kw: Any) -> Tensor:
    check_device(device, "zeros")
    return _make(np.zeros(_size(size, kw, "zeros"), dtype=_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
          **kw: Any) -> Tensor:
    check_device(device, "ones")
    return _make(np.ones(_size(size, kw, "ones"), dtype=_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
          **kw: Any) -> Tensor:
    check_device(device, "empty")
    return _make(np.empty(_size(size, kw, "empty"), dtype=_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    check_device(device, "full")
    if dtype is None:
        default = (np.dtype(bool) if isinstance(fill_value, bool) else
                   np.dtype(np.int64) if isinstance(fill_value, int) else dtypes.DEFAULT_FLOAT)
    else:
        default = to_numpy_dtype(dtype)
    return _make(np.full(shape_args((size,)), fill_value, dtype=default), requires_grad)


def _like(t: Tensor, fill: Any, dtype: Any, requires_grad: bool, device: Any,
          memory_format: Any, name: str) -> Tensor:
    """A new tensor of ``t``'s shape (and dtype unless given), ``fill(shape, dtype)`` inside."""
    check_device(device, name)
    if memory_format not in (None, "preserve_format", "contiguous_format"):
        raise NotImplementedError(f"{name}(memory_format={memory_format!r}): ember tensors have "
                                  "one layout")
    return _make(fill(t._data.shape, _dtype(dtype, t._data.dtype)), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None,
               memory_format: Any = None) -> Tensor:
    return _like(t, np.zeros, dtype, requires_grad, device, memory_format, "zeros_like")


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None,
              memory_format: Any = None) -> Tensor:
    return _like(t, np.ones, dtype, requires_grad, device, memory_format, "ones_like")


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
              device: Any = None, memory_format: Any = None) -> Tensor:
    return _like(t, lambda shape, d: np.full(shape, fill_value, dtype=d), dtype, requires_grad,
                 device, memory_format, "full_like")


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None,
               memory_format: Any = None) -> Tensor:
    return _like(t, np.empty, dtype, requires_grad, device, memory_format, "empty_like")


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """Values from ``start`` up to (not including) ``end``; integers stay int64."""
    check_device(device, "arange")
    if end is None:
        start, end = 0, start
    all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    default = np.dtype(np.int64) if all_int else dtypes.DEFAULT_FLOAT
    return _make(np.arange(start, end, step).astype(_dtype(dtype, default)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    check_device(device, "linspace")
    target = _dtype(dtype)
    if target == np.bool_:
        raise RuntimeError('"linspace_cpu" not implemented for \'Bool\'')
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    return _make(np.linspace(start, end, int(steps)).astype(target), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False,
        device: Any = None) -> Tensor:
    check_device(device, "eye")
    return _make(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False,
         generator: _random.Generator | None = None, device: Any = None,
         **kw: Any) -> Tensor:
    """Uniform samples in [0, 1) from ember's seeded generator."""
    check_device(device, "rand")
    return _make(_random.uniform_array(_size(size, kw, "rand"), 0.0, 1.0, _dtype(dtype), generator),
                 requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False,
          generator: _random.Generator | None = None, device: Any = None,
          **kw: Any) -> Tensor:
    """Standard normal samples from ember's seeded generator."""
    check_device(device, "randn")
    return _make(_random.normal_array(_size(size, kw, "randn"), 0.0, 1.0, _dtype(dtype), generator),
                 requires_grad)


def randint(low: int, high: int | None = None, size: Any = (), dtype: Any = None,
            generator: _random.Generator | None = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers in [low, high); ``randint(high, size)`` starts at zero, as PyTorch."""
    check_device(device, "randint")
    if high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    values = _random.rng(generator).integers(low, high, size=shape_args((size,)))
    return _make(values.astype(_dtype(dtype, np.dtype(np.int64))), requires_grad)


def randint_like(t: Tensor, low: int, high: int | None = None, dtype: Any = None,
                 requires_grad: bool = False, device: Any = None) -> Tensor:
    """``randint`` with ``t``'s shape and dtype; ``randint_like(t, high)`` starts at zero."""
    return randint(low, high, t.shape, dtype=dtype or t.dtype, device=device,
                   requires_grad=requires_grad)


def randperm(n: int, dtype: Any = None, generator: _random.Generator | None = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    check_device(device, "randperm")
    return _make(_random.rng(generator).permutation(n).astype(_dtype(dtype, np.dtype(np.int64))),
                 requires_grad)


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=device)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=device)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None,
           generator: _random.Generator | None = None, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """Normal samples: ``normal(mean, std, size)`` with numbers, or elementwise with tensors for
    ``mean`` and/or ``std`` (broadcast together; the result takes their shape and dtype)."""
    check_device(device, "normal")
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if size is not None:
            raise RuntimeError("normal: size is given by the tensor mean/std; leave size out")
        mean_data, std_data = np.asarray(mean), np.asarray(std)
        shape = np.broadcast_shapes(mean_data.shape, std_data.shape)
        float_dtype = next(a.dtype for a in (mean_data, std_data) if a.dtype.kind == "f")
        if np.any(std_data < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        noise = _random.normal_array(shape, 0.0, 1.0, float_dtype, generator)
        return _make((noise * std_data + mean_data).astype(float_dtype), requires_grad)
    if size is None:
        raise TypeError("normal() with a number mean and std needs size")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _make(_random.normal_array(shape_args((size,)), mean, std, _dtype(dtype), generator),
                 requires_grad)


def bernoulli(probabilities: Tensor, p: float | None = None,
              generator: _random.Generator | None = None) -> Tensor:
    """0/1 samples (``probabilities``' dtype), each 1 with its element's probability (or ``p``)."""
    data = probabilities._data
    chance = data if p is None else np.full(data.shape, p)
    if chance.size and (np.nanmin(chance) < 0 or np.nanmax(chance) > 1):
        raise RuntimeError("bernoulli: expects 0 <= p <= 1")
    draws = _random.rng(generator).random(size=data.shape) < chance
    return Tensor._wrap(draws.astype(data.dtype))


def multinomial(weights: Tensor, num_samples: int, replacement: bool = False,
                generator: _random.Generator | None = None) -> Tensor:
    """Indices (int64) drawn from each row of non-negative ``weights`` (1-d or 2-d)."""
    data = np.asarray(weights._data, dtype=np.float64)
    if data.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got {data.ndim}")
    rows = data.reshape(-1, data.shape[-1])
    if np.any(rows < 0) or not np.all(np.isfinite(rows)):
        raise RuntimeError("multinomial: probability tensor contains either inf, nan or "
                           "element < 0")
    if np.any(rows.sum(axis=1) <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities "
                           "<= 0)")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           "without replacement")
    stream = _random.rng(generator)
    if replacement:
        cumulative = np.cumsum(rows, axis=1)
        cumulative /= cumulative[:, -1:]
        draws = stream.random((rows.shape[0], num_samples))
        picks = (draws[:, :, None] >= cumulative[:, None, :]).sum(axis=2)
        picks = np.minimum(picks, rows.shape[1] - 1)
    else:  # weighted sampling without replacement: the largest keys u ** (1 / w) (Efraimidis)
        with np.errstate(divide="ignore"):
            keys = np.log(stream.random(rows.shape)) / rows
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor._wrap(picks.reshape(data.shape[:-1] + (num_samples,)).astype(np.int64))
