"""Indexing (``x[...]``, ``x[...] = v``, ``gather``), ``clone`` and the in-place update rules."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.ops._util import as_tensor, cast, operands, unbroadcast
from ember.ops.views import check_writable, make_view, rebase, records_inplace
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


def _integers_first(index: Any) -> tuple[Any, Any] | None:
    """PyTorch applies integer indices before index tensors (``x[0, :, [1, 2]]`` has shape
    (3, 2) for x of shape (2, 3, 4); NumPy's rule gives (2, 3)): when an index mixes both, the
    (basic) integer part and the rest, to apply one after the other; else None."""
    if type(index) is not tuple or len(index) < 2:  # the common case, checked cheaply
        return None
    has_int = has_array = False
    for item in index:
        if isinstance(item, np.ndarray):
            has_array = has_array or item.ndim > 0
        elif isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            has_int = True
    if not (has_int and has_array):
        return None
    items = index
    first: list[Any] = []
    rest: list[Any] = []
    for item in items:
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            first.append(item)
        elif item is None:
            rest.append(item)
        elif item is Ellipsis:
            first.append(item)
            rest.append(item)
        else:
            dims = item.ndim if isinstance(item, np.ndarray) and item.dtype == np.bool_ else 1
            first.extend([slice(None)] * dims)
            rest.append(item)
    return tuple(first), tuple(rest)


def getitem(x: Tensor, index: Any) -> Tensor:
    index = _convert_index(index)
    split = _integers_first(index)
    if split is not None:
        return getitem(getitem(x, split[0]), split[1])
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

    result = Tensor._op(np.asarray(out), (x,), backward, "IndexBackward", saved=(), ctx=index)
    if basic and isinstance(out, np.ndarray):
        make_view(result, x, lambda array: array[index])
    return result


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """``out[i][j] = x[i][index[i][j]]`` along ``dim`` (PyTorch's gather)."""
    idx = np.asarray(index._data if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor, got {idx.dtype}")
    data = x._data
    dim = dim % max(data.ndim, 1)
    if idx.ndim != data.ndim or any(n > m for d, (n, m) in enumerate(zip(idx.shape, data.shape))
                                    if d != dim):
        raise RuntimeError(f"gather(): Size does not match: index {list(idx.shape)} must have "
                           f"the input's {data.ndim} dims and be no larger than input "
                           f"{list(data.shape)} apart from dimension {dim}")
    if idx.size and (idx.min() < 0 or idx.max() >= data.shape[dim]):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise RuntimeError(f"gather(): index {bad} is out of bounds for dimension "
                           f"{dim} with size {data.shape[dim]}")
    # An index smaller than the input along other dims reads the leading part there (PyTorch).
    leading = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(idx.shape))
    out = np.take_along_axis(data[leading], idx, axis=dim)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(data.shape, dtype=g.dtype)
        # Repeated indices must add up, so scatter with add.at over the full index grid.
        full_index = list(np.indices(idx.shape, sparse=True))
        full_index[dim] = idx
        np.add.at(grad, tuple(full_index), g)
        return (grad,)

    return Tensor._op(out, (x,), backward, "GatherBackward", saved=())


def clone(x: Tensor) -> Tensor:
    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g,)

    return Tensor._op(x._data.copy(), (x,), backward, "CloneBackward", saved=())


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

    return Tensor._op(out, (old, value), backward, "IndexPutBackward", saved=())


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
        raise RuntimeError(
            f"setitem: can't assign a value of shape {list(value.shape)} to a selection of "
            f"shape {list(np.shape(x._data[index]))}"
        ) from None
    if records_inplace(x, value):
        rebase(x, lambda old: _index_put(old, index, value), "setitem")
    else:
        check_writable(x, "setitem")
        x._data[index] = value._data
        x._version += 1


_INPLACE_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
                   "pow": np.power}


def inplace(x: Tensor, op: str, other: Any) -> Tensor:
    """``x op= other`` written into ``x``'s memory; recorded for autograd when it must be.

    ``op`` is an arithmetic name (``add``, ``sub``, ``mul``, ``div``, ``pow``), ``clamp`` (other is
    ``(min, max)``), ``copy`` (``copy_``/``fill_``/``zero_``: the old values get a zero gradient)
    or ``masked_fill`` (other is ``(mask, value)``).
    """
    from ember.ops import elementwise

    name = f"{op}_"
    if records_inplace(x, *(other if op in ("clamp", "masked_fill") else (other,))):
        if op == "clamp":
            rebase(x, lambda old: elementwise.clamp(old, *other), name)
        elif op == "copy":
            rebase(x, lambda old: _copy_into(old, other), name)
        elif op == "masked_fill":
            rebase(x, lambda old: elementwise.masked_fill(old, *other), name)
        else:
            fn = {"add": elementwise.add, "sub": elementwise.sub, "mul": elementwise.mul,
                  "div": elementwise.div, "pow": elementwise.pow}[op]
            rebase(x, lambda old: _same_dtype(fn(old, other), old), name)
        return x
    check_writable(x, name)
    data = x._data
    if op == "clamp":
        np.clip(data, other[0], other[1], out=data)
    elif op == "copy":
        source = other._data if isinstance(other, Tensor) else other
        try:
            np.copyto(data, np.broadcast_to(source, data.shape), casting="unsafe")
        except ValueError:
            raise RuntimeError(f"copy_: the source of shape {list(np.shape(source))} can't be "
                               f"broadcast to the destination's shape {list(data.shape)}") from None
    elif op == "masked_fill":
        mask, value = other
        np.copyto(data, np.asarray(value._data if isinstance(value, Tensor) else value),
                  where=np.broadcast_to(np.asarray(mask._data if isinstance(mask, Tensor)
                                                   else mask, dtype=bool), data.shape),
                  casting="unsafe")
    else:
        if op == "div" and data.dtype.kind != "f":
            raise RuntimeError(f"div_: result of true division can't be stored in {x.dtype}")
        a, b = operands(x, other)
        if b._data.dtype != data.dtype:
            b = Tensor._wrap(b._data.astype(data.dtype))
        try:
            _INPLACE_UFUNCS[op](data, b._data, out=data, casting="same_kind")
        except ValueError:
            raise RuntimeError(
                f"{op}_: a value of shape {list(np.shape(b._data))} can't update a tensor of "
                f"shape {list(data.shape)} in place"
            ) from None
    x._version += 1
    return x


def _copy_into(old: Tensor, source: Any) -> Tensor:
    """The recorded ``copy_``: the new values are ``source``'s; the old ones get zero gradient."""
    source = as_tensor(source, old._data)
    shape = old._data.shape
    try:
        values = np.broadcast_to(source._data, shape).astype(old._data.dtype)
    except ValueError:
        raise RuntimeError(f"copy_: the source of shape {list(source.shape)} can't be broadcast "
                           f"to the destination's shape {list(shape)}") from None
    source_shape = source._data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros_like(g), unbroadcast(g, source_shape)

    return Tensor._op(values, (old, source), backward, "CopyBackwards", saved=())


def expand_to(value: Any, like: Tensor) -> Tensor:
    from ember.ops.shape import expand

    value = as_tensor(value, like._data)
    return expand(value, like.shape) if tuple(value.shape) != tuple(like.shape) else value


def _same_dtype(result: Tensor, like: Tensor) -> Tensor:
    return result if result._data.dtype == like._data.dtype else cast(result, like._data.dtype)
