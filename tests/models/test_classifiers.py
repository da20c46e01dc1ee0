"""LogisticRegression (sigmoid and softmax) and the Perceptron."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.models import LogisticRegression, Perceptron
from ember.nn import functional as F


def blobs(centers: list[tuple[float, float]], n: int = 50, spread: float = 0.5,
          seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.vstack([rng.normal(center, spread, (n, 2)) for center in centers])
    y = np.repeat(np.arange(len(centers)), n)
    return x, y


def test_logistic_regression_separates_two_blobs() -> None:
    x, y = blobs([(-2.0, -2.0), (2.0, 2.0)])
    model = LogisticRegression().fit(x, y, epochs=100, lr=0.5)
    assert model.score(x, y) == 1.0
    assert model.loss_history_[-1] < model.loss_history_[0]
    proba = model.predict_proba(x)
    assert proba.shape == (100, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), model.predict(x))
    assert model.coef_.shape == (2,) and isinstance(model.intercept_, float)


def test_binary_loss_is_sigmoid_cross_entropy() -> None:
    x, y = blobs([(-1.0, 0.0), (1.0, 0.0)], n=20, spread=1.0)
    model = LogisticRegression().fit(x, y, epochs=20, lr=0.1)
    p = model.predict_proba(x)[:, 1]
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert float(model.compute_loss(x, y).item()) == pytest.approx(expected, rel=1e-4)


def test_softmax_variant_matches_cross_entropy_on_the_same_weights() -> None:
    x, y = blobs([(-3.0, 0.0), (3.0, 0.0), (0.0, 3.0)])
    model = LogisticRegression(n_classes=3).fit(x, y, epochs=200, lr=0.5)
    assert model.score(x, y) > 0.97
    weight, bias = model.linear.weight, model.linear.bias
    inputs = ember.tensor(x.astype(np.float32))
    expected = F.cross_entropy(F.linear(inputs, weight, bias), ember.tensor(y))
    assert float(model.compute_loss(x, y).item()) == pytest.approx(float(expected.item()),
                                                                  rel=1e-6)
    logits = x @ model.coef_.T + model.intercept_
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    by_hand = -log_softmax[np.arange(len(y)), y].mean()
    assert float(model.compute_loss(x, y).item()) == pytest.approx(by_hand, rel=1e-4)
    np.testing.assert_allclose(model.predict_proba(x), np.exp(log_softmax), atol=1e-5)


def test_softmax_loss_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x, y = blobs([(-1.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, -1.0)], n=10, spread=1.0)
    model = LogisticRegression(n_classes=4).fit(x, y, epochs=10, lr=0.1)
    w = torch.tensor(model.coef_)
    b = torch.tensor(model.intercept_)
    expected = torch.nn.functional.cross_entropy(torch.tensor(x) @ w.T + b, torch.tensor(y))
    assert float(model.compute_loss(x, y).item()) == pytest.approx(float(expected), rel=1e-5)


def test_logistic_mini_batches_and_adam() -> None:
    x, y = blobs([(-2.0, -2.0), (2.0, 2.0)], seed=1)
    model = LogisticRegression().fit(x, y, epochs=20, lr=0.05, batch_size=16,
                                     optimizer="adam", seed=0)
    assert len(model.loss_history_) == 20 * 7
    assert model.score(x, y) == 1.0


@pytest.mark.parametrize("y, message", [
    (np.array([0, 1, 2, 1]), r"labels must be in 0..1 for n_classes=2, got \[2\]"),
    (np.array([0, 1, -1, 1]), r"got \[-1\]"),
    (np.array([0.0, 0.5, 1.0, 1.0]), "whole numbers"),
    (np.array([0, 1, 1]), "x has 4 samples but y has 3"),
])
def test_logistic_rejects_bad_labels(y: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LogisticRegression().fit(np.zeros((4, 2)), y)


def test_logistic_options_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        LogisticRegression(n_classes=1)
    with pytest.raises(TypeError, match="labels must be integers"):
        LogisticRegression().fit(np.zeros((2, 1)), np.array(["a", "b"]))


def test_perceptron_converges_on_separable_data() -> None:
    x, y = blobs([(-2.0, -1.0), (2.0, 1.0)], n=100, seed=2)
    model = Perceptron().fit(x, y, seed=0)
    assert model.converged_
    assert model.mistakes_history_[-1] == 0
    assert model.n_epochs_ == len(model.mistakes_history_) < 100
    assert model.score(x, y) == 1.0
    np.testing.assert_array_equal(model.predict(x), y)


def test_perceptron_update_rule_by_hand() -> None:
    # Two samples, no shuffling, lr 1: the first mistake adds x, the second subtracts it.
    x = np.array([[1.0, 2.0], [-1.0, -1.0]])
    model = Perceptron(dtype=ember.float64).fit(x, [1, 0], shuffle=False)
    # Epoch 1: sample 0 scored 0 -> predicted 0, error +1: w = (1, 2), b = 1.
    # Sample 1 scores -1 - 2 + 1 = -2 -> 0, correct. Epoch 2: no mistakes.
    np.testing.assert_allclose(model.coef_, [1.0, 2.0])
    assert model.intercept_ == 1.0
    assert model.mistakes_history_ == [1, 0]


def test_perceptron_keeps_the_labels_it_was_given() -> None:
    x, y = blobs([(-2.0, 0.0), (2.0, 0.0)], n=20, seed=3)
    signs = np.where(y == 1, 1, -1)
    model = Perceptron().fit(x, signs)
    np.testing.assert_array_equal(model.classes_, [-1, 1])
    np.testing.assert_array_equal(model.predict(x), signs)


def test_perceptron_warns_when_not_separable() -> None:
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    with pytest.warns(RuntimeWarning, match="not be linearly separable"):
        model = Perceptron().fit(x, [0, 1, 0, 1], epochs=5)
    assert not model.converged_ and model.n_epochs_ == 5


def test_perceptron_needs_two_classes() -> None:
    with pytest.raises(ValueError, match="exactly two classes; y holds 3"):
        Perceptron().fit(np.zeros((3, 1)), [0, 1, 2])
    with pytest.raises(RuntimeError, match="call fit"):
        Perceptron(in_features=2).predict(np.zeros((1, 2)))
