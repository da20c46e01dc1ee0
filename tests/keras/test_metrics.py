"""Keras metrics against hand-computed values (and scikit-learn's ROC AUC)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sklearn_metrics

from ember import keras
from ember.keras import metrics

PROBS = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]],
                 np.float32)
LABELS = np.array([1, 2, 2, 0])
ONE_HOT = np.eye(3, dtype=np.float32)[LABELS]


def result(metric: metrics.Metric, y_true: object, y_pred: object, **kwargs: object) -> float:
    metric.update_state(y_true, y_pred, **kwargs)
    return metric.result()


def test_accuracy_variants() -> None:
    assert result(metrics.SparseCategoricalAccuracy(), LABELS, PROBS) == pytest.approx(0.5)
    assert result(metrics.SparseCategoricalAccuracy(), LABELS[:, None], PROBS) == \
        pytest.approx(0.5)
    assert result(metrics.CategoricalAccuracy(), ONE_HOT, PROBS) == pytest.approx(0.5)
    binary = np.array([0.2, 0.8, 0.6, 0.4], np.float32)[:, None]
    assert result(metrics.BinaryAccuracy(), np.array([0, 1, 0, 0]), binary) == \
        pytest.approx(0.75)
    assert result(metrics.BinaryAccuracy(threshold=0.7), np.array([0, 1, 1, 0]), binary) == \
        pytest.approx(0.75)
    # 'accuracy' picks the variant from the shapes it sees.
    assert result(metrics.get("accuracy"), LABELS, PROBS) == pytest.approx(0.5)
    assert result(metrics.get("accuracy"), ONE_HOT, PROBS) == pytest.approx(0.5)
    assert result(metrics.get("acc"), np.array([0, 1, 0, 0]), binary) == pytest.approx(0.75)
    assert metrics.get("acc").name == "accuracy"


def test_accuracy_accumulates_and_weights_and_resets() -> None:
    metric = metrics.SparseCategoricalAccuracy()
    metric.update_state(LABELS[:2], PROBS[:2])  # 1 of 2
    metric.update_state(LABELS[2:], PROBS[2:])  # 1 of 2
    assert metric.result() == pytest.approx(0.5)
    metric.reset_state()
    weights = np.array([3, 1, 0, 0], np.float32)
    assert result(metric, LABELS, PROBS, sample_weight=weights) == pytest.approx(0.75)
    metric.reset_state()
    assert metric.result() == 0.0


def test_top_k() -> None:
    # Top-2 hits: row 0 (1 in {1,2}), row 1 (2 not in {0,1}), row 2 (2), row 3 (0 in {1, 0|2}).
    top2 = metrics.SparseTopKCategoricalAccuracy(k=2)
    probs = PROBS.copy()
    probs[3] = [0.35, 0.4, 0.25]
    assert result(top2, LABELS, probs) == pytest.approx(0.75)
    assert result(metrics.TopKCategoricalAccuracy(k=2), ONE_HOT, probs) == pytest.approx(0.75)
    assert result(metrics.TopKCategoricalAccuracy(k=1), ONE_HOT, probs) == pytest.approx(0.5)


def test_regression_metrics() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    p = np.array([1.5, 1.0, 3.0, 6.0], np.float32)[:, None]
    d = p[:, 0] - y
    assert result(metrics.MeanAbsoluteError(), y, p) == pytest.approx(np.abs(d).mean())
    assert result(metrics.MeanSquaredError(), y, p) == pytest.approx((d**2).mean())
    assert result(metrics.RootMeanSquaredError(), y, p) == pytest.approx(np.sqrt((d**2).mean()))
    w = np.array([1, 1, 1, 0], np.float32)
    assert result(metrics.MeanSquaredError(), y, p, sample_weight=w) == \
        pytest.approx((d[:3]**2).mean())
    r2 = 1 - (d**2).sum() / ((y - y.mean())**2).sum()
    assert result(metrics.R2Score(), y, p) == pytest.approx(r2, rel=1e-6)
    metric = metrics.R2Score()
    metric.update_state(y[:2], p[:2])
    metric.update_state(y[2:], p[2:])
    assert metric.result() == pytest.approx(r2, rel=1e-6)


def test_precision_and_recall() -> None:
    y = np.array([1, 1, 0, 0, 1, 0])
    p = np.array([0.9, 0.3, 0.6, 0.1, 0.8, 0.2], np.float32)
    # Predicted positive (> 0.5): samples 0, 2, 4; true positives 0 and 4.
    assert result(metrics.Precision(), y, p) == pytest.approx(2 / 3)
    assert result(metrics.Recall(), y, p) == pytest.approx(2 / 3)
    assert result(metrics.Precision(thresholds=0.85), y, p) == pytest.approx(1.0)
    assert result(metrics.Recall(thresholds=0.85), y, p) == pytest.approx(1 / 3)
    assert metrics.Precision().result() == 0.0


def test_auc_matches_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(400) > 0.6).astype(np.int64)
    p = np.clip(0.3 * y + rng.random(400) * 0.7, 0, 1).astype(np.float32)
    expected = sklearn_metrics.roc_auc_score(y, p)
    auc = metrics.AUC()
    auc.update_state(y[:200], p[:200])
    auc.update_state(y[200:], p[200:])
    assert auc.result() == pytest.approx(expected, abs=5e-3)
    fine = metrics.AUC(num_thresholds=2000)
    assert result(fine, y, p) == pytest.approx(expected, abs=1e-3)


def test_metrics_in_compile_become_history_keys(blobs: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = blobs
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["acc", metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")])
    history = model.fit(x, y, epochs=1, verbose=0, validation_split=0.25)
    assert sorted(history.history) == ["accuracy", "loss", "top2", "val_accuracy", "val_loss",
                                       "val_top2"]


def test_accuracy_in_fit_matches_predictions(blobs: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = blobs
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    loss, accuracy = model.evaluate(x, y, verbose=0, batch_size=7)
    assert accuracy == pytest.approx((model.predict(x, verbose=0).argmax(1) == y).mean())


@pytest.mark.parametrize("names", [["accuracy"], ["accuracy", "mse"],
                                   ["sparse_top_k_categorical_accuracy"]])
def test_metrics_of_a_softmax_model_match_its_predictions(names: list[str]) -> None:
    """Ranking metrics read the logits (softmax keeps their order); the others the probabilities."""
    gen = np.random.default_rng(0)
    x = gen.normal(size=(200, 6)).astype(np.float32)
    labels = gen.integers(0, 4, 200)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, activation="softmax")])
    loss = ("sparse_categorical_crossentropy" if names[0].startswith("sparse")
            else "categorical_crossentropy")
    y = labels if loss.startswith("sparse") else np.eye(4, dtype=np.float32)[labels]
    top2 = metrics.SparseTopKCategoricalAccuracy(k=2)  # k < 4 classes: it can miss
    model.compile("sgd", loss, metrics=[top2 if name.startswith("sparse_top_k") else name
                                        for name in names])
    logs = model.evaluate(x, y, batch_size=200, return_dict=True, verbose=0)
    probs = model.predict(x, verbose=0)
    in_top2 = (np.argsort(-probs, axis=1)[:, :2] == labels[:, None]).any(axis=1)
    expected = {"accuracy": float((probs.argmax(1) == labels).mean()),
                "mse": float(((probs - np.eye(4)[labels]) ** 2).mean()),
                "sparse_top_k_categorical_accuracy": float(in_top2.mean())}
    assert sorted(logs) == sorted(["loss", *names])
    for name in names:
        assert logs[name] == pytest.approx(expected[name], rel=1e-5), name
    assert 0 < expected["sparse_top_k_categorical_accuracy"] < 1
