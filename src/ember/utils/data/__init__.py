"""``ember.utils.data``: datasets, samplers and the ``DataLoader`` that batches them.

>>> ds = TensorDataset(ember.randn(100, 4), ember.randint(0, 3, (100,)))
>>> for x, y in DataLoader(ds, batch_size=16, shuffle=True):
...     ...
"""

from ember.utils.data._worker import get_worker_info
from ember.utils.data.collate import default_collate
from ember.utils.data.dataloader import DataLoader
from ember.utils.data.dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from ember.utils.data.distributed import DistributedSampler
from ember.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = [
    "BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler",
    "RandomSampler", "Sampler",
    "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset", "default_collate",
    "get_worker_info", "random_split",
]
