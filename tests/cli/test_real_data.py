"""The real-data recipes with fewer epochs (``pytest -m slow``); they need MNIST and GTSRB under
``$EMBER_DATA`` (or ../shared/data beside the checkout) and take minutes each on two cores."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _data_dir() -> Path:
    for candidate in (os.environ.get("EMBER_DATA"),
                      Path(__file__).resolve().parents[3] / "shared" / "data"):
        if candidate and (Path(candidate) / "mnist").is_dir() and \
                (Path(candidate) / "gtsrb").is_dir():
            return Path(candidate)
    pytest.skip("real MNIST/GTSRB not found: set EMBER_DATA to a folder with mnist/ and gtsrb/")


@pytest.mark.parametrize("recipe, epochs, key, at_least", [
    ("mnist-mlp", 3, "test_accuracy", 0.97),
    ("mnist-torch", 2, "test_accuracy", 0.95),
    ("mnist-cnn", 1, "test_accuracy", 0.97),
    ("gtsrb-logreg", 3, "accuracy", 0.60),
    ("gtsrb-ffnn", 3, "accuracy", 0.70),
    ("gtsrb-cnn", 1, "accuracy", 0.80),
])
def test_recipe_on_real_data(recipe, epochs, key, at_least, tmp_path, ember_cli) -> None:
    data = _data_dir()
    out = tmp_path / recipe
    result = ember_cli("train", recipe, "--data-dir", data, "--epochs", epochs, "--out", out)
    assert result.code == 0, result.err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics[key] >= at_least, metrics[key]
    if recipe == "mnist-torch":
        losses = [row["val_loss"] for row in metrics["history"]]
        assert losses[-1] < losses[0]
    model = next(out.glob("model.*"))
    evaluate = ember_cli("evaluate", model, "--data-dir", data, "--out", tmp_path / "eval")
    assert evaluate.code == 0, evaluate.err
    assert json.loads((tmp_path / "eval" / "metrics.json").read_text())["accuracy"] > 0.5
