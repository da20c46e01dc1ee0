"""``default_collate``: turn a list of samples into one batch, structure by structure."""

from __future__ import annotations

import collections.abc
from typing import Any

import numpy as np

from ember.tensor import Tensor


def _stack(arrays: list[np.ndarray]) -> Tensor:
    return Tensor._wrap(np.stack(arrays))


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of samples into a batch, as PyTorch's ``default_collate`` does.

    Tensors and ndarrays are stacked along a new first dim into one ember Tensor; Python floats
    become a float64 tensor, ints int64 and bools bool; strings stay a list; dicts, tuples and
    lists are collated field by field (a tuple of fields comes back as a list).

    >>> default_collate([(ember.tensor([1.0, 2.0]), 0), (ember.tensor([3.0, 4.0]), 1)])
    [tensor([[1., 2.],
            [3., 4.]]), tensor([0, 1])]
    """
    if not batch:
        raise ValueError("default_collate: got an empty batch")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([t._data for t in batch])
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "USO":
            raise TypeError(f"default_collate: can't batch arrays of dtype {elem.dtype}; "
                            f"expected numbers")
        return _stack([np.asarray(a) for a in batch])
    if isinstance(elem, np.generic):
        return Tensor._wrap(np.array(batch, dtype=elem.dtype))
    if isinstance(elem, bool):
        return Tensor._wrap(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor._wrap(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError(f"default_collate: each sample must have the same number of "
                               f"fields, got {sorted({len(s) for s in batch})}")
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(f"default_collate: can't batch samples of type {type(elem).__name__}; "
                    f"expected tensors, arrays, numbers, or dicts/tuples/lists of them")
