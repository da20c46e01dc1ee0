"""``ember.distributed``: PyTorch's ``torch.distributed`` on MPI (mpi4py), for data parallelism.

Run a script under an MPI launcher and join the job's process group first::

    mpiexec -n 2 python train.py      # on one machine; mpirun --hostfile / srun across machines

    import ember.distributed as dist
    dist.init_process_group("mpi")
    print(dist.get_rank(), dist.get_world_size())

``import ember`` never imports mpi4py; ``init_process_group`` does (installed with
``pip install 'ember[distributed]'``). Collectives work in place on ember tensors.
"""

from ember.distributed.collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    reduce,
)
from ember.distributed.process_group import (
    abort,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
)

__all__ = [
    "ReduceOp", "Work", "abort", "all_gather", "all_gather_object", "all_reduce", "barrier",
    "broadcast", "broadcast_object_list", "destroy_process_group", "get_backend", "get_rank",
    "get_world_size", "init_process_group", "is_available", "is_initialized",
    "is_mpi_available", "reduce",
]
