"""Datasets: anything with ``__getitem__`` and ``__len__``, plus array-backed ones that a
``DataLoader`` can batch with one vectorised gather (``_gather``) instead of per-sample calls."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from ember import random as _random
from ember.tensor import Tensor

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map-style dataset: ``dataset[i]`` is the i-th sample, ``len(dataset)`` their number.

    >>> class Squares(Dataset):
    ...     def __len__(self): return 10
    ...     def __getitem__(self, i): return ember.tensor(float(i)), ember.tensor(float(i * i))
    """

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: Dataset[Any]) -> ConcatDataset[Any]:
        return ConcatDataset([self, other])


def _as_tensor(data: Any) -> Tensor:
    return data if isinstance(data, Tensor) else Tensor._wrap(np.asarray(data))


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """Samples are slices along the first dim of the given tensors (or arrays).

    >>> ds = TensorDataset(ember.randn(100, 4), ember.randint(0, 3, (100,)))
    >>> x, y = ds[0]
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(_as_tensor(t) for t in tensors)
        if any(t.ndim == 0 for t in self.tensors):
            raise ValueError("TensorDataset: every tensor needs a first dim to index samples by, "
                             f"got shapes {[tuple(t.shape) for t in self.tensors]}")
        sizes = [t.shape[0] for t in self.tensors]
        if len(set(sizes)) != 1:
            raise ValueError(f"Size mismatch between tensors: first dims are {sizes}; every "
                             f"tensor must have the same number of samples")

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor._wrap(t._data[index]) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _gather(self, indices: np.ndarray) -> list[Tensor]:
        """The batch at ``indices`` in one fancy-indexing copy per tensor."""
        return [Tensor._wrap(t._data[indices]) for t in self.tensors]


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._index_array = np.asarray(indices, dtype=np.int64).reshape(-1)
        if hasattr(dataset, "_gather"):
            self._gather = self._gather_from_parent

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return [self.dataset[int(self._index_array[i])] for i in index]
        return self.dataset[int(self._index_array[index])]

    def __len__(self) -> int:
        return len(self._index_array)

    def _gather_from_parent(self, indices: np.ndarray) -> Any:
        return self.dataset._gather(self._index_array[indices])  # type: ignore[attr-defined]


class ConcatDataset(Dataset[T_co]):
    """The samples of several datasets one after the other."""

    def __init__(self, datasets: Sequence[Dataset[Any]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one dataset")
        self.cumulative_sizes: list[int] = []
        total = 0
        for d in self.datasets:
            total += len(d)  # type: ignore[arg-type]
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise IndexError(f"index {index} is out of range for a dataset of {len(self)}")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        if which == len(self.datasets):
            raise IndexError(f"index {index} is out of range for a dataset of {len(self)}")
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def random_split(dataset: Dataset[T_co], lengths: Sequence[int | float],
                 generator: _random.Generator | None = None) -> list[Subset[T_co]]:
    """Split into non-overlapping random subsets of the given lengths (or fractions summing to 1).

    Fractions are floored and the leftover samples go one each to the first subsets.

    >>> train, val = random_split(ds, [0.8, 0.2], generator=ember.Generator(0))
    """
    n = len(dataset)  # type: ignore[arg-type]
    if math.isclose(sum(lengths), 1.0) and sum(lengths) <= 1 and all(
            0 <= f <= 1 for f in lengths) and not all(isinstance(f, int) for f in lengths):
        sizes = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    else:
        sizes = [int(length) for length in lengths]
        if any(size < 0 for size in sizes) or any(size != length
                                                  for size, length in zip(sizes, lengths)):
            raise ValueError(f"random_split: lengths must be non-negative ints or fractions "
                             f"summing to 1, got {list(lengths)}")
    if sum(sizes) != n:
        raise ValueError(f"random_split: lengths {list(lengths)} sum to {sum(sizes)}, but the "
                         f"dataset has {n} samples")
    order = _random.rng(generator).permutation(n)
    subsets = []
    start = 0
    for size in sizes:
        subsets.append(Subset(dataset, order[start:start + size].tolist()))
        start += size
    return subsets
