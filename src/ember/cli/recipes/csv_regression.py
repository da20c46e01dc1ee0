"""``ember train csv`` when the target is a measurement: an MLP regressor on the table.

A target column of numbers that are not all whole, or of more than ``MAX_CLASSES`` distinct
whole numbers, is regressed rather than classified. Features are encoded as for the
classifier (:mod:`ember.cli.table`); the target is standardised on the training rows, an MLP
(features-64-64-1, ReLU) learns it by mini-batch gradient descent on the squared error, and
the held-out 20% is scored in the target's own units (RMSE, MAE, R²). Like ``linreg`` and
``diabetes``, the run writes fit.png, loss.png and metrics.json (no model file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ember.cli.log import log
from ember.cli.recipes.regression import RegressionRecipe, RegressionSettings, plot_losses
from ember.cli.table import encode, is_numeric, read_csv, table_spec
from ember.datasets import DatasetError

VAL_FRACTION = 0.2
MAX_CLASSES = 20
HIDDEN = (64, 64)


def is_regression_target(path: str, target: str) -> bool:
    """Whether ``target`` in the CSV file at ``path`` holds measurements (see the module)."""
    header, rows = read_csv(path)
    if target not in header:
        return False  # the classifier's loader reports the missing column
    column = np.array([row[header.index(target)] for row in rows], dtype=str)
    if not is_numeric(column) or np.any(column == ""):
        return False
    values = column.astype(np.float64)
    return bool(np.any(values != np.round(values)) or len(np.unique(values)) > MAX_CLASSES)


def _scores(name: str, y: np.ndarray, prediction: np.ndarray) -> dict[str, float]:
    from ember.models import metrics

    scores = {"rmse": metrics.root_mean_squared_error(y, prediction),
              "mae": metrics.mean_absolute_error(y, prediction),
              "r2": metrics.r2_score(y, prediction)}
    log.info("%s: validation RMSE %.4g, MAE %.4g, R² %.4f", name, scores["rmse"], scores["mae"],
             scores["r2"])
    return {key: round(float(value), 6) for key, value in scores.items()}


def _plot_fit(path: Path, y: np.ndarray, prediction: np.ndarray, target: str,
              scores: dict[str, float]) -> None:
    from ember.plotting import save_png, subplots

    figure, axes = subplots(1, 1, figsize=(5, 4.5), squeeze=False)
    axis = axes[0][0]
    axis.scatter(y, prediction, s=14, alpha=0.7)
    low, high = float(y.min()), float(y.max())
    axis.plot([low, high], [low, high], color="black", linestyle=":", label="perfect")
    axis.set_xlabel(f"actual {target}")
    axis.set_ylabel(f"predicted {target}")
    axis.set_title(f"RMSE {scores['rmse']:.4g}, R² {scores['r2']:.3f}", fontsize=10)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.suptitle("ember train csv: validation rows")
    figure.tight_layout()
    save_png(figure, path)


def _run(path: str, target: str, out: Path, settings: RegressionSettings) -> dict[str, Any]:
    import ember
    from ember import nn
    from ember.datasets import train_val_test_split
    from ember.models.fitting import gradient_descent, make_optimizer
    from ember.nn import functional as F

    out.mkdir(parents=True, exist_ok=True)
    header, rows = read_csv(path)
    cells = np.array(rows, dtype=str)
    column = header.index(target)
    y = cells[:, column].astype(np.float64)
    features = [name for i, name in enumerate(header) if i != column]
    if not features:
        raise DatasetError(f"{path}: no feature columns besides the target {target!r}")
    x = np.delete(cells, column, axis=1)
    x_train, x_val, _, y_train, y_val, _ = train_val_test_split(
        x, y, ratios=(1 - VAL_FRACTION, VAL_FRACTION, 0.0), seed=settings.seed)
    spec = {**table_spec(features, x_train), "target": target}
    xs_train, xs_val = encode(spec, x_train), encode(spec, x_val)
    mean, std = float(y_train.mean()), float(y_train.std()) or 1.0
    log.info("%s: %d rows; target %r regressed (numbers, %d distinct); %d rows for training, "
             "%d held out (seed %d)", path, len(y), target, len(np.unique(y)), len(y_train),
             len(y_val), settings.seed)
    ember.manual_seed(settings.seed)
    sizes = [xs_train.shape[1], *HIDDEN]
    layers: list[Any] = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    mlp = nn.Sequential(*layers, nn.Linear(sizes[-1], 1))
    optimizer = make_optimizer(settings.optimizer, mlp, settings.lr, "csv")
    history = gradient_descent(mlp, xs_train, ((y_train - mean) / std)[:, None].astype(np.float32),
                               F.mse_loss, optimizer, settings.epochs, settings.batch_size,
                               settings.seed)
    with ember.no_grad():
        prediction = mlp(ember.from_numpy(xs_val)).numpy()[:, 0] * std + mean
    name = f"MLP {'-'.join(map(str, sizes))}-1"
    scores = _scores(name, y_val, prediction)
    baseline = _scores("predicting the training mean", y_val, np.full_like(y_val, mean))
    _plot_fit(out / "fit.png", y_val, prediction, target, scores)
    plot_losses(out / "loss.png", {f"{name} ({len(history)} steps)": history},
                "ember train csv: loss per step (standardised target)")
    return {"data": {"file": path, "target": target, "train": len(y_train),
                     "validation": len(y_val), "features": features},
            "mlp": scores, "mean_baseline": baseline, "final_loss": history[-1]}


def csv_regression(path: str, target: str) -> RegressionRecipe:
    """The regression run of ``ember train csv --file path --target target``."""
    return RegressionRecipe(
        name="csv", dataset="csv",
        description="your own table with a numeric target: MLP regressor, validation RMSE/R²",
        run=lambda out, settings: _run(path, target, out, settings),
        epochs=30, lr=0.001, optimizer="adam", batch_size=32)
