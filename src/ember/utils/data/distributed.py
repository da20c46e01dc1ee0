"""``DistributedSampler``: each rank's share of a dataset, as PyTorch's.

Every rank draws the same permutation (seeded with ``seed + epoch``), pads it by repeating its
start until it divides evenly (or, with ``drop_last``, cuts the tail), and takes every
``num_replicas``-th index from its own rank on: rank ``r`` gets ``order[r::num_replicas]``. The
assignment is PyTorch's, index for index; the permutation itself comes from ember's generator
(NumPy's PCG64), so a shuffled order differs from PyTorch's for the same seed.
"""

from __future__ import annotations

import math
from collections.abc import Sized

import numpy as np

from ember import random as _random
from ember.utils.data.sampler import Sampler


class DistributedSampler(Sampler):
    """Restrict loading to this rank's part of ``dataset``; call ``set_epoch`` every epoch.

    >>> sampler = DistributedSampler(dataset)        # rank and world size from the group
    >>> loader = DataLoader(dataset, batch_size=32, sampler=sampler)
    >>> for epoch in range(epochs):
    ...     sampler.set_epoch(epoch)                  # a new shuffle each epoch
    """

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from ember import distributed as dist

            if not dist.is_initialized():
                raise RuntimeError("Requires distributed package to be available: call "
                                   "ember.distributed.init_process_group() or pass "
                                   "num_replicas and rank")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        size = len(dataset)
        if drop_last and size % num_replicas != 0:
            self.num_samples = math.ceil((size - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(size / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def _indices(self) -> np.ndarray:
        size = len(self.dataset)
        if self.shuffle:
            order = _random.Generator(self.seed + self.epoch).rng.permutation(size)
        else:
            order = np.arange(size)
        order = order.astype(np.int64, copy=False)
        if self.drop_last:
            order = order[:self.total_size]
        elif self.total_size > size:
            # Pad with the order's own start, repeated as often as needed (tiny datasets).
            order = np.resize(order, self.total_size)
        return order[self.rank:self.total_size:self.num_replicas]

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Seed the next shuffle with ``seed + epoch``, so every rank draws the same order."""
        self.epoch = epoch
