"""``mpiexec -n 2 ember train RECIPE``: data-parallel training, one run folder by rank 0."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli.conftest import make_mnist
from tests.distributed._mpi import mpiexec


def ember_train(ranks, cwd, *args, timeout=240):
    command = [sys.executable, "-m", "ember", "train", *args]
    if ranks > 1:
        command = [mpiexec(), "-n", str(ranks), *command]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def history(folder):
    return json.loads((Path(folder) / "metrics.json").read_text())["history"]


@pytest.mark.slow  # five CLI runs: about 15 s
def test_torch_recipe_on_two_ranks_follows_one_process(tmp_path):
    # mnist-torch (SGD with momentum through a DataLoader) on a tiny MNIST: the two ranks share
    # each global batch of 64, so validation after every epoch is the one process's.
    data = make_mnist(tmp_path / "data", n_train=200, n_test=20).parent
    options = ["mnist-torch", "--data-dir", str(data), "--epochs", "2"]
    ember_train(1, tmp_path, *options, "--out", str(tmp_path / "one"))
    result = ember_train(2, tmp_path, *options)
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1, runs  # one run folder, named by rank 0
    one, two = history(tmp_path / "one"), history(runs[0])
    assert len(one) == len(two) == 2
    for a, b in zip(one, two):
        assert b["val_loss"] == pytest.approx(a["val_loss"], rel=1e-5, abs=1e-6)
        assert b["val_accuracy"] == a["val_accuracy"]
    # Rank 0 alone logs: each epoch once.
    assert result.stdout.count("epoch 1/2") == 1, result.stdout
    # Stopped after one epoch and resumed on 2 ranks: the same two epochs again.
    ember_train(2, tmp_path, *options[:-1], "1", "--out", str(tmp_path / "resumed"))
    ember_train(2, tmp_path, *options, "--out", str(tmp_path / "resumed"), "--resume")
    for a, b in zip(one, history(tmp_path / "resumed")):
        assert b["val_loss"] == pytest.approx(a["val_loss"], rel=1e-5, abs=1e-6)


@pytest.mark.slow  # two 2-rank CLI runs: about 15 s on 2 busy cores
def test_keras_recipe_on_two_ranks_resumes(tmp_path):
    out = tmp_path / "iris"
    ember_train(2, tmp_path, "iris", "--epochs", "2", "--out", str(out))
    assert len(history(out)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iris"]
    ember_train(2, tmp_path, "iris", "--epochs", "4", "--out", str(out), "--resume")
    rows = history(out)
    assert [row["epoch"] for row in rows] == [1, 2, 3, 4]
    assert rows[-1]["val_accuracy"] >= 0.6


def test_an_error_on_the_ranks_ends_the_job_with_the_message(tmp_path):
    command = [mpiexec(), "-n", "2", sys.executable, "-m", "ember", "train", "mnist-torch",
               "--data-dir", str(tmp_path / "missing")]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "ember.distributed: rank" in result.stderr and "ember: error:" in result.stderr
