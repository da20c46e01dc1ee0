"""Keras's core ops for slicing, scattering and control flow (``keras.ops.core``), eager on
ember: loops are Python loops, ``cond`` calls one branch."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ember import ops as _ops
from ember.keras.ops.core import _t
from ember.tensor import Tensor


def slice(inputs: Any, start_indices: Sequence[Any], shape: Sequence[int]) -> Tensor:  # noqa: A001
    """The block of ``shape`` starting at ``start_indices``."""
    t = _t(inputs)
    starts = [int(s) for s in start_indices]
    return _ops.getitem(t, tuple(builtins.slice(s, s + n) for s, n in zip(starts, shape)))


def slice_update(inputs: Any, start_indices: Sequence[Any], updates: Any) -> Tensor:
    """A copy of ``inputs`` with ``updates`` written at ``start_indices`` (differentiable)."""
    t, values = _t(inputs), _t(updates)
    starts = [int(s) for s in start_indices]
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, values.shape))
    mask = np.zeros(t.shape, dtype=bool)
    mask[index] = True
    padded = _ops.pad(values, [p for s, n, size in reversed(list(zip(starts, values.shape,
                                                                      t.shape)))
                               for p in (s, size - s - n)])
    return _ops.where(Tensor._wrap(mask), padded, t)


def scatter(indices: Any, values: Any, shape: Sequence[int]) -> Tensor:
    """Zeros of ``shape`` with ``values`` added at the (N, k) ``indices`` (repeats add up)."""
    idx = np.asarray(_t(indices)._data, dtype=np.int64)
    vals = _t(values)
    out = Tensor._wrap(np.zeros(tuple(shape), dtype=vals._data.dtype))
    flat = np.ravel_multi_index(tuple(idx[:, k] for k in range(idx.shape[1])),
                                tuple(shape[:idx.shape[1]]))
    rows = _ops.reshape(out, (-1,) + tuple(shape[idx.shape[1]:]))
    rows = _ops.index_add(rows, 0, Tensor._wrap(flat), _ops.reshape(
        vals, (-1,) + tuple(shape[idx.shape[1]:])))
    return _ops.reshape(rows, tuple(shape))


def scatter_update(inputs: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``inputs`` with the elements at the (N, k) ``indices`` set to ``updates``."""
    t = _t(inputs)
    idx = np.asarray(_t(indices)._data, dtype=np.int64)
    position = tuple(idx[:, k] for k in range(idx.shape[1]))
    from ember.ops.indexing import _index_put

    return _index_put(t, position, _ops.cast(_t(updates), t._data.dtype))


def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    return true_fn() if bool(_t(pred).item() if isinstance(pred, Tensor) else pred) else \
        false_fn()


def fori_loop(lower: int, upper: int, body_fun: Callable[[int, Any], Any],
              init_val: Any) -> Any:
    value = init_val
    for i in range(int(lower), int(upper)):
        value = body_fun(i, value)
    return value


def while_loop(cond: Callable[..., Any], body: Callable[..., Any], loop_vars: Any,  # noqa: A002
               maximum_iterations: int | None = None) -> Any:
    single = not isinstance(loop_vars, (tuple, list))
    values = (loop_vars,) if single else tuple(loop_vars)
    count = 0
    while bool(cond(*values)) and (maximum_iterations is None or count < maximum_iterations):
        values = body(*values)
        values = (values,) if single else tuple(values)
        count += 1
    return values[0] if single else values


def map(f: Callable[[Any], Any], xs: Any) -> Any:  # noqa: A001 - Keras's name
    """``f`` applied to each slice of ``xs`` along dim 0, stacked."""
    return _ops.stack([f(x) for x in _t(xs)], 0)


def vectorized_map(function: Callable[[Any], Any], elements: Any) -> Any:
    """``function`` on each element along dim 0, stacked (a loop in ember)."""
    return map(function, elements)


__all__ = ["cond", "fori_loop", "map", "scatter", "scatter_update", "slice", "slice_update",
           "vectorized_map", "while_loop"]
