"""Keras ``fit`` under ``mpiexec``: data-parallel automatically once a process group exists.

The switch is ``ember.distributed.init_process_group()``: after it, with more than one rank,
``model.fit`` on arrays

- gives each rank its share of the samples (``DistributedSampler``'s assignment: every
  ``world_size``-th sample, the last ones repeated so every rank has as many) and splits the
  global ``batch_size`` evenly among the ranks, so an epoch has the steps of one process;
- broadcasts rank 0's weights at the first step and averages the gradients over the ranks after
  every ``backward()`` (the same bucketed reducer as ``DistributedDataParallel``);
- averages the epoch's logs (loss, metrics, validation) over the ranks, so callbacks such as
  ``EarlyStopping`` decide the same on every rank;
- prints, and runs ``ModelCheckpoint``/``CSVLogger``, on rank 0 only.

A ``DataLoader`` or generator is taken as already sharded (give it a ``DistributedSampler``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.distributed import collectives, process_group
from ember.keras.callbacks import Callback, CSVLogger, ModelCheckpoint, ProgbarLogger
from ember.tensor import Tensor
from ember.utils.data.distributed import DistributedSampler

# Callbacks that print or write files: rank 0's alone run.
_RANK_ZERO_ONLY = (CSVLogger, ModelCheckpoint, ProgbarLogger)


def world_size() -> int:
    """The number of ranks training together; 1 without a process group."""
    return process_group.get_world_size() if process_group.is_initialized() else 1


def is_writer() -> bool:
    """Whether this process prints and writes files: rank 0, or the only process."""
    return not process_group.is_initialized() or process_group.get_rank() == 0


def prepare_fit(model: Any, x: Any, y: Any, sample_weight: Any, batch_size: int | None,
                verbose: Any, callbacks: list[Any] | None
                ) -> tuple[Any, Any, Any, int | None, Any, list[Any] | None]:
    """``fit``'s arguments for this rank: its shard, its part of the batch, its callbacks.

    Unchanged without a process group or with a single rank.
    """
    size = world_size()
    if size == 1:
        return x, y, sample_weight, batch_size, verbose, callbacks
    if _is_array_like(x):
        global_batch = 32 if batch_size is None else batch_size
        if global_batch % size:
            raise ValueError(f"fit on {size} ranks splits batch_size evenly among them: "
                             f"batch_size={global_batch} is not a multiple of {size}")
        batch_size = global_batch // size
        mine = np.asarray(list(DistributedSampler(range(_length(x)), num_replicas=size,
                                                  rank=process_group.get_rank(),
                                                  shuffle=False)), dtype=np.int64)
        x, y, sample_weight = (_take(part, mine) for part in (x, y, sample_weight))
    kept = [c for c in (callbacks or []) if is_writer() or not isinstance(c, _RANK_ZERO_ONLY)]
    return (x, y, sample_weight, batch_size, verbose if is_writer() else 0,
            [DataParallelCallback(), *kept])


class DataParallelCallback(Callback):
    """Equal weights at the first step, averaged gradients after, averaged epoch logs."""

    def __init__(self) -> None:
        super().__init__()
        self.reducer: Any = None

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.reducer is not None:
            return
        # The model is built by now (fit builds it on the first batch, before this hook).
        from ember.distributed._reducer import Reducer

        for tensor in [*self.model.parameters(), *self.model.buffers()]:
            if tensor is not None:
                collectives.broadcast(tensor, src=0)
        previous = getattr(self.model, "_data_parallel_reducer", None)
        if previous is not None:
            previous.remove()
        self.reducer = Reducer(list(self.model.parameters()))
        self.model._data_parallel_reducer = self.reducer

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs:
            average_logs(logs)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.reducer is not None:
            self.reducer.remove()
            self.model._data_parallel_reducer = None
            self.reducer = None


def average_logs(logs: dict[str, Any]) -> None:
    """Replace every numeric entry of ``logs`` by its mean over the ranks, in place."""
    keys = sorted(k for k, v in logs.items() if isinstance(v, (int, float, np.number)))
    values = Tensor._wrap(np.array([float(logs[k]) for k in keys], dtype=np.float64))
    collectives.all_reduce(values, op=collectives.ReduceOp.AVG)
    for key, value in zip(keys, values._data.tolist()):
        logs[key] = value


def _is_array_like(x: Any) -> bool:
    if isinstance(x, (list, tuple)):
        return bool(x) and all(_is_array_like(part) for part in x)
    if isinstance(x, dict):
        return bool(x) and all(_is_array_like(part) for part in x.values())
    return isinstance(x, (np.ndarray, Tensor))


def _length(x: Any) -> int:
    if isinstance(x, (list, tuple)):
        return _length(x[0])
    if isinstance(x, dict):
        return _length(next(iter(x.values())))
    return len(x)


def _take(part: Any, rows: np.ndarray) -> Any:
    if part is None:
        return None
    if isinstance(part, (list, tuple)):
        return type(part)(_take(p, rows) for p in part)
    if isinstance(part, dict):
        return {k: _take(v, rows) for k, v in part.items()}
    if isinstance(part, Tensor):
        return Tensor._wrap(part._data[rows])
    return np.asarray(part)[rows]
