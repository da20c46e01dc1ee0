"""``ember train linreg`` and ``ember train diabetes``: their run folders and reported numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn import linear_model

from ember.cli.main import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_linreg_writes_its_plots_and_prints_both_fits(tmp_path: Path, capsys) -> None:
    out = tmp_path / "linreg"
    code, printed, _ = run_cli(capsys, "train", "linreg", "--out", out)
    assert code == 0
    for name in ("fit.png", "loss.png", "metrics.json"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "fit.png").read_bytes()[:4] == b"\x89PNG"
    for fragment in ("L2 closed form (least squares)", "L2 gradient descent (MSE)",
                     "L1 gradient descent (MAE)", "slope", "intercept"):
        assert fragment in printed
    summary = json.loads((out / "metrics.json").read_text())
    exact, l2, l1 = summary["closed_form"], summary["l2"], summary["l1"]
    assert l2["slope"] == pytest.approx(exact["slope"], abs=1e-3)
    assert l2["intercept"] == pytest.approx(exact["intercept"], abs=1e-3)
    assert summary["slope_error"]["l1"] < summary["slope_error"]["l2"]
    assert abs(l1["slope"] - 3.0) < 0.2
    assert summary["steps"] == 1000 and summary["settings"]["optimizer"] == "sgd"


def test_linreg_takes_the_command_line_options(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    code, printed, _ = run_cli(capsys, "train", "linreg", "--epochs", "50", "--batch-size", "20",
                               "--optimizer", "adam", "--lr", "0.1", "--seed", "3", "--out", out)
    assert code == 0
    summary = json.loads((out / "metrics.json").read_text())
    assert summary["steps"] == 50 * 5
    assert summary["settings"] == {"epochs": 50, "batch_size": 20, "lr": 0.1,
                                   "optimizer": "adam", "seed": 3}
    assert "batch size 20, optimizer adam" in printed


def test_unknown_optimizer_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    code, _, err = run_cli(capsys, "train", "linreg", "--optimizer", "lbfgs", "--out", tmp_path)
    assert code == 2
    assert err.strip().splitlines() == [err.strip()]
    assert "unknown optimizer 'lbfgs'" in err and "adam" in err


def test_help_lists_the_regression_recipes(capsys) -> None:
    code, printed, _ = run_cli(capsys, "train", "--help")
    assert code == 0
    assert "linreg" in printed and "diabetes" in printed


def test_diabetes_reports_rmse_and_r2_for_both_models(tmp_path: Path, capsys) -> None:
    from ember.cli.recipes.diabetes import load_split
    from ember.models import metrics

    out = tmp_path / "diabetes"
    code, printed, _ = run_cli(capsys, "train", "diabetes", "--epochs", "15", "--out", out)
    assert code == 0
    for name in ("fit.png", "loss.png", "metrics.json"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "metrics.json").read_text())
    for model in ("linear_regression", "mlp"):
        assert set(summary[model]) >= {"rmse", "r2"}
        assert 0 < summary[model]["rmse"] < 100
    assert "test RMSE" in printed and "R²" in printed and "MLP" in printed

    x_train, x_test, y_train, y_test = load_split(seed=0)
    reference = linear_model.LinearRegression().fit(x_train, y_train)
    r2 = metrics.r2_score(y_test, reference.predict(x_test))
    assert summary["linear_regression"]["r2"] == pytest.approx(r2, abs=0.02)
    assert summary["least_squares"]["r2"] == pytest.approx(r2, abs=1e-6)
    assert summary["data"] == {"train": 354, "test": 88, "features": 10}
    assert len(x_test) == 88 and not np.isnan(x_test).any()
