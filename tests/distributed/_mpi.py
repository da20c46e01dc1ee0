"""Launch a worker script as a real MPI job: ``mpiexec -n N python workers/NAME.py``.

mpi4py and the ``mpich`` wheel (which brings ``mpiexec``) are dependencies of this feature that
``.ci/run`` installs, so these tests never skip: without them they fail, saying what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

WORKERS = Path(__file__).parent / "workers"


def mpiexec() -> str:
    """The ``mpiexec`` beside this Python (the mpich wheel's), else the one on PATH."""
    import mpi4py  # noqa: F401 - fails the test, not skips it, when the extra is missing

    beside = Path(sys.executable).parent / "mpiexec"
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    assert found, "no mpiexec: pip install 'ember[distributed]' (mpi4py and the mpich wheel)"
    return found


def run_workers(worker: str, *args: str, ranks: int = 2, timeout: float = 60,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``workers/<worker>.py`` on ``ranks`` processes; stdout and stderr as text."""
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "PYTHONUNBUFFERED": "1", **(env or {})}
    command = [mpiexec(), "-n", str(ranks), sys.executable, str(WORKERS / f"{worker}.py"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env=environment)


def check_ok(result: subprocess.CompletedProcess[str], ranks: int = 2) -> None:
    """Every rank printed ``OK rank R`` and the job exited cleanly."""
    report = f"exit code {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, report
    for rank in range(ranks):
        assert f"OK rank {rank}" in result.stdout, report
