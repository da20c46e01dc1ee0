"""Samplers decide the order of a dataset's indices; ``BatchSampler`` groups them into batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized

import numpy as np

from ember import random as _random


class Sampler:
    """Base class: iterating yields dataset indices. Subclasses that can produce a whole epoch at
    once define ``_indices()`` (an int64 array), which lets loaders slice batches without loops."""

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def _indices(self) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _indices(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random permutation each epoch (or ``num_samples`` draws with ``replacement``).

    The randomness comes from ``generator``, or ember's default one, so ``ember.manual_seed``
    makes the orders reproducible while successive epochs still differ.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None,
                 generator: _random.Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer, got {self.num_samples}")
        if num_samples is not None and not replacement:
            raise ValueError("num_samples can only be set with replacement=True; without it "
                             "every sample is drawn exactly once")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _indices(self) -> np.ndarray:
        rng = _random.rng(self.generator)
        n = len(self.data_source)
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples, dtype=np.int64)
        return rng.permutation(n).astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order each epoch."""

    def __init__(self, indices: Iterable[int],
                 generator: _random.Generator | None = None) -> None:
        self.indices = np.asarray(list(indices), dtype=np.int64)
        self.generator = generator

    def _indices(self) -> np.ndarray:
        return self.indices[_random.rng(self.generator).permutation(len(self.indices))]

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Group another sampler's indices into lists of ``batch_size`` (the last may be shorter
    unless ``drop_last``).

    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or \
                batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer, got {batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:  # type: ignore[override]
        for batch in self._array_batches():
            yield batch.tolist()

    def _array_batches(self) -> Iterator[np.ndarray]:
        """The batches as int64 arrays: slices of one epoch array when the sampler has one."""
        size = self.batch_size
        if hasattr(self.sampler, "_indices"):
            try:
                order = self.sampler._indices()
            except NotImplementedError:
                order = None
            if order is not None:
                stop = len(order) - len(order) % size if self.drop_last else len(order)
                for start in range(0, stop, size):
                    yield order[start:start + size]
                return
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == size:
                yield np.asarray(batch, dtype=np.int64)
                batch = []
        if batch and not self.drop_last:
            yield np.asarray(batch, dtype=np.int64)

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

