"""Gradient averaging in buckets, started from the backward pass (DDP's and Keras fit's engine).

The trainable parameters are grouped, in reverse registration order (roughly the order backward
finishes them), into flat buffers of at most ``bucket_cap_mb`` (PyTorch's rule: the first bucket
is 1 MB so communication starts early). A hook on each parameter
(``register_post_accumulate_grad_hook``) copies its finished ``.grad`` into its bucket; a full
bucket starts one non-blocking MPI all-reduce. When the last parameter is in, the reducer waits
for them all and writes the averages back into ``.grad``. Buckets are started in index order on
every rank, so the ranks' collectives always pair up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ember.distributed.process_group import _default_comm
from ember.nn.parameter import Parameter

FIRST_BUCKET_BYTES = 1 << 20


class _Bucket:
    def __init__(self, params: list[Parameter], dtype: np.dtype) -> None:
        self.params = params
        sizes = [int(p._data.size) for p in params]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int).tolist()
        self.flat = np.empty(self.offsets[-1], dtype=dtype)
        self.ready = 0
        self.request: Any = None

    def view(self, index: int) -> np.ndarray:
        return self.flat[self.offsets[index]:self.offsets[index + 1]]


def make_buckets(params: Sequence[Parameter], bucket_cap_mb: float) -> list[_Bucket]:
    """Parameters that need gradients, last first, cut into buckets of one dtype each."""
    cap = int(bucket_cap_mb * (1 << 20))
    buckets: list[_Bucket] = []
    current: list[Parameter] = []
    current_bytes = 0
    limit = min(FIRST_BUCKET_BYTES, cap)
    for param in reversed([p for p in params if p.requires_grad]):
        nbytes = param._data.nbytes
        if current and (current_bytes + nbytes > limit
                        or param._data.dtype != current[0]._data.dtype):
            buckets.append(_Bucket(current, current[0]._data.dtype))
            current, current_bytes, limit = [], 0, cap
        current.append(param)
        current_bytes += nbytes
    if current:
        buckets.append(_Bucket(current, current[0]._data.dtype))
    return buckets


class Reducer:
    """Averages the gradients of ``params`` over all ranks at the end of every synced backward.

    ``enabled`` (DDP's ``no_sync``) leaves gradients local; ``grad_scale`` multiplies this rank's
    gradient before the sum (Keras fit weighs uneven shards by their sample counts with it).
    """

    def __init__(self, params: Sequence[Parameter], bucket_cap_mb: float = 25.0) -> None:
        self.comm = _default_comm("DistributedDataParallel")
        self.buckets = make_buckets(params, bucket_cap_mb)
        self.enabled = True
        self.grad_scale = 1.0
        self._slot: dict[int, tuple[int, int]] = {}
        self._handles = []
        for b, bucket in enumerate(self.buckets):
            for i, param in enumerate(bucket.params):
                self._slot[id(param)] = (b, i)
                self._handles.append(param.register_post_accumulate_grad_hook(self._grad_ready))
        self._marked: set[int] = set()
        self._next_to_start = 0

    @property
    def in_progress(self) -> bool:
        """Some gradients of this iteration arrived but not all: a parameter went unused."""
        return bool(self._marked)

    def check_finished(self) -> None:
        """Raise if the previous iteration's reduction never finished (PyTorch's check)."""
        if not self._marked:
            return
        missing = [i for bucket in self.buckets for i, p in enumerate(bucket.params)
                   if id(p) not in self._marked]
        raise RuntimeError(
            "Expected to have finished reduction in the prior iteration before starting a new "
            f"one: {len(missing)} parameter(s) received no gradient in that backward pass. "
            "Every parameter must take part in producing the loss (ember's "
            "DistributedDataParallel has no find_unused_parameters).")

    def _grad_ready(self, param: Parameter) -> None:
        if not self.enabled:
            return
        key = id(param)
        if key in self._marked:
            raise RuntimeError("Expected to mark a variable ready only once: a parameter got "
                               "two gradients in one synced iteration (backward twice without "
                               "no_sync())")
        self._marked.add(key)
        b, i = self._slot[key]
        bucket = self.buckets[b]
        np.multiply(param.grad._data.reshape(-1), self.grad_scale, out=bucket.view(i))
        bucket.ready += 1
        self._start_ready_buckets()
        if self._next_to_start == len(self.buckets):
            self._finish()

    def _start_ready_buckets(self) -> None:
        from mpi4py import MPI

        while (self._next_to_start < len(self.buckets)
               and self.buckets[self._next_to_start].ready
               == len(self.buckets[self._next_to_start].params)):
            bucket = self.buckets[self._next_to_start]
            bucket.request = self.comm.Iallreduce(MPI.IN_PLACE, bucket.flat, op=MPI.SUM)
            self._next_to_start += 1

    def _finish(self) -> None:
        world = self.comm.Get_size()
        for bucket in self.buckets:
            bucket.request.Wait()
            bucket.request = None
            bucket.ready = 0
            np.divide(bucket.flat, world, out=bucket.flat)
            for i, param in enumerate(bucket.params):
                grad = param.grad._data
                grad[...] = bucket.view(i).reshape(grad.shape)
        self._marked.clear()
        self._next_to_start = 0

    def sync_without_backward(self) -> None:
        """Take part in one reduction with zero gradients (a rank with no samples this step)."""
        from ember.tensor import Tensor

        for bucket in self.buckets:
            for param in bucket.params:
                if param.grad is None:
                    param.grad = Tensor._wrap(np.zeros_like(param._data))
                else:
                    param.grad._data[...] = 0
                self._grad_ready(param)

    def remove(self) -> None:
        """Unhook the parameters: backward stops averaging."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
