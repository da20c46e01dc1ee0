"""Collectives on ember tensors, in place, as ``torch.distributed``'s: all_reduce, broadcast, ...

Each call hands the tensor's own NumPy buffer to MPI (no copy for a contiguous tensor: the usual
float32 parameter or gradient), so the result lands where PyTorch's would: in the tensor given.
``async_op=True`` starts a non-blocking MPI collective and returns a ``Work`` to ``wait()`` on.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from ember.distributed.process_group import _check_group
from ember.tensor import Tensor


class ReduceOp(enum.Enum):
    """How ``all_reduce``/``reduce`` combine the ranks' tensors (PyTorch's names)."""

    SUM = "sum"
    AVG = "avg"  # a SUM divided by the world size (floating-point tensors)
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


def _mpi_op(op: ReduceOp) -> Any:
    from mpi4py import MPI

    if not isinstance(op, ReduceOp):
        raise TypeError(f"op must be an ember.distributed.ReduceOp, got {op!r}")
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
            ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}[op]


class Work:
    """A collective in flight (``async_op=True``): ``wait()`` blocks until it has finished."""

    def __init__(self, request: Any = None, finish: Any = None) -> None:
        self._request, self._finish = request, finish
        self._done = request is None

    def wait(self, timeout: Any = None) -> bool:
        if timeout is not None:
            raise NotImplementedError("Work.wait: timeout is not supported")
        if not self._done:
            self._request.Wait()
            self._done = True
            if self._finish is not None:
                self._finish()
        return True

    def is_completed(self) -> bool:
        if not self._done and self._request.Test():
            self.wait()
        return self._done


def _buffer(tensor: Any, what: str) -> tuple[np.ndarray, bool]:
    """The array MPI reads and writes, and whether it is a copy that must be written back."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{what}: expected an ember.Tensor, got {type(tensor).__name__}")
    array = tensor._data
    if array.flags.c_contiguous and array.flags.writeable:
        return array, False
    return np.ascontiguousarray(array), True


def _written(tensor: Tensor, array: np.ndarray, copied: bool) -> None:
    if copied:
        tensor._data[...] = array
    tensor._version += 1  # changed in place, as an in-place op would


def _finish(tensor: Tensor, array: np.ndarray, copied: bool, average_over: int = 0) -> Any:
    def finish() -> None:
        if average_over:
            np.divide(array, average_over, out=array)
        _written(tensor, array, copied)
    return finish


def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Replace ``tensor`` on every rank by the ranks' tensors combined with ``op``."""
    comm = _check_group(group, "all_reduce")
    from mpi4py import MPI

    mpi_op = _mpi_op(op)
    array, copied = _buffer(tensor, "all_reduce")
    if op is ReduceOp.AVG and array.dtype.kind != "f":
        raise TypeError(f"all_reduce: ReduceOp.AVG needs a floating-point tensor, got "
                        f"{tensor.dtype}")
    average_over = comm.Get_size() if op is ReduceOp.AVG else 0
    if async_op:
        request = comm.Iallreduce(MPI.IN_PLACE, array, op=mpi_op)
        return Work(request, _finish(tensor, array, copied, average_over))
    comm.Allreduce(MPI.IN_PLACE, array, op=mpi_op)
    _finish(tensor, array, copied, average_over)()
    return None


def broadcast(tensor: Tensor, src: int = 0, group: Any = None,
              async_op: bool = False) -> Work | None:
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank."""
    comm = _check_group(group, "broadcast")
    _check_rank(src, comm, "broadcast", "src")
    array, copied = _buffer(tensor, "broadcast")
    if async_op:
        return Work(comm.Ibcast(array, root=src), _finish(tensor, array, copied))
    comm.Bcast(array, root=src)
    _finish(tensor, array, copied)()
    return None


def reduce(tensor: Tensor, dst: int = 0, op: ReduceOp = ReduceOp.SUM, group: Any = None,
           async_op: bool = False) -> Work | None:
    """Combine the ranks' tensors with ``op`` into ``tensor`` on rank ``dst`` only."""
    comm = _check_group(group, "reduce")
    from mpi4py import MPI

    _check_rank(dst, comm, "reduce", "dst")
    mpi_op = _mpi_op(op)
    array, copied = _buffer(tensor, "reduce")
    is_root = comm.Get_rank() == dst
    average_over = comm.Get_size() if op is ReduceOp.AVG and is_root else 0
    send = MPI.IN_PLACE if is_root else array
    recv = array if is_root else None
    if async_op:
        request = comm.Ireduce(send, recv, op=mpi_op, root=dst)
        return Work(request, _finish(tensor, array, copied and is_root, average_over))
    comm.Reduce(send, recv, op=mpi_op, root=dst)
    _finish(tensor, array, copied and is_root, average_over)()
    return None


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Fill ``tensor_list[r]`` on every rank with rank ``r``'s ``tensor`` (same shapes)."""
    comm = _check_group(group, "all_gather")
    size = comm.Get_size()
    if not isinstance(tensor_list, list) or len(tensor_list) != size:
        raise ValueError(f"all_gather: tensor_list must be a list of {size} tensors (the world "
                         f"size), got {type(tensor_list).__name__} of length "
                         f"{len(tensor_list) if hasattr(tensor_list, '__len__') else '?'}")
    array, _ = _buffer(tensor, "all_gather")
    for rank, out in enumerate(tensor_list):
        if not isinstance(out, Tensor) or out.shape != tensor.shape or out.dtype != tensor.dtype:
            raise RuntimeError(f"all_gather: tensor_list[{rank}] must be a {tensor.dtype} tensor "
                               f"of shape {list(tensor.shape)} like the input, got "
                               f"{getattr(out, 'dtype', type(out).__name__)} "
                               f"{list(getattr(out, 'shape', []))}")
    gathered = np.empty((size, *array.shape), dtype=array.dtype)

    def finish() -> None:
        for out, part in zip(tensor_list, gathered):
            out._data[...] = part
            out._version += 1

    if async_op:
        return Work(comm.Iallgather(array, gathered), finish)
    comm.Allgather(array, gathered)
    finish()
    return None


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> Work | None:
    """Wait until every rank has reached this call."""
    comm = _check_group(group, "barrier")
    if device_ids is not None:
        raise NotImplementedError("barrier: device_ids is not supported (CPU only)")
    if async_op:
        return Work(comm.Ibarrier())
    comm.Barrier()
    return None


def broadcast_object_list(object_list: list[Any], src: int = 0, group: Any = None,
                          device: Any = None) -> None:
    """Replace ``object_list``'s items on every rank by rank ``src``'s (picklable objects)."""
    comm = _check_group(group, "broadcast_object_list")
    _check_rank(src, comm, "broadcast_object_list", "src")
    object_list[:] = comm.bcast(list(object_list) if comm.Get_rank() == src else None, root=src)


def all_gather_object(object_list: list[Any], obj: Any, group: Any = None) -> None:
    """Fill ``object_list[r]`` with rank ``r``'s ``obj`` (picklable) on every rank."""
    comm = _check_group(group, "all_gather_object")
    if len(object_list) != comm.Get_size():
        raise ValueError(f"all_gather_object: object_list must have {comm.Get_size()} items "
                         f"(the world size), got {len(object_list)}")
    object_list[:] = comm.allgather(obj)


def _check_rank(rank: Any, comm: Any, what: str, name: str) -> None:
    size = comm.Get_size()
    if isinstance(rank, bool) or not isinstance(rank, (int, np.integer)) or not 0 <= rank < size:
        raise ValueError(f"{what}: {name}={rank!r} is not a rank of this group (0 to {size - 1})")
