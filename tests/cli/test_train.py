"""``ember train``: the fast recipes end to end, options, and Ctrl-C."""

from __future__ import annotations

import csv
import json

import pytest
from tests.cli.conftest import assert_one_line_error

import ember.cli.training as training

RUN_FILES = ("history.csv", "curves.png", "confusion.png", "metrics.json")


def test_train_iris_writes_every_output(iris_model) -> None:
    out = iris_model.parent
    for name in RUN_FILES + ("model.keras",):
        assert (out / name).stat().st_size > 0, name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["accuracy"] >= 0.9
    assert metrics["epochs_finished"] == 30 and not metrics["interrupted"]
    assert metrics["command"].startswith("ember train iris")
    assert len(metrics["validation"]["per_class"]) == 3
    assert set(metrics["timings"]) >= {"load_seconds", "train_seconds", "epoch_seconds"}
    rows = list(csv.DictReader(open(out / "history.csv")))
    assert len(rows) == 30 and {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(rows[0])
    assert not list(out.glob(".*tmp"))  # atomic writes leave no temp files


def test_train_digits_end_to_end(tmp_path, ember_cli) -> None:
    result = ember_cli("train", "digits", "--epochs", "15", "--out", tmp_path, "--seed", "1")
    assert result.code == 0, result.err
    for name in RUN_FILES + ("model.keras",):
        assert (tmp_path / name).is_file(), name
    assert json.loads((tmp_path / "metrics.json").read_text())["accuracy"] >= 0.93
    assert " INFO epoch 15/15: loss " in result.out
    assert "digits: 1797 samples" in result.out


def test_log_lines_are_timestamped(tmp_path, ember_cli) -> None:
    result = ember_cli("train", "iris", "--epochs", "2", "--out", tmp_path)
    first = result.out.splitlines()[0]
    date, clock, level = first.split()[:3]
    assert len(date) == 10 and date[4] == "-" and len(clock) == 8 and level == "INFO"


def test_options_override_the_recipe(tmp_path, ember_cli) -> None:
    result = ember_cli("train", "iris", "--epochs", "3", "--batch-size", "8", "--lr", "0.01",
                       "--optimizer", "Adam", "--out", tmp_path)
    assert result.code == 0, result.err
    settings = json.loads((tmp_path / "metrics.json").read_text())["settings"]
    assert settings == {"epochs": 3, "batch_size": 8, "lr": 0.01, "optimizer": "adam",
                        "seed": 0}


def test_unknown_optimizer_lists_the_known_ones(tmp_path, ember_cli) -> None:
    result = ember_cli("train", "iris", "--optimizer", "lbfgs", "--out", tmp_path)
    assert_one_line_error(result, "lbfgs", "adam", "rmsprop", "sgd")


def test_unknown_recipe_lists_the_known_ones(ember_cli) -> None:
    result = ember_cli("train", "resnet")
    assert_one_line_error(result, "resnet", "iris", "gtsrb-cnn")


@pytest.mark.parametrize("recipe", ["iris", "gtsrb-logreg"])
def test_ctrl_c_saves_the_finished_epochs(recipe, tmp_path, ember_cli, monkeypatch) -> None:
    from tests.cli.conftest import make_gtsrb

    real_log_epoch = training.log_epoch

    def interrupt_at_epoch_2(epoch, epochs, logs):
        real_log_epoch(epoch, epochs, logs)
        if epoch == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(training, "log_epoch", interrupt_at_epoch_2)
    data = ["--imdir", make_gtsrb(tmp_path / "data")] if recipe != "iris" else []
    out = tmp_path / "run"
    result = ember_cli("train", recipe, "--epochs", "5", "--out", out, *data)
    assert result.code == 130
    assert "interrupted (Ctrl-C) after 2 finished epoch(s)" in result.out
    assert "saved the 2 finished epoch(s)" in result.out
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] and metrics["epochs_finished"] == 2
    assert len(list(csv.DictReader(open(out / "history.csv")))) == 2
    model = "model.keras" if recipe == "iris" else "model.safetensors"
    assert ember_cli("summary", out / model).code == 0


def test_python_dash_m_ember_runs(tmp_path) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "ember", "--help"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and "train" in result.stdout


def test_progress_bar_only_on_a_terminal(tmp_path, ember_cli, monkeypatch) -> None:
    from tests.cli.conftest import make_gtsrb

    images = make_gtsrb(tmp_path / "data")
    quiet = ember_cli("train", "gtsrb-logreg", "--imdir", images, "--epochs", "1",
                      "--out", tmp_path / "a")
    assert "/step" not in quiet.out
    monkeypatch.setattr(training, "is_terminal", lambda: True)
    drawn = ember_cli("train", "gtsrb-logreg", "--imdir", images, "--epochs", "1",
                      "--out", tmp_path / "b")
    assert drawn.code == 0 and "1/1" in drawn.out and "/step" in drawn.out
