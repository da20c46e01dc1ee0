"""``DistributedDataParallel``: one model replica per MPI rank, gradients averaged in backward.

Construction checks that every rank holds the same parameter names, shapes and dtypes (an error
naming the first rank that differs), then broadcasts rank 0's parameters and buffers, so every
replica starts equal. Each forward re-broadcasts the buffers (running statistics) from rank 0;
each backward averages the gradients over the ranks in buckets (``ember.distributed._reducer``),
so after ``loss.backward()`` every rank's ``.grad`` is the same average and the replicas stay equal
through identical optimizer steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ember import distributed as dist
from ember.autograd.grad_mode import is_grad_enabled
from ember.distributed._reducer import Reducer
from ember.nn.modules.module import Module


class DistributedDataParallel(Module):
    """Data parallelism over the default process group (PyTorch's ``DistributedDataParallel``).

    >>> dist.init_process_group("mpi")            # under: mpiexec -n 2 python train.py
    >>> model = nn.parallel.DistributedDataParallel(Net())
    >>> loss_fn(model(x_shard), y_shard).backward()  # .grad: the average over the ranks
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False, **kwargs: Any) -> None:
        super().__init__()
        unsupported = {"device_ids": device_ids is not None,
                       "output_device": output_device is not None, "dim": dim != 0,
                       "process_group": process_group is not None,
                       "find_unused_parameters": bool(find_unused_parameters),
                       "gradient_as_bucket_view": bool(gradient_as_bucket_view),
                       "static_graph": bool(static_graph), **{k: True for k in kwargs}}
        named = [name for name, used in unsupported.items() if used]
        if named:
            raise NotImplementedError(f"DistributedDataParallel: {', '.join(named)} not "
                                      "supported (CPU data parallelism over MPI)")
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module, got "
                            f"{type(module).__name__}")
        if bucket_cap_mb is not None and not bucket_cap_mb > 0:
            raise ValueError(f"bucket_cap_mb must be positive, got {bucket_cap_mb!r}")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.require_backward_grad_sync = True
        self.check_reduction = check_reduction
        check_same_structure(module)
        broadcast_module(module, buffers=True)
        self.reducer = Reducer(list(module.parameters()),
                               25.0 if bucket_cap_mb is None else bucket_cap_mb)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        self.reducer.check_finished()
        if self.broadcast_buffers:
            broadcast_module(self.module, buffers=True, parameters=False)
        # As PyTorch: whether this iteration's backward averages is decided at forward time.
        self.reducer.enabled = self.require_backward_grad_sync and is_grad_enabled()
        return self.module(*inputs, **kwargs)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Forward-backward passes inside keep their gradients local (accumulation); the first
        synced backward after it averages the accumulated ``.grad``."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous


def check_same_structure(module: Module) -> None:
    """RuntimeError unless every rank has the same parameter and buffer names, shapes, dtypes."""
    mine = [(name, tuple(t.shape), str(t.dtype)) for name, t in
            [*module.named_parameters(), *module.named_buffers()]]
    everyone: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, mine)
    reference = everyone[0]
    for rank, theirs in enumerate(everyone[1:], start=1):
        if theirs == reference:
            continue
        if len(theirs) != len(reference):
            detail = f"{len(theirs)} parameters and buffers, rank 0 has {len(reference)}"
        else:
            first = next(i for i, (a, b) in enumerate(zip(reference, theirs)) if a != b)
            detail = (f"{theirs[first][0]} {list(theirs[first][1])} {theirs[first][2]}, rank 0 "
                      f"has {reference[first][0]} {list(reference[first][1])} "
                      f"{reference[first][2]}")
        raise RuntimeError(f"DistributedDataParallel expects the same model on every rank, but "
                           f"rank {rank} has {detail}")


def broadcast_module(module: Module, buffers: bool = True, parameters: bool = True) -> None:
    """Copy rank 0's parameters and/or buffers into every rank's ``module``, in place."""
    tensors = ([*module.parameters()] if parameters else []) + \
              ([b for b in module.buffers() if b is not None] if buffers else [])
    for tensor in tensors:
        dist.broadcast(tensor, src=0)
