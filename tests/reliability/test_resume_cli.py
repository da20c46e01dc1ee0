"""``ember train --resume``: a run SIGKILLed mid-epoch and resumed from its per-epoch checkpoint
ends with the same weights, bit for bit, as the same seeded run left alone, on both training
paths (Keras ``iris``; PyTorch-style test-only recipes with augmented ``ArrayBatches`` and with
a ``DataLoader``). The command's other ``--resume`` rules: tests/cli/test_resume.py."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from ember.cli.checkpoint import checkpoint_path, load_checkpoint
from ember.serialization import load_safetensors

EPOCHS = 4

# Runs `ember train` after registering two small PyTorch-style recipes on scikit-learn's digits
# (dropout draws from ember's generator; "tiny-torch" shuffles and augments with ArrayBatches'
# own generator under a cosine schedule, "tiny-loader" shuffles through a DataLoader). PAUSE
# seconds of sleep per training batch give the test time to kill the process mid-epoch.
RUNNER = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import ember.cli.recipes as registry
    from ember.cli.recipes.base import Recipe
    from ember.cli.recipes.toy import _digits_preprocessing, _load_digits
    from ember.cli.recipes.torch_common import torch_trainer
    from ember.cli.training import cosine_schedule
    from ember.keras.models.model import Model

    PAUSE = float(os.environ.get("PAUSE", "0"))

    def build(arch):
        from ember import nn
        return nn.Sequential(nn.Linear(64, int(arch["hidden"])), nn.ReLU(), nn.Dropout(0.2),
                             nn.Linear(int(arch["hidden"]), 10))

    def loss(out, target):
        import ember.nn.functional as F
        if out.requires_grad:
            time.sleep(PAUSE)
        return F.cross_entropy(out, target)

    def noise(x, rng):
        return x + rng.normal(0, 0.1, x.shape).astype(np.float32)

    def recipe(name, **changes):
        fields = dict(name=name, family="torch", dataset="digits", description="test only",
                      load=_load_digits, preprocessing=_digits_preprocessing,
                      architecture={"hidden": 32}, build=build, output="logits", epochs=4,
                      batch_size=64, lr=0.01, optimizer="adam")
        return Recipe(**{**fields, **changes})

    TESTING = [recipe("tiny-torch", train=torch_trainer(loss, augment=noise,
                                                        schedule=cosine_schedule)),
               recipe("tiny-loader", train=torch_trainer(loss, dataloader=True),
                      optimizer="sgd", optimizer_extras={"momentum": 0.9})]
    known = registry._all
    registry._all = lambda: {**known(), **{r.name: r for r in TESTING}}

    train_step = Model.train_step
    def slow_train_step(self, *args):
        time.sleep(PAUSE)
        return train_step(self, *args)
    Model.train_step = slow_train_step

    from ember.cli.main import main
    sys.exit(main(sys.argv[1:]))
""")


def _ember(*args: str, pause: float = 0.0) -> subprocess.Popen[str]:
    env = {**os.environ, "PAUSE": str(pause)}
    return subprocess.Popen([sys.executable, "-c", RUNNER, *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _train(*args: str) -> str:
    process = _ember("train", *args)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    return out


def _weights(folder: Path, family: str) -> dict[str, np.ndarray]:
    if family == "keras":
        from ember.keras.models.saving import read_members
        from ember.serialization import safetensors_from_bytes

        members = read_members(folder / "model.keras")
        return dict(safetensors_from_bytes(members["model.weights.safetensors"])[0])
    return dict(load_safetensors(folder / "model.safetensors")[0])


def _history(folder: Path) -> list[dict[str, str]]:
    with open(folder / "history.csv", newline="") as handle:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(handle)]


@pytest.mark.parametrize(("recipe", "family", "pause"), [
    ("iris", "keras", 0.05),  # 9 batches an epoch
    ("tiny-torch", "torch", 0.02),  # 26 batches an epoch
    pytest.param("tiny-loader", "torch", 0.02, marks=pytest.mark.slow),  # the DataLoader path
])
def test_killed_mid_epoch_and_resumed_matches_the_run_left_alone(
        tmp_path: Path, recipe: str, family: str, pause: float) -> None:
    alone, killed = tmp_path / "alone", tmp_path / "killed"
    common = ("--epochs", EPOCHS, "--seed", 3)
    alone_process = _ember("train", recipe, "--out", alone, *common)

    process = _ember("train", recipe, "--out", killed, *common, pause=pause)
    checkpoint = checkpoint_path(killed, family)
    try:
        deadline = time.monotonic() + 60
        while not checkpoint.exists():
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "no checkpoint after 60 s"
            time.sleep(0.01)
        time.sleep(pause * 3)  # a few batches into the next epoch
        process.kill()  # SIGKILL
    finally:
        process.kill()
        process.wait()
    assert not (killed / "metrics.json").exists()
    finished = load_checkpoint(killed, family, recipe).epochs_finished
    assert 1 <= finished < EPOCHS

    out = _train(recipe, "--out", killed, "--resume")  # the settings come from the checkpoint
    assert f"after {finished} finished epoch(s)" in out
    assert f"epoch {EPOCHS}/{EPOCHS}: loss" in out and "epoch 1/" not in out
    alone_out, _ = alone_process.communicate(timeout=120)
    assert alone_process.returncode == 0, alone_out

    expected, got = _weights(alone, family), _weights(killed, family)
    assert expected.keys() == got.keys()
    for name in expected:
        assert np.array_equal(expected[name], got[name]), name
    alone_rows, killed_rows = _history(alone), _history(killed)
    assert len(killed_rows) == EPOCHS and killed_rows == alone_rows  # losses and accuracies
    assert not list(killed.glob(".*tmp"))  # the killed run's temporary file was cleaned up
