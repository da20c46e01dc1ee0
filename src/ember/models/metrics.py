"""Regression and classification scores on whole arrays, with scikit-learn's names and maths.

>>> from ember.models import metrics
>>> metrics.mean_absolute_error([3.0, 5.0], [2.0, 7.0])
1.5
>>> metrics.r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])
0.5

Several outputs (``(N, k)`` arrays) are scored per output and averaged with equal weights, as
scikit-learn's default ``multioutput="uniform_average"``. These are the one-shot twins of the
running Keras metrics ``"mae"``, ``"mse"``, ``"rmse"`` and ``"r2_score"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.tensor import Tensor

__all__ = ["accuracy_score", "mean_absolute_error", "mean_squared_error", "r2_score",
           "root_mean_squared_error"]


def _array(value: Any, name: str, who: str) -> np.ndarray:
    if isinstance(value, Tensor):
        value = value.detach().numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {name} must hold numbers, got dtype {array.dtype}")
    return array.astype(np.float64)


def _pair(y_true: Any, y_pred: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays as float64 ``(N, k)``; ``(N,)`` and ``(N, 1)`` are the same thing."""
    true, pred = _array(y_true, "y_true", who), _array(y_pred, "y_pred", who)
    if true.ndim == 1:
        true = true[:, None]
    if pred.ndim == 1:
        pred = pred[:, None]
    if true.ndim != 2 or true.shape != pred.shape:
        raise ValueError(f"{who}: y_true and y_pred must have the same shape, (N,) or (N, k); "
                         f"got {np.shape(y_true)} and {np.shape(y_pred)}")
    if true.shape[0] == 0:
        raise ValueError(f"{who}: needs at least one sample, got empty arrays")
    if not (np.isfinite(true).all() and np.isfinite(pred).all()):
        raise ValueError(f"{who}: y_true and y_pred must be finite (found NaN or infinity)")
    return true, pred


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """Mean of ``|y_true - y_pred|`` (the L1 loss)."""
    true, pred = _pair(y_true, y_pred, "mean_absolute_error")
    return float(np.abs(true - pred).mean(axis=0).mean())


def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """Mean of ``(y_true - y_pred)**2`` (the L2 loss)."""
    true, pred = _pair(y_true, y_pred, "mean_squared_error")
    return float(((true - pred) ** 2).mean(axis=0).mean())


def root_mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """Square root of the mean squared error, in the targets' own units.

    Several outputs: the mean of each output's RMSE (as scikit-learn).
    """
    true, pred = _pair(y_true, y_pred, "root_mean_squared_error")
    return float(np.sqrt(((true - pred) ** 2).mean(axis=0)).mean())


def r2_score(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination ``1 - SS_res / SS_tot``: 1 is perfect, 0 is as good as
    predicting the mean, negative is worse.

    A constant ``y_true`` (``SS_tot = 0``) scores 1.0 if predicted exactly, else 0.0, as
    scikit-learn does.
    """
    true, pred = _pair(y_true, y_pred, "r2_score")
    residual = ((true - pred) ** 2).sum(axis=0)
    total = ((true - true.mean(axis=0)) ** 2).sum(axis=0)
    scores = np.where(total > 0, 1.0 - residual / np.where(total > 0, total, 1.0),
                      np.where(residual > 0, 0.0, 1.0))
    return float(scores.mean())


def accuracy_score(y_true: Any, y_pred: Any) -> float:
    """Fraction of labels predicted exactly."""
    true, pred = _pair(y_true, y_pred, "accuracy_score")
    return float((true == pred).all(axis=1).mean())
