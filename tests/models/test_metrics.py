"""Regression metrics: by hand, against scikit-learn, and the Keras registry's running twins."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

from ember.keras import metrics as keras_metrics
from ember.models import metrics

Y_TRUE = np.array([3.0, -0.5, 2.0, 7.0])
Y_PRED = np.array([2.5, 0.0, 2.0, 8.0])


def test_by_hand() -> None:
    # Errors: 0.5, -0.5, 0, -1 -> |e| sum 2, e^2 sum 1.5; mean of y = 2.875.
    assert metrics.mean_absolute_error(Y_TRUE, Y_PRED) == pytest.approx(0.5)
    assert metrics.mean_squared_error(Y_TRUE, Y_PRED) == pytest.approx(0.375)
    assert metrics.root_mean_squared_error(Y_TRUE, Y_PRED) == pytest.approx(np.sqrt(0.375))
    total = (0.125**2) + (3.375**2) + (0.875**2) + (4.125**2)
    assert metrics.r2_score(Y_TRUE, Y_PRED) == pytest.approx(1 - 1.5 / total)
    assert metrics.r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0]) == pytest.approx(0.5)
    assert metrics.accuracy_score([0, 1, 1, 2], [0, 1, 2, 2]) == pytest.approx(0.75)


def test_shapes_and_edge_cases() -> None:
    column = Y_TRUE[:, None]
    assert metrics.mean_squared_error(column, Y_PRED) == pytest.approx(0.375)
    assert metrics.r2_score([2.0, 2.0], [2.0, 2.0]) == 1.0
    assert metrics.r2_score([2.0, 2.0], [1.0, 2.0]) == 0.0
    assert metrics.r2_score(Y_TRUE, np.full(4, Y_TRUE.mean())) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="same shape"):
        metrics.mean_absolute_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="finite"):
        metrics.mean_squared_error([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least one sample"):
        metrics.r2_score([], [])


def test_against_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    for shape in [(50,), (50, 3)]:
        y = rng.normal(size=shape)
        p = y + rng.normal(0, 0.5, shape)
        assert metrics.mean_absolute_error(y, p) == pytest.approx(sk.mean_absolute_error(y, p))
        assert metrics.mean_squared_error(y, p) == pytest.approx(sk.mean_squared_error(y, p))
        assert metrics.root_mean_squared_error(y, p) == pytest.approx(
            sk.root_mean_squared_error(y, p))
        assert metrics.r2_score(y, p) == pytest.approx(sk.r2_score(y, p))


@pytest.mark.parametrize("name, function", [
    ("mae", metrics.mean_absolute_error), ("mse", metrics.mean_squared_error),
    ("rmse", metrics.root_mean_squared_error), ("r2", metrics.r2_score),
    ("r2_score", metrics.r2_score),
])
def test_keras_registry_agrees_batch_by_batch(name: str, function: object) -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=40)
    p = y + rng.normal(0, 0.3, 40)
    metric = keras_metrics.get(name)
    for begin in range(0, 40, 16):  # uneven batches: 16, 16, 8
        metric.update_state(y[begin:begin + 16], p[begin:begin + 16, None])
    assert metric.result() == pytest.approx(function(y, p), rel=1e-9)  # type: ignore[operator]
    metric.reset_state()
    metric.update_state(y[:, None], p)  # (N, 1) targets with (N,) predictions
    assert metric.result() == pytest.approx(function(y, p), rel=1e-9)  # type: ignore[operator]


def test_keras_r2_per_output_and_weighted() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(size=(30, 2)) * [1.0, 10.0]
    p = y + rng.normal(0, 1.0, (30, 2))
    metric = keras_metrics.get("r2_score")
    metric.update_state(y, p)
    assert metric.result() == pytest.approx(sk.r2_score(y, p))
    weights = rng.uniform(0.5, 2.0, 30)
    metric.reset_state()
    metric.update_state(y[:10], p[:10], sample_weight=weights[:10])
    metric.update_state(y[10:], p[10:], sample_weight=weights[10:])
    assert metric.result() == pytest.approx(sk.r2_score(y, p, sample_weight=weights))


def test_keras_names_resolve() -> None:
    assert isinstance(keras_metrics.get("mae"), keras_metrics.MeanAbsoluteError)
    assert isinstance(keras_metrics.get("mse"), keras_metrics.MeanSquaredError)
    assert isinstance(keras_metrics.get("rmse"), keras_metrics.RootMeanSquaredError)
    assert isinstance(keras_metrics.get("r2"), keras_metrics.R2Score)
