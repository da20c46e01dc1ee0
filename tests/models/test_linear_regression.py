"""LinearRegression: gradient descent against least squares, L1 against L2, and its checks."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model

import ember
from ember.models import LinearRegression, least_squares


def line(n: int = 100, seed: int = 0, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    return x, 3.0 * x + 2.0 + rng.normal(0.0, noise, n) * (noise > 0)


def test_gradient_descent_recovers_a_noise_free_line() -> None:
    x, y = line()
    model = LinearRegression().fit(x, y, epochs=500, lr=0.1)
    assert model.slope == pytest.approx(3.0, abs=1e-3)
    assert model.intercept == pytest.approx(2.0, abs=1e-3)
    assert len(model.loss_history_) == 500
    assert model.loss_history_[-1] < 1e-8 < model.loss_history_[0]


def test_gradient_descent_approaches_the_closed_form_on_noisy_data() -> None:
    x, y = line(noise=0.5, seed=1)
    descent = LinearRegression().fit(x, y, epochs=1000, lr=0.1)
    exact = LinearRegression().fit(x, y, solver="closed_form")
    assert descent.slope == pytest.approx(exact.slope, abs=1e-3)
    assert descent.intercept == pytest.approx(exact.intercept, abs=1e-3)
    slope, intercept = np.polyfit(x, y, 1)
    assert exact.slope == pytest.approx(slope, abs=1e-5)
    assert exact.intercept == pytest.approx(intercept, abs=1e-5)
    assert len(exact.loss_history_) == 1
    assert exact.loss_history_[0] <= descent.loss_history_[-1] + 1e-6


def test_mini_batches_and_other_optimizers_reach_the_same_line() -> None:
    x, y = line(noise=0.1, seed=2)
    exact = LinearRegression().fit(x, y, solver="closed_form")
    adam = LinearRegression().fit(x, y, epochs=600, lr=0.05, optimizer="adam")
    assert adam.slope == pytest.approx(exact.slope, abs=1e-2)
    batched = LinearRegression().fit(x, y, epochs=100, lr=0.05, batch_size=10, seed=0)
    assert len(batched.loss_history_) == 100 * 10
    assert batched.slope == pytest.approx(exact.slope, abs=0.05)
    again = LinearRegression().fit(x, y, epochs=100, lr=0.05, batch_size=10, seed=0)
    assert again.loss_history_ == batched.loss_history_


def test_an_optimizer_instance_over_the_models_parameters() -> None:
    x, y = line()
    model = LinearRegression(in_features=1)
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    model.fit(x, y, epochs=300, optimizer=opt)
    assert model.slope == pytest.approx(3.0, abs=1e-3)
    stranger = ember.optim.SGD(LinearRegression(in_features=1).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="does not hold this model's parameters"):
        LinearRegression(in_features=1).fit(x, y, optimizer=stranger)


def test_l1_is_more_robust_to_outliers_than_l2() -> None:
    x, y = line(n=200, seed=3, noise=0.1)
    rng = np.random.default_rng(4)
    outliers = rng.choice(len(x), size=len(x) // 10, replace=False)
    y = y.copy()
    y[outliers] += rng.uniform(15.0, 30.0, len(outliers))  # 10% large, one-sided outliers
    l2 = LinearRegression().fit(x, y, loss="mse", epochs=1000, lr=0.1)
    l1 = LinearRegression().fit(x, y, loss="mae", epochs=1000, lr=0.1, optimizer="adam")
    huber = LinearRegression().fit(x, y, loss="huber", epochs=1000, lr=0.1)
    assert abs(l1.slope - 3.0) < abs(l2.slope - 3.0)
    assert abs(l1.slope - 3.0) < 0.2
    assert abs(l1.intercept - 2.0) < abs(l2.intercept - 2.0)
    assert abs(huber.slope - 3.0) < abs(l2.slope - 3.0)


def test_several_features_and_targets() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(200, 3))
    w = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    y = x @ w.T + np.array([0.5, -1.0]) + rng.normal(0, 0.05, (200, 2))
    exact = LinearRegression(out_features=2).fit(x, y, solver="closed_form")
    descent = LinearRegression(out_features=2).fit(x, y, epochs=500, lr=0.1)
    coef, intercept = least_squares(x, y)
    np.testing.assert_allclose(exact.coef_, coef, atol=1e-5)
    np.testing.assert_allclose(descent.coef_, coef, atol=1e-3)
    np.testing.assert_allclose(descent.intercept_, intercept, atol=1e-3)
    assert descent.predict(x).shape == (200, 2)
    assert descent.score(x, y) > 0.99
    with pytest.raises(ValueError, match="1 feature, 1 target"):
        _ = descent.slope


def test_matches_scikit_learn() -> None:
    rng = np.random.default_rng(6)
    x = rng.normal(size=(80, 4))
    y = x @ np.array([1.0, 2.0, -3.0, 0.0]) + 4.0 + rng.normal(0, 0.3, 80)
    ours = LinearRegression().fit(x, y, solver="closed_form")
    theirs = linear_model.LinearRegression().fit(x, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, abs=1e-5)
    assert ours.score(x, y) == pytest.approx(theirs.score(x, y), abs=1e-6)


def test_is_an_ordinary_module() -> None:
    model = LinearRegression(in_features=2)
    assert [name for name, _ in model.named_parameters()] == ["linear.weight", "linear.bias"]
    out = model(ember.ones(4, 2))
    assert out.shape == (4, 1)
    state = model.state_dict()
    other = LinearRegression(in_features=2)
    other.load_state_dict(state)
    assert "LinearRegression" in repr(model)


def test_unfitted_lazy_model_explains_itself() -> None:
    with pytest.raises(RuntimeError, match="call fit"):
        LinearRegression().predict([[1.0]])


@pytest.mark.parametrize("x, y, message", [
    (np.zeros((3, 1)), np.zeros(4), "x has 3 samples but y has 4"),
    (np.zeros((2, 2, 2)), np.zeros(2), r"x must be \(N, features\)"),
    (np.array([[1.0], [np.nan]]), np.zeros(2), "NaN"),
    (np.zeros((2, 1)), np.array([1.0, np.inf]), "NaN or infinite"),
    (np.zeros((0, 1)), np.zeros(0), "no samples"),
    (np.zeros((2, 1)), np.zeros((2, 3)), "out_features=1"),
])
def test_bad_inputs(x: np.ndarray, y: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LinearRegression().fit(x, y)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_divergence_is_reported() -> None:
    x, y = line(n=10)
    with pytest.raises(ValueError, match="lower lr"):
        LinearRegression().fit(x * 1e3, y, lr=10.0, epochs=200)


def test_bad_options() -> None:
    x, y = line(n=10)
    with pytest.raises(ValueError, match="unknown loss 'l3'"):
        LinearRegression().fit(x, y, loss="l3")
    with pytest.raises(ValueError, match="unknown solver"):
        LinearRegression().fit(x, y, solver="newton")
    with pytest.raises(ValueError, match="needs loss='mse'"):
        LinearRegression().fit(x, y, solver="closed_form", loss="mae")
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        LinearRegression().fit(x, y, optimizer="lbfgs")
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        LinearRegression().fit(x, y, epochs=0)
    model = LinearRegression().fit(x, y, epochs=5)
    with pytest.raises(ValueError, match="takes 1"):
        model.predict(np.zeros((3, 2)))
    with pytest.raises(TypeError, match="must hold numbers"):
        LinearRegression().fit(np.array(["a", "b"]), [1.0, 2.0])
