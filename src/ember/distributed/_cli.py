"""``mpiexec -n N ember train RECIPE``: the recipe's global batch split across N ranks.

Started by an MPI launcher with more than one rank, ``ember train`` joins the process group, and

- every rank loads the same data and draws the same shuffled global batches (same seed); each
  takes its contiguous part of every batch and the ranks average their gradients, weighted by
  their parts' sizes, so a step is the one-process step on the whole batch;
- validation runs on every rank on the whole validation split (the weights are equal);
- rank 0 alone logs, writes checkpoints and the run folder; the others log warnings only;
- an error on any rank ends every rank (MPI_Abort), with the error and the rank named.

Keras recipes get all of this from ``keras.Model.fit`` (``ember.distributed._keras``).
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from ember.distributed import collectives, process_group

# What MPI launchers put in each process's environment: the number of processes started.
_LAUNCHER_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE",
                            "MV2_COMM_WORLD_SIZE", "SLURM_STEP_NUM_TASKS")


def launched_ranks() -> int:
    """How many processes the MPI launcher started (1 when not started by one)."""
    for name in _LAUNCHER_SIZE_VARIABLES:
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 1:
            return int(value)
    return 1


def parallel() -> bool:
    return process_group.is_initialized() and process_group.get_world_size() > 1


def is_writer() -> bool:
    """Whether this process writes the run folder: rank 0, or the only process."""
    return not process_group.is_initialized() or process_group.get_rank() == 0


def on_every_rank(command: Callable[[Any], int], args: Any) -> int:
    """Run a CLI command, data-parallel when launched on several ranks (see the module doc)."""
    if launched_ranks() > 1 and not process_group.is_initialized():
        process_group.init_process_group("mpi")
        if not is_writer():
            logging.getLogger("ember.cli").setLevel(logging.WARNING)
    if not parallel():
        return command(args)
    try:
        return command(args)
    except Exception as error:  # noqa: BLE001 - any error on one rank must end all of them
        if not isinstance(error, (ValueError, OSError)):  # not a user's mistake: show where
            traceback.print_exc()
        process_group.abort(f"ember: error: {' '.join(str(error).split())}", exit_code=2)
        raise


def same_on_all_ranks(value: Any) -> Any:
    """Rank 0's ``value`` on every rank (a run folder named from rank 0's clock)."""
    if not parallel():
        return value
    box = [value]
    collectives.broadcast_object_list(box, src=0)
    return box[0]


def shard_batches(model: Any, batches: Any) -> Any:
    """Each rank's part of every global batch, with ``model``'s gradients averaged over ranks.

    Unchanged outside a multi-rank process group.
    """
    if not parallel():
        return batches
    return _RankBatches(model, batches)


class _RankBatches:
    """Calls ``batches(epoch)`` and yields this rank's contiguous part of each batch."""

    def __init__(self, model: Any, batches: Callable[[int], Any]) -> None:
        from ember.distributed._reducer import Reducer

        self.batches = batches
        for tensor in [*model.parameters(), *model.buffers()]:
            if tensor is not None:
                collectives.broadcast(tensor, src=0)
        self.reducer = Reducer(list(model.parameters()))

    @property
    def rng(self) -> Any:  # the batch order's generator, which checkpoints save
        return getattr(self.batches, "rng", None)

    def __call__(self, epoch: int) -> Iterator[tuple[Any, Any]]:
        rank, size = process_group.get_rank(), process_group.get_world_size()
        for xb, yb in self.batches(epoch):
            total = len(yb)
            if total < size:  # too few to share: every rank takes all, the average is the same
                self.reducer.grad_scale = 1.0
                yield xb, yb
                continue
            begin, end = total * rank // size, total * (rank + 1) // size
            # Local mean losses weighted by their share: the sum is the whole batch's gradient.
            self.reducer.grad_scale = size * (end - begin) / total
            yield xb[begin:end], yb[begin:end]
