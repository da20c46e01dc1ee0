"""``keras.Model.fit`` under ``mpiexec -n 2`` once a process group is initialised."""

from tests.distributed._mpi import check_ok, run_workers


def test_fit_on_two_ranks_equals_fit_in_one_process(tmp_path):
    result = run_workers("keras_fit", str(tmp_path))
    check_ok(result)
    # Rank 0 alone prints: one line per epoch, not two.
    assert result.stdout.count("Epoch 1/3") == 1, result.stdout
