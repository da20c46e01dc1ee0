"""``ember.nn.parallel``: ``DistributedDataParallel`` over ``ember.distributed`` (MPI)."""

from ember.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
