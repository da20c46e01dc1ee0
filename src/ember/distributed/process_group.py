"""The default process group: one per job, every MPI process of ``MPI.COMM_WORLD``.

mpi4py is imported here on the first ``init_process_group`` call, never by ``import ember``:
importing it starts MPI. Rank and size come from the MPI launcher (``mpiexec``, ``mpirun``,
``srun``); PyTorch's ``env://`` variables (``RANK``, ``WORLD_SIZE``) are accepted, and checked
against what MPI says.

Faults: an uncaught exception on any rank prints its traceback and a line naming the rank, then
calls ``MPI_Abort``, which ends every rank of the job at once instead of leaving the others
waiting forever in their next collective.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

_comm: Any = None  # mpi4py's COMM_WORLD while the group is initialised
_previous_excepthook: Any = None


def is_available() -> bool:
    """Whether ``ember.distributed`` can work here: mpi4py is installed (it is not imported)."""
    return importlib.util.find_spec("mpi4py") is not None


def is_mpi_available() -> bool:
    """PyTorch's name: the MPI backend is usable (mpi4py is installed)."""
    return is_available()


def is_initialized() -> bool:
    """Whether ``init_process_group`` has been called (and not undone by ``destroy_...``)."""
    return _comm is not None


def _import_mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise RuntimeError(
            "ember.distributed runs on MPI through mpi4py, which is not installed: "
            "pip install 'ember[distributed]' (or: pip install mpi4py mpich)") from error
    return MPI


def _env_int(name: str) -> int | None:
    value = os.environ.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"init_process_group: environment variable {name}={value!r} is not an "
                         "integer") from None


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: Any = None, world_size: int = -1, rank: int = -1,
                       store: Any = None, group_name: str = "", pg_options: Any = None,
                       device_id: Any = None) -> None:
    """Join this process to the job's MPI world (``backend="mpi"``, the only one ember has).

    Run the script under an MPI launcher: ``mpiexec -n 2 python train.py``. Without one the
    process is a world of one (rank 0 of 1). ``world_size`` and ``rank``, when given (or set in
    the environment as ``WORLD_SIZE``/``RANK`` with ``init_method="env://"``), must agree with
    the launcher's.
    """
    global _comm, _previous_excepthook
    if _comm is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None and str(backend).lower() != "mpi":
        raise NotImplementedError(f"init_process_group: backend {backend!r} is not available; "
                                  "ember.distributed runs on MPI only (backend='mpi')")
    if init_method is not None and init_method != "env://":
        raise NotImplementedError(f"init_process_group: init_method {init_method!r}; MPI's "
                                  "launcher gives rank and size (init_method='env://' or None)")
    for name, value in (("timeout", timeout), ("store", store), ("pg_options", pg_options),
                        ("device_id", device_id)):
        if value is not None:
            raise NotImplementedError(f"init_process_group: {name} is not supported")
    if group_name:
        raise NotImplementedError("init_process_group: group_name is not supported")
    MPI = _import_mpi()
    comm = MPI.COMM_WORLD
    expected = {"world_size": (world_size if world_size != -1 else _env_int("WORLD_SIZE"),
                               comm.Get_size()),
                "rank": (rank if rank != -1 else _env_int("RANK"), comm.Get_rank())}
    for name, (given, actual) in expected.items():
        if given is not None and given != actual:
            raise ValueError(f"init_process_group: {name}={given} but the MPI launcher started "
                             f"this process with {name} {actual}")
    _comm = comm
    _previous_excepthook = sys.excepthook
    sys.excepthook = _abort_on_uncaught_exception


def destroy_process_group(group: Any = None) -> None:
    """Leave the process group (MPI itself is finalised when the process exits)."""
    global _comm
    if group is not None:
        raise NotImplementedError("destroy_process_group: only the default group exists")
    _default_comm("destroy_process_group")
    _comm = None
    if sys.excepthook is _abort_on_uncaught_exception:
        sys.excepthook = _previous_excepthook


def _default_comm(what: str = "this call") -> Any:
    if _comm is None:
        raise ValueError(f"{what}: Default process group has not been initialized, please make "
                         "sure to call init_process_group.")
    return _comm


def _check_group(group: Any, what: str) -> Any:
    if group is not None:
        raise NotImplementedError(f"{what}: group=; ember has only the default process group")
    return _default_comm(what)


def get_rank(group: Any = None) -> int:
    """This process's rank in the default group, 0 to world size - 1."""
    return _check_group(group, "get_rank").Get_rank()


def get_world_size(group: Any = None) -> int:
    """How many processes the default group has."""
    return _check_group(group, "get_world_size").Get_size()


def get_backend(group: Any = None) -> str:
    _check_group(group, "get_backend")
    return "mpi"


def abort(message: str, exit_code: int = 1) -> None:
    """Print ``message`` naming this rank on stderr, then end every rank of the job (MPI_Abort)."""
    comm = _default_comm("abort")
    sys.stderr.write(f"ember.distributed: rank {comm.Get_rank()} of {comm.Get_size()}: "
                     f"{message}; aborting all ranks (MPI_Abort)\n")
    sys.stderr.flush()
    sys.stdout.flush()
    comm.Abort(exit_code)


def _abort_on_uncaught_exception(kind: type, value: BaseException, traceback: Any) -> None:
    (_previous_excepthook or sys.__excepthook__)(kind, value, traceback)
    if _comm is None or _comm.Get_size() == 1:
        return
    abort(f"uncaught {kind.__name__}: {value}")
