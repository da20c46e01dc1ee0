"""``LinearRegression``: y = x w + b, fitted by gradient descent or by least squares.

The first model of every course: a straight line through points, found by minimising a loss.
The squared error (L2) has a closed-form answer; the absolute error (L1) and Huber's loss are
less swayed by outliers and are found by gradient descent alone.

>>> from ember.models import LinearRegression
>>> x = np.linspace(-1, 1, 50)
>>> model = LinearRegression().fit(x, 3 * x + 2, epochs=500, lr=0.1)
>>> round(model.slope, 3), round(model.intercept, 3)
(3.0, 2.0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.creation import from_numpy
from ember.models import metrics
from ember.models._base import LinearModel
from ember.models.fitting import (
    check_positive,
    check_targets,
    gradient_descent,
    make_optimizer,
)
from ember.nn import functional as F
from ember.tensor import Tensor

LOSS_NAMES = {"mse": "mse", "l2": "mse", "mae": "mae", "l1": "mae", "huber": "huber"}
SOLVERS = ("gd", "closed_form")


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The L2-optimal ``(coef, intercept)`` through ``np.linalg.lstsq`` on ``[x, 1]``.

    x: (N, F), y: (N, k) -> coef (k, F), intercept (k,).
    """
    design = np.hstack([x, np.ones((len(x), 1))])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    return solution[:-1].T, solution[-1]


def regression_loss(loss: str | Callable[[Tensor, Tensor], Tensor], delta: float = 1.0,
                    who: str = "LinearRegression.fit") -> Callable[[Tensor, Tensor], Tensor]:
    """The loss function for ``"mse"``/``"l2"``, ``"mae"``/``"l1"`` or ``"huber"`` (or a callable
    ``loss(prediction, target) -> scalar Tensor``, returned as is)."""
    if callable(loss):
        return loss
    name = LOSS_NAMES.get(str(loss).lower())
    if name == "mse":
        return F.mse_loss
    if name == "mae":
        return F.l1_loss
    if name == "huber":
        check_positive(delta, "delta", who)
        return lambda prediction, target: F.huber_loss(prediction, target, delta=delta)
    raise ValueError(f"{who}: unknown loss {loss!r}; use 'mse' (L2), 'mae' (L1), 'huber' "
                     "or a function loss(prediction, target)")


class LinearRegression(LinearModel):
    """Ordinary linear regression as an ``nn.Module``: ``forward(x)`` is ``x W^T + b``.

    in_features: inputs per sample (``None``: taken from the first ``fit``); out_features:
    targets per sample. After ``fit``: ``coef_``, ``intercept_``, ``loss_history_`` (the loss
    at every step) and, for one feature and one target, ``slope`` and ``intercept``.
    """

    def __init__(self, in_features: int | None = None, out_features: int = 1,
                 dtype: Any = None) -> None:
        check_positive(out_features, "out_features", "LinearRegression", integer=True)
        super().__init__(in_features, out_features, dtype)
        self.loss_history_: list[float] = []

    def fit(self, x: Any, y: Any, epochs: int = 1000, lr: float = 0.1,
            batch_size: int | None = None, optimizer: Any = "sgd",
            loss: str | Callable[[Tensor, Tensor], Tensor] = "mse", solver: str = "gd",
            seed: int | None = None, delta: float = 1.0,
            warm_start: bool = False) -> LinearRegression:
        """Fit to x: (N, in_features) or (N,), y: (N,) or (N, out_features); returns self.

        solver ``"gd"`` runs ``epochs`` passes of gradient descent with ``optimizer`` (a name
        such as ``"sgd"``/``"adam"``, an ``ember.optim`` class, or an instance over this model's
        parameters) at learning rate ``lr``, full batch (``batch_size=None``) or in shuffled
        mini-batches seeded by ``seed``, minimising ``loss``: ``"mse"`` (L2), ``"mae"`` (L1)
        or ``"huber"`` (with ``delta``). Solver ``"closed_form"`` solves least squares directly
        (L2 only). Weights start at zero unless ``warm_start``.
        """
        who = "LinearRegression.fit"
        if solver not in SOLVERS:
            raise ValueError(f"{who}: unknown solver {solver!r}; use 'gd' or 'closed_form'")
        loss_fn = regression_loss(loss, delta, who)
        features = self._start(x, warm_start)
        target = self._targets(y, len(features), who)
        if solver == "closed_form":
            if callable(loss) or LOSS_NAMES.get(str(loss).lower()) != "mse":
                raise ValueError(f"{who}: solver='closed_form' solves least squares, so it needs "
                                 f"loss='mse' (got {loss!r}); use solver='gd' for L1 or Huber")
            self.set_params(*least_squares(features, target))
            prediction = from_numpy(self._outputs(features))
            self.loss_history_ = [float(loss_fn(prediction, from_numpy(target)).item())]
            return self
        check_positive(epochs, "epochs", who, integer=True)
        check_positive(lr, "lr", who)
        if batch_size is not None:
            check_positive(batch_size, "batch_size", who, integer=True)
        opt = make_optimizer(optimizer, self, lr, who)
        dtype = self.param_dtype
        self.loss_history_ = gradient_descent(self, features.astype(dtype), target.astype(dtype),
                                              loss_fn, opt, epochs, batch_size, seed)
        return self

    def _targets(self, y: Any, n: int, who: str) -> np.ndarray:
        """y as (N, out_features) float64."""
        target = check_targets(y, n, who)
        if target.ndim == 1:
            target = target[:, None]
        if target.shape[1] != self.out_features:
            raise ValueError(f"{who}: y has {target.shape[1]} target(s) per sample but the model "
                             f"has out_features={self.out_features} (y shape {np.shape(y)})")
        return target

    def predict(self, x: Any) -> np.ndarray:
        """Predictions for x: (N, in_features) -> (N,) for one target, else (N, out_features)."""
        out = self._outputs(self._checked(x, "predict"))
        return out[:, 0] if self.out_features == 1 else out

    def score(self, x: Any, y: Any) -> float:
        """R² of the predictions on (x, y)."""
        target = self._targets(y, len(self._checked(x, "score")), "LinearRegression.score")
        return metrics.r2_score(target, self.predict(x).reshape(target.shape))

    @property
    def slope(self) -> float:
        """The fitted line's slope (one feature, one target only)."""
        self._check_line("slope")
        return float(self.coef_[0])

    @property
    def intercept(self) -> float:
        """The fitted line's intercept (one feature, one target only)."""
        self._check_line("intercept")
        return float(self.intercept_)

    def _check_line(self, name: str) -> None:
        if self._layer().in_features != 1 or self.out_features != 1:
            raise ValueError(f"LinearRegression.{name} is for a line (1 feature, 1 target); this "
                             f"model has {self.in_features} feature(s) and {self.out_features} "
                             "target(s): use coef_ and intercept_")
