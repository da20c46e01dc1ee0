"""The examples run and meet their acceptance lines."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_iris_example_meets_its_targets(tmp_path: Path, capsys: Any) -> None:
    result = load_example("keras_iris").main(out_dir=tmp_path)
    out = capsys.readouterr().out
    assert result["accuracy"] >= 0.93 and result["species"] == "versicolor"
    assert "target >= 0.93: met" in out
    assert "prediction for [6.6, 3.0, 4.4, 1.4]: versicolor" in out
    assert "identical predictions: True" in out
    assert (tmp_path / "iris_history.png").stat().st_size > 0


@pytest.mark.slow
def test_mnist_example_reaches_97_8_percent(mnist_root: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("EMBER_DATA", str(mnist_root))
    assert load_example("keras_mnist_mlp").main(verbose=0) >= 0.978
