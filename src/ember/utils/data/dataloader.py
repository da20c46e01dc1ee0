"""``DataLoader``: iterate over a dataset in (shuffled) batches.

Array-backed datasets (``TensorDataset`` and ``Subset``s of one) are batched by a single fancy
index per tensor per batch; any other dataset is read sample by sample and collated.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

import numpy as np

from ember import random as _random
from ember.utils.data.collate import default_collate
from ember.utils.data.dataset import Dataset
from ember.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


class DataLoader:
    """Batches of a dataset: ``for x, y in DataLoader(ds, batch_size=32, shuffle=True): ...``.

    ``shuffle`` draws a new order every epoch from ``generator`` (or ember's default generator,
    so ``ember.manual_seed`` makes runs reproducible). ``sampler`` gives the order of indices,
    ``batch_sampler`` whole batches of indices; ``collate_fn`` builds a batch from a list of
    samples (``default_collate`` stacks tensors into ember Tensors). ``batch_size=None`` yields
    the samples one by one, unbatched. ``num_workers > 0`` reads and collates batches in that
    many worker processes (see ``_worker.py``: ``worker_init_fn``, ``prefetch_factor`` batches
    in flight per worker, ``persistent_workers`` kept between epochs, ``timeout``,
    ``multiprocessing_context``); the batches and their order are the same as without workers.
    ``pin_memory`` needs an accelerator; as PyTorch does without one, it warns and has no
    effect.

    >>> loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    >>> len(loader), next(iter(loader))[0].shape
    """

    def __init__(self, dataset: Dataset[Any], batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable[int] | None = None,
                 batch_sampler: Sampler | Iterable[list[int]] | None = None,
                 num_workers: int = 0, collate_fn: Callable[[list[Any]], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None,
                 generator: _random.Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False) -> None:
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"num_workers should be a non-negative integer, got {num_workers!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if batch_size is not None and (isinstance(batch_size, bool)
                                       or not isinstance(batch_size, (int, np.integer))
                                       or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer or None, "
                             f"got {batch_size!r}")
        if pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", UserWarning, stacklevel=2)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None (no batching) is mutually exclusive with drop_last")

        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle  # type: ignore[arg-type]
                       else SequentialSampler(dataset))  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.generator = generator
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None else prefetch_factor
        self.persistent_workers = persistent_workers
        self._worker_pool = None
        self._auto_collation = batch_sampler is not None
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if self._auto_collation else _no_collate)

    def __iter__(self) -> Iterator[Any]:
        if self.num_workers > 0:
            yield from self._iter_in_workers()
            return
        if not self._auto_collation:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        gather = getattr(self.dataset, "_gather", None)
        if gather is not None and self.collate_fn is default_collate:
            for indices in _array_batches(self.batch_sampler):
                yield gather(indices)
            return
        dataset, collate = self.dataset, self.collate_fn
        for indices in self.batch_sampler:  # type: ignore[union-attr]
            yield collate([dataset[i] for i in indices])

    def _iter_in_workers(self) -> Iterator[Any]:
        from ember.utils.data import _worker

        dataset, collate = self.dataset, self.collate_fn
        if not self._auto_collation:
            return _worker.iterate(self, iter(self.sampler),
                                   partial(_worker.fetch_one, dataset, collate))
        gather = getattr(dataset, "_gather", None)
        if gather is not None and collate is default_collate:
            return _worker.iterate(self, _array_batches(self.batch_sampler), gather)
        return _worker.iterate(self, iter(self.batch_sampler),  # type: ignore[arg-type]
                               partial(_worker.fetch_batch, dataset, collate))

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]


def _array_batches(batch_sampler: Any) -> Iterator[np.ndarray]:
    if isinstance(batch_sampler, BatchSampler):
        return batch_sampler._array_batches()
    return (np.asarray(batch, dtype=np.int64) for batch in batch_sampler)


def _no_collate(sample: Any) -> Any:
    return sample
