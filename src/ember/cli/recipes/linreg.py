"""``ember train linreg``: a straight line through noisy points, fitted with the L2 and L1 losses.

The data are y = 3x + 2 plus a little noise, with 10% of the points (at the right-hand end,
where they pull hardest on the slope) dragged far below the line. Least squares (L2) squares
those big residuals and tilts towards them; the absolute error (L1) counts them only linearly
and stays with the bulk of the points. Both are fitted by gradient descent, and the L2 fit is
checked against the closed-form least-squares solution.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ember.cli.log import log
from ember.cli.recipes.regression import RegressionRecipe, RegressionSettings, plot_losses

TRUE_SLOPE, TRUE_INTERCEPT = 3.0, 2.0
SAMPLES, OUTLIER_FRACTION = 100, 0.1


def make_line(seed: int, samples: int = SAMPLES,
              outlier_fraction: float = OUTLIER_FRACTION) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
    """``(x, y, is_outlier)``: x uniform on [0, 10], y = 3x + 2 + N(0, 1), and a fraction of the
    points with x > 6 moved 15 to 30 below the line."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, samples)
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + rng.normal(0.0, 1.0, samples)
    count = int(round(outlier_fraction * samples))
    right = np.flatnonzero(x > 6.0)
    chosen = rng.choice(right, size=min(count, len(right)), replace=False)
    y[chosen] -= rng.uniform(15.0, 30.0, len(chosen))
    is_outlier = np.zeros(samples, dtype=bool)
    is_outlier[chosen] = True
    return x, y, is_outlier


def _line(model: Any) -> dict[str, float]:
    return {"slope": round(model.slope, 6), "intercept": round(model.intercept, 6)}


def run_linreg(out: Path, settings: RegressionSettings) -> dict[str, Any]:
    """Fit the L2 and L1 lines, log them beside least squares, write fit.png and loss.png."""
    from ember.models import LinearRegression

    out.mkdir(parents=True, exist_ok=True)
    x, y, is_outlier = make_line(settings.seed)
    log.info("data: %d points on y = %g x + %g with N(0, 1) noise, %d outliers (x > 6, 15 to 30 "
             "below the line)", len(x), TRUE_SLOPE, TRUE_INTERCEPT, int(is_outlier.sum()))
    exact = LinearRegression().fit(x, y, solver="closed_form")
    l2 = LinearRegression().fit(x, y, loss="mse", **settings.fit_options())
    l1 = LinearRegression().fit(x, y, loss="mae", **settings.fit_options())
    steps = len(l2.loss_history_)
    rows = [("true line", TRUE_SLOPE, TRUE_INTERCEPT, ""),
            ("L2 closed form (least squares)", exact.slope, exact.intercept, "np.linalg.lstsq"),
            ("L2 gradient descent (MSE)", l2.slope, l2.intercept,
             f"{steps} steps, final loss {l2.loss_history_[-1]:.4f}"),
            ("L1 gradient descent (MAE)", l1.slope, l1.intercept,
             f"{steps} steps, final loss {l1.loss_history_[-1]:.4f}")]
    for label, slope, intercept, note in rows:
        line = f"{label:<31} slope {slope:8.4f}  intercept {intercept:8.4f}  {note}"
        log.info("%s", line.rstrip())
    log.info("L2 gradient descent vs closed form: slope off by %.2e, intercept by %.2e",
             abs(l2.slope - exact.slope), abs(l2.intercept - exact.intercept))
    l1_error, l2_error = abs(l1.slope - TRUE_SLOPE), abs(l2.slope - TRUE_SLOPE)
    log.info("slope error: L1 %.4f, L2 %.4f -> %s", l1_error, l2_error,
             "L1 is less swayed by the outliers" if l1_error < l2_error else
             "L2 came out closer this time")
    _plot_fit(out / "fit.png", x, y, is_outlier, exact, l2, l1)
    plot_losses(out / "loss.png", {"L2 (mean squared error)": l2.loss_history_,
                                   "L1 (mean absolute error)": l1.loss_history_},
                "ember train linreg: loss per step")
    return {"data": {"samples": len(x), "outliers": int(is_outlier.sum()),
                     "true": {"slope": TRUE_SLOPE, "intercept": TRUE_INTERCEPT}},
            "closed_form": _line(exact), "l2": _line(l2), "l1": _line(l1),
            "slope_error": {"l1": round(l1_error, 6), "l2": round(l2_error, 6)},
            "final_loss": {"l2": l2.loss_history_[-1], "l1": l1.loss_history_[-1]},
            "steps": steps}


def _plot_fit(path: Path, x: np.ndarray, y: np.ndarray, is_outlier: np.ndarray, exact: Any,
              l2: Any, l1: Any) -> None:
    from ember.plotting import save_png, subplots

    figure, axis = subplots(figsize=(7, 5))
    axis.scatter(x[~is_outlier], y[~is_outlier], s=14, color="tab:gray", label="data")
    axis.scatter(x[is_outlier], y[is_outlier], s=30, marker="x", color="tab:red",
                 label="outliers")
    grid = np.linspace(0.0, 10.0, 2)
    axis.plot(grid, TRUE_SLOPE * grid + TRUE_INTERCEPT, color="black", linestyle=":",
              label=f"true: y = {TRUE_SLOPE:g}x + {TRUE_INTERCEPT:g}")
    for model, label, style in ((l2, "L2 fit (MSE)", "tab:blue"), (l1, "L1 fit (MAE)",
                                                                   "tab:green")):
        axis.plot(grid, model.slope * grid + model.intercept, color=style, linewidth=2,
                  label=f"{label}: y = {model.slope:.3f}x + {model.intercept:.3f}")
    axis.plot(grid, exact.slope * grid + exact.intercept, color="tab:blue", linestyle="--",
              linewidth=1, label="least squares (closed form)")
    axis.set_xlabel("x")
    axis.set_ylabel("y")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    axis.set_title("ember train linreg: L1 vs L2 with outliers")
    figure.tight_layout()
    save_png(figure, path)


LINREG = RegressionRecipe(
    name="linreg",
    dataset="synthetic line",
    description="y = 3x + 2 with 10% outliers: linear regression by gradient descent on L2 "
                "and L1 beside least squares; fit.png, loss.png",
    run=run_linreg,
    epochs=1000,
    lr=0.02,
    optimizer="sgd",
)

__all__ = ["LINREG", "make_line", "run_linreg"]
