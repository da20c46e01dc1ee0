"""Indexing (``x[...]``, ``x[...] = v``, ``gather``), ``clone`` and the in-place update rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.autograd.grad_mode import STATE
from ember.ops._util import as_tensor, cast, operands, unbroadcast
from ember.tensor import Tensor


def _convert_index(index: Any) -> Any:
    """Tensors inside an index become arrays; lists become integer or boolean arrays."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(_convert_index(i) for i in index)
    if isinstance(index, list):
        return np.asarray([i._data if isinstance(i, Tensor) else i for i in index])
    return index


def _is_basic(index: Any) -> bool:
    """Basic indexing (ints, slices, None, ...) selects each element at most once."""
    items = index if isinstance(index, tuple) else (index,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
               for i in items)


def _check_bounds(index: Any, shape: tuple[int, ...]) -> None:
    try:
        np.empty(shape, dtype=np.bool_)[index]
    except IndexError as exc:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {list(shape)}: "
                         f"{exc}") from None


def getitem(x: Tensor, index: Any) -> Tensor:
    index = _convert_index(index)
    data = x._data
    try:
        out = data[index]
    except IndexError as exc:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape {list(data.shape)}: "
                         f"{exc}") from None
    basic = _is_basic(index)
    shape = data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(shape, dtype=g.dtype)
        if basic:
            grad[index] = g
        else:
            np.add.at(grad, index, g)  # repeated indices must add up
        return (grad,)

    if basic and isinstance(out, np.ndarray):
        out = out.view()
    return Tensor._op(np.asarray(out), (x,), backward, "IndexBackward")


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """``out[i][j] = x[i][index[i][j]]`` along ``dim`` (PyTorch's gather)."""
    idx = np.asarray(index._data if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor, got {idx.dtype}")
    data = x._data
    out = np.take_along_axis(data, idx, axis=dim)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(data.shape, dtype=g.dtype)
        # Repeated indices must add up, so scatter with add.at over the full index grid.
        full_index = list(np.indices(idx.shape, sparse=True))
        full_index[dim] = idx
        np.add.at(grad, tuple(full_index), g)
        return (grad,)

    return Tensor._op(out, (x,), backward, "GatherBackward")


def clone(x: Tensor) -> Tensor:
    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g,)

    return Tensor._op(x._data.copy(), (x,), backward, "CloneBackward")


def _index_put(old: Tensor, index: Any, value: Tensor) -> Tensor:
    """Out-of-place ``old[index] = value``: the recorded form of ``__setitem__``."""
    out = old._data.copy()
    out[index] = value._data
    value_shape = value._data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        g_old = g.copy()
        g_old[index] = 0
        g_value = None
        if value._requires_grad:
            g_value = unbroadcast(np.broadcast_to(g[index], np.shape(out[index])), value_shape)
        return g_old, g_value

    return Tensor._op(out, (old, value), backward, "IndexPutBackward")


def setitem(x: Tensor, index: Any, value: Any) -> None:
    index = _convert_index(index)
    value = as_tensor(value, x._data)
    if value._data.dtype != x._data.dtype:
        value = cast(value, x._data.dtype)
    try:
        np.broadcast_shapes(np.shape(x._data[index]), value._data.shape)
    except IndexError as exc:
        raise IndexError(f"index {index!r} is invalid for a tensor of shape "
                         f"{list(x._data.shape)}: {exc}") from None
    except ValueError:
        raise ValueError(
            f"setitem: can't assign a value of shape {list(value.shape)} to a selection of "
            f"shape {list(np.shape(x._data[index]))}"
        ) from None
    if STATE.enabled and (x._requires_grad or value._requires_grad):
        _rebase(x, lambda old: _index_put(old, index, value))
    else:
        x._data[index] = value._data
        x._version += 1


def _rebase(x: Tensor, op: Any) -> None:
    """Record an in-place op: ``x`` becomes the op's output; a snapshot stands for its past."""
    if x._node is None and x._requires_grad:
        raise RuntimeError(
            "a leaf tensor that requires grad is being used in an in-place operation; "
            "wrap parameter updates in `with ember.no_grad():`"
        )
    old = Tensor._wrap(x._data)
    old._requires_grad, old._node, old._version = x._requires_grad, x._node, x._version
    result = op(old)
    if result._data.shape != x._data.shape:
        raise ValueError(f"in-place op: the result has shape {list(result._data.shape)} but the "
                         f"tensor it updates has shape {list(x._data.shape)}")
    x._data, x._node, x._requires_grad = result._data, result._node, result._requires_grad
    x._version += 1


_INPLACE_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
                   "pow": np.power}


def inplace(x: Tensor, op: str, other: Any) -> Tensor:
    """``x op= other`` writing into ``x``'s memory (no graph) or recorded out of place."""
    from ember.ops import elementwise

    if STATE.enabled and (x._requires_grad or (isinstance(other, Tensor) and
                                               other._requires_grad)):
        if op == "clamp":
            _rebase(x, lambda old: elementwise.clamp(old, *other))
        elif op == "copy":
            _rebase(x, lambda old: elementwise.add(old * 0, expand_to(other, old)))
        else:
            fn = {"add": elementwise.add, "sub": elementwise.sub, "mul": elementwise.mul,
                  "div": elementwise.div, "pow": elementwise.pow}[op]
            _rebase(x, lambda old: _same_dtype(fn(old, other), old))
        return x
    data = x._data
    if op == "clamp":
        np.clip(data, other[0], other[1], out=data)
    elif op == "copy":
        source = other._data if isinstance(other, Tensor) else other
        try:
            np.copyto(data, np.broadcast_to(source, data.shape), casting="unsafe")
        except ValueError:
            raise ValueError(f"copy_: can't copy shape {list(np.shape(source))} into "
                             f"{list(data.shape)}") from None
    else:
        if op == "div" and data.dtype.kind != "f":
            raise RuntimeError(f"div_: result of true division can't be stored in {x.dtype}")
        a, b = operands(x, other)
        if b._data.dtype != data.dtype:
            b = Tensor._wrap(b._data.astype(data.dtype))
        try:
            _INPLACE_UFUNCS[op](data, b._data, out=data, casting="same_kind")
        except ValueError:
            raise ValueError(
                f"{op}_: a value of shape {list(np.shape(b._data))} can't update a tensor of "
                f"shape {list(data.shape)} in place"
            ) from None
    x._version += 1
    return x


def expand_to(value: Any, like: Tensor) -> Tensor:
    from ember.ops.shape import expand

    value = as_tensor(value, like._data)
    return expand(value, like.shape) if tuple(value.shape) != tuple(like.shape) else value


def _same_dtype(result: Tensor, like: Tensor) -> Tensor:
    return result if result._data.dtype == like._data.dtype else cast(result, like._data.dtype)
