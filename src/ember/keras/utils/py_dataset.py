"""``keras.utils.PyDataset`` (and its old name ``Sequence``): batches by index, as Keras's.

``fit`` reads batch ``0 .. len(dataset) - 1`` each epoch and then calls ``on_epoch_end``; it never
iterates the object (Python's fallback ``__getitem__`` iteration would run past ``len()`` forever
when ``__getitem__`` does not raise ``IndexError``).
"""

from __future__ import annotations

from typing import Any


class PyDataset:
    """Base class for datasets of batches: override ``__len__`` (the number of batches) and
    ``__getitem__(index)`` (batch ``index``, as ``x``, ``(x, y)`` or ``(x, y, sample_weight)``).

    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are Keras's parallel-loading
    options; ember reads batches in the training process, so only their defaults are accepted.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10) -> None:
        if workers != 1:
            raise NotImplementedError("PyDataset: workers other than 1 (parallel batch loading) "
                                      "is not supported by ember")
        if use_multiprocessing:
            raise NotImplementedError("PyDataset: use_multiprocessing=True is not supported by "
                                      "ember")
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    @property
    def num_batches(self) -> int | None:
        """The number of batches in one epoch: ``len(self)``."""
        return len(self)

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch (e.g. to reshuffle)."""


Sequence = PyDataset


def is_indexed_dataset(source: Any) -> bool:
    """A ``PyDataset``, or any object read by index with a length and no ``__iter__``."""
    from ember.utils.data import Dataset

    if isinstance(source, PyDataset):
        return True
    if isinstance(source, Dataset):  # samples by index, batched by a DataLoader instead
        return False
    return (hasattr(source, "__len__") and hasattr(source, "__getitem__")
            and not hasattr(source, "__iter__"))
