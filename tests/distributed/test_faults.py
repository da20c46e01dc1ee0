"""A failing rank ends the whole MPI job quickly, never leaving the others waiting."""

import time

import pytest
from tests.distributed._mpi import run_workers


@pytest.mark.parametrize("failure", ["raise", "kill"])
def test_a_failing_rank_ends_the_job_in_seconds(failure):
    started = time.perf_counter()
    result = run_workers("fault", failure, timeout=60)
    seconds = time.perf_counter() - started
    assert result.returncode != 0, result.stdout + result.stderr
    assert seconds < 30, f"the job took {seconds:.1f} s to end"
    assert "went on without" not in result.stdout
    if failure == "raise":
        # The traceback, then one line naming the rank that failed and the error.
        assert "ValueError: the data on rank 1 is broken" in result.stderr
        assert "ember.distributed: rank 1 of 2: uncaught ValueError" in result.stderr
        assert "MPI_Abort" in result.stderr
