"""``ember train diabetes``: scikit-learn's diabetes regression set, linear regression vs an MLP.

442 patients, 10 standardised measurements each, and a disease-progression score a year later.
80% train, 20% test (seeded). Features and target are standardised on the training part; the
models learn the standardised target and are scored in the target's own units (RMSE, R²).

- Linear regression: full-batch gradient descent (``LINEAR_EPOCHS`` steps at ``LINEAR_LR``) on
  the squared error, beside the least-squares solution and, for reference, scikit-learn's.
- MLP: 10-16-1 with ReLU, trained on mini-batches with the recipe's (or the command line's)
  epochs, learning rate, optimizer and batch size.

On so few samples the straight line is hard to beat; the run shows by how much.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ember.cli.log import log
from ember.cli.recipes.regression import RegressionRecipe, RegressionSettings, plot_losses

TEST_FRACTION = 0.2
LINEAR_EPOCHS, LINEAR_LR = 1000, 0.1
HIDDEN = 16


def load_split(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, x_test, y_train, y_test)`` of the diabetes set, shuffled with ``seed``."""
    from ember.datasets import DatasetError, train_val_test_split

    try:
        from sklearn.datasets import load_diabetes
    except ImportError:
        raise DatasetError("recipe diabetes needs scikit-learn: pip install scikit-learn") \
            from None
    bunch = load_diabetes()
    x_train, _, x_test, y_train, _, y_test = train_val_test_split(
        bunch.data, bunch.target, ratios=(1 - TEST_FRACTION, 0.0, TEST_FRACTION), seed=seed)
    return x_train, x_test, y_train, y_test


def _scores(name: str, y: np.ndarray, prediction: np.ndarray) -> dict[str, float]:
    from ember.models import metrics

    scores = {"rmse": metrics.root_mean_squared_error(y, prediction),
              "mae": metrics.mean_absolute_error(y, prediction),
              "r2": metrics.r2_score(y, prediction)}
    log.info("%-34s test RMSE %7.3f  MAE %7.3f  R² %.4f", name, scores["rmse"], scores["mae"],
             scores["r2"])
    return {key: round(value, 6) for key, value in scores.items()}


def run_diabetes(out: Path, settings: RegressionSettings) -> dict[str, Any]:
    """Fit both models, log test RMSE/MAE/R², write fit.png and loss.png; returns the summary."""
    import ember
    from ember import nn
    from ember.models import LinearRegression
    from ember.models.fitting import gradient_descent, make_optimizer
    from ember.nn import functional as F

    out.mkdir(parents=True, exist_ok=True)
    x_train, x_test, y_train, y_test = load_split(settings.seed)
    log.info("diabetes: %d samples, %d features; %d for training, %d for testing (seed %d)",
             len(x_train) + len(x_test), x_train.shape[1], len(x_train), len(x_test),
             settings.seed)
    x_mean, x_std = x_train.mean(axis=0), x_train.std(axis=0)
    y_mean, y_std = float(y_train.mean()), float(y_train.std())
    xs_train, xs_test = (x_train - x_mean) / x_std, (x_test - x_mean) / x_std
    target = (y_train - y_mean) / y_std

    linear = LinearRegression().fit(xs_train, target, epochs=LINEAR_EPOCHS, lr=LINEAR_LR)
    exact = LinearRegression().fit(xs_train, target, solver="closed_form")
    ember.manual_seed(settings.seed)
    mlp = nn.Sequential(nn.Linear(x_train.shape[1], HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 1))
    optimizer = make_optimizer(settings.optimizer, mlp, settings.lr, "diabetes")
    mlp_history = gradient_descent(mlp, xs_train.astype(np.float32),
                                   target[:, None].astype(np.float32), F.mse_loss, optimizer,
                                   settings.epochs, settings.batch_size, settings.seed)
    with ember.no_grad():
        mlp_scaled = mlp(ember.from_numpy(xs_test.astype(np.float32))).numpy()[:, 0]

    predictions = {"linear regression (gradient descent)": linear.predict(xs_test),
                   "linear regression (least squares)": exact.predict(xs_test),
                   f"MLP {x_train.shape[1]}-{HIDDEN}-1": mlp_scaled}
    predictions = {name: p * y_std + y_mean for name, p in predictions.items()}
    test = {name: _scores(name, y_test, p) for name, p in predictions.items()}
    reference = _sklearn_reference(x_train, y_train, x_test, y_test)
    test["scikit-learn LinearRegression"] = reference
    names = list(predictions)
    best = max(test, key=lambda name: test[name]["r2"])
    log.info("best test R²: %s", best)
    _plot_fit(out / "fit.png", y_test, {names[0]: predictions[names[0]],
                                        names[2]: predictions[names[2]]}, test)
    plot_losses(out / "loss.png", {f"linear regression ({LINEAR_EPOCHS} full-batch steps)":
                                   linear.loss_history_,
                                   f"MLP ({len(mlp_history)} steps)": mlp_history},
                "ember train diabetes: loss per step (standardised target)")
    return {"data": {"train": len(x_train), "test": len(x_test),
                     "features": int(x_train.shape[1])},
            "linear_regression": test[names[0]], "least_squares": test[names[1]],
            "mlp": test[names[2]], "sklearn_linear_regression": reference,
            "final_loss": {"linear_regression": linear.loss_history_[-1],
                           "mlp": mlp_history[-1]}}


def _sklearn_reference(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                       y_test: np.ndarray) -> dict[str, float]:
    from sklearn.linear_model import LinearRegression

    model = LinearRegression().fit(x_train, y_train)
    return _scores("scikit-learn LinearRegression", y_test, model.predict(x_test))


def _plot_fit(path: Path, y_test: np.ndarray, predictions: dict[str, np.ndarray],
              scores: dict[str, dict[str, float]]) -> None:
    """Predicted against actual on the test split, one panel per model."""
    from ember.plotting import save_png, subplots

    figure, axes = subplots(1, len(predictions), figsize=(5 * len(predictions), 4.5),
                            squeeze=False)
    low, high = float(y_test.min()), float(y_test.max())
    for axis, (name, prediction) in zip(axes[0], predictions.items()):
        axis.scatter(y_test, prediction, s=14, alpha=0.7)
        axis.plot([low, high], [low, high], color="black", linestyle=":", label="perfect")
        axis.set_xlabel("actual progression")
        axis.set_ylabel("predicted progression")
        axis.set_title(f"{name}\nRMSE {scores[name]['rmse']:.1f}, R² {scores[name]['r2']:.3f}",
                       fontsize=10)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle("ember train diabetes: test split")
    figure.tight_layout()
    save_png(figure, path)


DIABETES = RegressionRecipe(
    name="diabetes",
    dataset="diabetes",
    description="scikit-learn's diabetes set: linear regression vs a 10-16-1 MLP, test RMSE "
                "and R²; fit.png, loss.png",
    run=run_diabetes,
    epochs=60,
    lr=0.005,
    optimizer="adam",
    batch_size=32,
)

__all__ = ["DIABETES", "load_split", "run_diabetes"]
