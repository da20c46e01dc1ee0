"""Selecting by index and scattering into positions: index_select, take_along_dim, masked_select,
nonzero, scatter (with sum/prod/mean/amax/amin reductions) and index_add, and their in-place
``_`` forms through the one in-place mechanism (``views.rebase``).

Gradient rules sit under their forwards; the scattered-from values get the upstream gradient
gathered back from the positions they went to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.ops._util import as_tensor, cast
from ember.ops.indexing import gather, getitem
from ember.ops.shape import _dim, expand, reshape
from ember.ops.views import check_writable, rebase, records_inplace
from ember.tensor import Tensor


def _index_array(index: Any, name: str) -> np.ndarray:
    idx = np.asarray(index._data if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index, got {idx.dtype}")
    return idx.astype(np.int64, copy=False)


def _check_range(idx: np.ndarray, size: int, d: int, name: str) -> None:
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx.max() if idx.max() >= size else idx.min()
        raise IndexError(f"{name}: index {bad} is out of bounds for dimension {d} with size "
                         f"{size}")


def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    """The slices of ``x`` along ``dim`` at the positions in the 1-d ``index``."""
    d = _dim(dim, x.ndim, "index_select")
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if x.ndim == 0:
        return reshape(getitem(reshape(x, 1), idx.reshape(-1)), idx.shape)
    _check_range(idx, x.shape[d], d, "index_select")
    return getitem(x, (slice(None),) * d + (idx.reshape(-1),))


def take(x: Tensor, index: Any) -> Tensor:
    """Elements of the flattened ``x`` at ``index`` (the result has ``index``'s shape)."""
    idx = _index_array(index, "take")
    _check_range(idx, x.numel(), 0, "take")
    return getitem(reshape(x, -1), idx)


def take_along_dim(x: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """``gather`` after broadcasting ``x`` and ``indices`` (except along ``dim``); with no
    ``dim``, both are flattened first."""
    idx = _index_array(indices, "take_along_dim")
    if dim is None:
        return gather(reshape(x, -1), 0, idx.reshape(-1))
    d = _dim(dim, x.ndim, "take_along_dim")
    if idx.ndim != x.ndim:
        raise RuntimeError(f"take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {x.ndim} and {idx.ndim}")
    x_shape, i_shape = list(x.shape), list(idx.shape)
    x_shape[d] = i_shape[d] = 1
    common = list(np.broadcast_shapes(tuple(x_shape), tuple(i_shape)))
    x_target, i_target = list(common), list(common)
    x_target[d], i_target[d] = x.shape[d], idx.shape[d]
    source = x if list(x.shape) == x_target else expand(x, x_target)
    return gather(source, d, np.broadcast_to(idx, i_target))


def masked_select(x: Tensor, mask: Any) -> Tensor:
    """The elements of ``x`` where ``mask`` holds, as a 1-d tensor (both broadcast)."""
    mask_data = np.asarray(mask._data if isinstance(mask, Tensor) else mask)
    if mask_data.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask_data.dtype}")
    shape = np.broadcast_shapes(x._data.shape, mask_data.shape)
    source = x if x._data.shape == shape else expand(x, shape)
    return getitem(source, np.broadcast_to(mask_data, shape))


def nonzero(x: Tensor, as_tuple: bool = False) -> Any:
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one per dim."""
    data = x._data if x.ndim else x._data.reshape(1)
    found = np.nonzero(data)
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in found)
    stacked = np.stack(found, axis=1) if found else np.zeros((0, 0))
    if x.ndim == 0:
        stacked = stacked[:, :0]
    return Tensor._wrap(stacked.astype(np.int64))


def argwhere(x: Tensor) -> Tensor:
    return nonzero(x)


# ------------------------------------------------------------------ scatter


def _scatter_index(index: Any, x: Tensor, name: str) -> np.ndarray:
    """The index as an int64 array; a 0-d one is one element in each dim (PyTorch accepts it:
    the tutorials' one-hot ``zeros(10).scatter_(0, tensor(y), value=1)``)."""
    idx = _index_array(index, name)
    return idx.reshape((1,) * x.ndim) if idx.ndim == 0 and x.ndim else idx


def _scatter_positions(x: Tensor, d: int, idx: np.ndarray, name: str) -> tuple[np.ndarray, ...]:
    """The full index tuple that puts element ``i`` of ``idx`` at ``idx[i]`` along ``d``."""
    if idx.ndim != x.ndim:
        raise RuntimeError(f"{name}(): Index tensor must have the same number of dimensions as "
                           f"self tensor")
    for axis, (n_index, n_self) in enumerate(zip(idx.shape, x.shape)):
        if axis != d and n_index > n_self:
            raise RuntimeError(f"{name}(): Expected index {list(idx.shape)} to be smaller than "
                               f"self {list(x.shape)} apart from dimension {d}")
    _check_range(idx, x.shape[d] if x.ndim else 1, d, name)
    positions = list(np.indices(idx.shape, sparse=True))
    positions[d] = idx
    return tuple(positions)


def _source(src: Any, x: Tensor, idx: np.ndarray, name: str) -> Tensor:
    source = as_tensor(src, x._data)
    if source._data.dtype != x._data.dtype:
        if isinstance(src, Tensor):
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        source = cast(source, x._data.dtype)
    if source.ndim == 0:  # a value: fills every indexed position
        return expand(source, idx.shape)
    if any(n_index > n_src for n_index, n_src in zip(idx.shape, source.shape)):
        raise RuntimeError(f"{name}(): Expected index {list(idx.shape)} to be smaller than src "
                           f"{list(source.shape)}")
    if source.shape != idx.shape:  # only the leading part of src that index covers is read
        source = getitem(source, tuple(slice(0, n) for n in idx.shape))
    return source


def scatter(x: Tensor, dim: int, index: Any, src: Any = None, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """A copy of ``x`` with ``src[i]`` (or ``value``) written at ``index[i]`` along ``dim``.

    ``reduce='add'``/``'multiply'`` combine instead of writing (PyTorch's legacy form; see
    ``scatter_reduce`` for the differentiable reductions)."""
    if reduce is not None:
        mapping = {"add": "sum", "multiply": "prod"}
        if reduce not in mapping:
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        return scatter_reduce(x, dim, index, src if src is not None else value, mapping[reduce])
    if (src is None) == (value is None):
        raise TypeError("scatter(): give exactly one of src and value")
    d = _dim(dim, x.ndim, "scatter")
    idx = _scatter_index(index, x, "scatter")
    positions = _scatter_positions(x, d, idx, "scatter")
    source = _source(src if src is not None else value, x, idx, "scatter")
    out = x._data.copy()
    out[positions] = source._data

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g_self = g.copy()
        g_self[positions] = 0
        return g_self, g[positions]

    return Tensor._op(out, (x, source), backward, "ScatterBackward", saved=())


def scatter_add(x: Tensor, dim: int, index: Any, src: Any) -> Tensor:
    """A copy of ``x`` with each ``src[i]`` added at ``index[i]`` along ``dim``."""
    return scatter_reduce(x, dim, index, src, "sum")


_REDUCERS = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum,
             "amin": np.minimum}


def scatter_reduce(x: Tensor, dim: int, index: Any, src: Any, reduce: str,
                   include_self: bool = True) -> Tensor:
    """Combine ``src`` into ``x`` at ``index`` along ``dim`` with ``reduce`` (``'sum'``,
    ``'prod'``, ``'mean'``, ``'amax'``, ``'amin'``); ``include_self=False`` leaves the old values
    of the positions written to out of the reduction."""
    if reduce not in _REDUCERS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    name = "scatter_reduce"
    d = _dim(dim, x.ndim, name)
    idx = _scatter_index(index, x, name)
    positions = _scatter_positions(x, d, idx, name)
    source = _source(src, x, idx, name)
    data, values = x._data, source._data
    hit = np.zeros(data.shape, dtype=bool)
    hit[positions] = True
    counts = np.zeros(data.shape, dtype=np.int64)
    np.add.at(counts, positions, 1)
    start = data.copy()
    if not include_self:  # the reduction's identity where src lands
        identity = {"sum": 0, "mean": 0, "prod": 1,
                    "amax": -np.inf if data.dtype.kind == "f" else np.iinfo(data.dtype).min,
                    "amin": np.inf if data.dtype.kind == "f" else np.iinfo(data.dtype).max}
        start[hit] = identity[reduce]
    out = start.copy()
    _REDUCERS[reduce].at(out, positions, values)
    if reduce == "mean":
        total = counts + (1 if include_self else 0)
        divided = out / np.maximum(total, 1)
        out = np.where(hit, divided if data.dtype.kind == "f" else np.floor(divided),
                       out).astype(data.dtype)
    self_in = hit if not include_self else np.zeros_like(hit)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if reduce in ("sum", "mean"):
            scale = 1 / np.maximum(counts + (1 if include_self else 0), 1) if reduce == "mean" \
                else 1
            g_scaled = g * scale
            return np.where(self_in, 0, g_scaled).astype(g.dtype), g_scaled[positions]
        if reduce == "prod":
            return _prod_grads(g, start, values, out, positions, self_in)
        # amax/amin: the gradient is shared evenly by every value equal to the result.
        self_wins = (start == out) & ~self_in
        value_wins = values == out[positions]
        winners = self_wins.astype(np.int64)
        np.add.at(winners, positions, value_wins)
        share = g / np.maximum(winners, 1)
        return (np.where(self_wins, share, 0).astype(g.dtype),
                np.where(value_wins, share[positions], 0).astype(g.dtype))

    return Tensor._op(out, (x, source), backward, "ScatterReduceBackward", saved=())


def _prod_grads(g: np.ndarray, start: np.ndarray, values: np.ndarray, out: np.ndarray,
                positions: tuple[np.ndarray, ...], self_in: np.ndarray) -> tuple[Any, Any]:
    """Gradients of a scattered product, exact with zeros: each factor's gradient is the product
    of the other factors of its slot (zero when another factor is zero)."""
    zeros = (start == 0).astype(np.int64)
    np.add.at(zeros, positions, (values == 0).astype(np.int64))
    nonzero_product = np.where(start == 0, 1, start).astype(g.dtype)
    np.multiply.at(nonzero_product, positions, np.where(values == 0, 1, values))

    def others(factor: np.ndarray, slot_zeros: np.ndarray, slot_product: np.ndarray) -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):
            without = np.where(factor == 0, slot_product, slot_product / factor)
        excluded_zeros = slot_zeros - (factor == 0)
        return np.where(excluded_zeros > 0, 0, without)

    g_self = np.where(self_in, 0, g * others(start, zeros, nonzero_product))
    g_values = g[positions] * others(values, zeros[positions], nonzero_product[positions])
    return g_self.astype(g.dtype), g_values.astype(g.dtype)


def index_add(x: Tensor, dim: int, index: Any, source: Any, alpha: Any = 1) -> Tensor:
    """A copy of ``x`` with ``alpha * source``'s slices added at the 1-d ``index`` along ``dim``."""
    d = _dim(dim, x.ndim, "index_add")
    idx = _index_array(index, "index_add").reshape(-1)
    _check_range(idx, x.shape[d] if x.ndim else 1, d, "index_add")
    source = as_tensor(source, x._data)
    if source.ndim != x.ndim or (x.ndim and source.shape[d] != idx.size):
        raise RuntimeError(f"index_add_(): source {list(source.shape)} must have dim {d} of size "
                           f"len(index) = {idx.size} and the other dims of self "
                           f"{list(x.shape)}")
    where_to = (slice(None),) * d + (idx,)
    out = x._data.copy()
    np.add.at(out, where_to, source._data * alpha)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return g, g[where_to] * alpha

    return Tensor._op(out, (x, source), backward, "IndexAddBackward", saved=())


def index_fill(x: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """A copy of ``x`` with the slices at ``index`` along ``dim`` set to ``value``."""
    from ember.ops.elementwise import where

    d = _dim(dim, x.ndim, "index_fill")
    idx = _index_array(index, "index_fill").reshape(-1)
    mask = np.zeros(x._data.shape, dtype=bool)
    mask[(slice(None),) * d + (idx,)] = True
    return where(Tensor._wrap(mask), as_tensor(value, x._data), x)


def apply_inplace(x: Tensor, compute: Callable[[Tensor], Tensor], name: str,
                  *others: Any) -> Tensor:
    """``x <- compute(x)`` in ``x``'s memory: recorded for autograd when it must be (through
    ``rebase``), else written directly; the version counter counts it either way."""
    if records_inplace(x, *others):
        return rebase(x, compute, name)
    check_writable(x, name)
    result = compute(x.detach())
    np.copyto(x._data, result._data, casting="unsafe")
    x._version += 1
    return x


def index_put(x: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """A copy of ``x`` with ``values`` written (or, with ``accumulate``, added: repeated
    positions add up) at the tuple of index tensors ``indices``."""
    from ember.ops.indexing import _index_put

    index = tuple(i._data if isinstance(i, Tensor) else np.asarray(i) for i in indices)
    source = as_tensor(values, x._data)
    if source._data.dtype != x._data.dtype:
        source = cast(source, x._data.dtype)
    try:
        selected_shape = np.shape(x._data[index])
        np.broadcast_shapes(selected_shape, source._data.shape)
    except (IndexError, ValueError) as exc:
        raise RuntimeError(f"index_put: values of shape {list(source.shape)} don't fit the "
                           f"indexed positions of a tensor of shape {list(x.shape)}: {exc}"
                           ) from None
    if not accumulate:
        return _index_put(x, index, source)
    out = x._data.copy()
    np.add.at(out, index, np.broadcast_to(source._data, selected_shape))
    source_shape = source._data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from ember.ops._util import unbroadcast

        return g, unbroadcast(g[index], source_shape)

    return Tensor._op(out, (x, source), backward, "IndexPutBackward", saved=())


def masked_scatter(x: Tensor, mask: Any, source: Tensor) -> Tensor:
    """A copy of ``x`` with the positions where ``mask`` holds filled, in order, from the first
    elements of ``source``."""
    mask_data = np.asarray(mask._data if isinstance(mask, Tensor) else mask)
    if mask_data.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_: expected BoolTensor for mask, got "
                           f"{mask_data.dtype}")
    full = np.broadcast_to(mask_data, x._data.shape)
    count = int(full.sum())
    if count > source.numel():
        raise RuntimeError(f"masked_scatter: the mask selects {count} elements but source has "
                           f"only {source.numel()}")
    taken = getitem(reshape(source, -1), slice(0, count))
    return index_put(x, np.nonzero(full), taken)
