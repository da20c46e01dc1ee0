"""Keras losses against NumPy, and cross-entropies reading the logits a softmax/sigmoid left."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import activations, layers, losses

EPS = 1e-7
RNG = np.random.default_rng(0)
LOGITS = RNG.normal(0, 2, size=(6, 4)).astype(np.float32)
LABELS = np.array([0, 3, 1, 2, 2, 0])
ONE_HOT = np.eye(4, dtype=np.float32)[LABELS]


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def value(loss: losses.Loss, y_true: np.ndarray, y_pred: np.ndarray, **kwargs: object) -> float:
    return float(loss(y_true, y_pred, **kwargs).item())


def test_categorical_crossentropy_on_probabilities() -> None:
    probs = softmax(LOGITS)
    expected = -(ONE_HOT * np.log(np.clip(probs, EPS, 1 - EPS))).sum(axis=1).mean()
    assert value(losses.CategoricalCrossentropy(), ONE_HOT, probs) == pytest.approx(expected,
                                                                                    rel=1e-5)
    # Keras renormalises predictions that don't sum to one.
    assert value(losses.CategoricalCrossentropy(), ONE_HOT, probs * 3) == pytest.approx(
        expected, rel=1e-5)


def test_categorical_crossentropy_from_logits_and_label_smoothing() -> None:
    log_probs = np.log(softmax(LOGITS.astype(np.float64)))
    smooth = ONE_HOT * 0.8 + 0.2 / 4
    assert value(losses.CategoricalCrossentropy(from_logits=True), ONE_HOT, LOGITS) == \
        pytest.approx(-(ONE_HOT * log_probs).sum(1).mean(), rel=1e-5)
    assert value(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2), ONE_HOT,
                 LOGITS) == pytest.approx(-(smooth * log_probs).sum(1).mean(), rel=1e-5)


def test_sparse_categorical_crossentropy() -> None:
    log_probs = np.log(softmax(LOGITS.astype(np.float64)))
    expected = -log_probs[np.arange(6), LABELS].mean()
    assert value(losses.SparseCategoricalCrossentropy(from_logits=True), LABELS, LOGITS) == \
        pytest.approx(expected, rel=1e-5)
    assert value(losses.SparseCategoricalCrossentropy(), LABELS, softmax(LOGITS)) == \
        pytest.approx(expected, rel=1e-5)
    # (N, 1) labels, as Keras accepts, and float labels holding integers.
    assert value(losses.SparseCategoricalCrossentropy(from_logits=True), LABELS[:, None],
                 LOGITS) == pytest.approx(expected, rel=1e-5)
    assert value(losses.SparseCategoricalCrossentropy(from_logits=True),
                 LABELS.astype(np.float32), LOGITS) == pytest.approx(expected, rel=1e-5)


def test_sample_weight_divides_by_batch_size() -> None:
    weights = np.array([1, 0, 2, 0, 1, 1], np.float32)
    per_sample = -np.log(softmax(LOGITS.astype(np.float64)))[np.arange(6), LABELS]
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    assert value(loss, LABELS, LOGITS, sample_weight=weights) == pytest.approx(
        (per_sample * weights).sum() / 6, rel=1e-5)
    summed = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")
    assert value(summed, LABELS, LOGITS) == pytest.approx(per_sample.sum(), rel=1e-5)
    none = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
    np.testing.assert_allclose(none(LABELS, LOGITS).detach().numpy(), per_sample, rtol=1e-5)


def test_binary_crossentropy() -> None:
    y = (RNG.random((5, 3)) > 0.5).astype(np.float32)
    z = RNG.normal(0, 2, size=(5, 3)).astype(np.float32)
    p = 1 / (1 + np.exp(-z.astype(np.float64)))
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    assert value(losses.BinaryCrossentropy(from_logits=True), y, z) == pytest.approx(expected,
                                                                                     rel=1e-5)
    assert value(losses.BinaryCrossentropy(), y, p.astype(np.float32)) == pytest.approx(
        expected, rel=1e-4)
    smooth = y * 0.9 + 0.05
    assert value(losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), y, z) == \
        pytest.approx(-(smooth * np.log(p) + (1 - smooth) * np.log(1 - p)).mean(), rel=1e-5)
    # (N,) targets pair with an (N, 1) output.
    assert value(losses.BinaryCrossentropy(from_logits=True), y[:, 0], z[:, :1]) == \
        pytest.approx(-(y[:, 0] * np.log(p[:, 0]) + (1 - y[:, 0]) * np.log(1 - p[:, 0])).mean(),
                      rel=1e-5)


def test_regression_losses() -> None:
    y = RNG.normal(size=(4, 3)).astype(np.float32)
    p = RNG.normal(size=(4, 3)).astype(np.float32)
    d = p - y
    assert value(losses.MeanSquaredError(), y, p) == pytest.approx((d**2).mean(), rel=1e-5)
    assert value(losses.MeanAbsoluteError(), y, p) == pytest.approx(np.abs(d).mean(), rel=1e-5)
    huber = np.where(np.abs(d) <= 0.5, 0.5 * d**2, 0.5 * np.abs(d) - 0.125)
    assert value(losses.Huber(delta=0.5), y, p) == pytest.approx(huber.mean(), rel=1e-5)
    mape = 100 * np.abs(d / np.maximum(np.abs(y), EPS))
    assert value(losses.MeanAbsolutePercentageError(), y, p) == pytest.approx(mape.mean(),
                                                                             rel=1e-5)
    msle = (np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(y, EPS)))**2
    assert value(losses.MeanSquaredLogarithmicError(), y, p) == pytest.approx(msle.mean(),
                                                                             rel=1e-5)
    np.testing.assert_allclose(losses.mse(y, p).detach().numpy(), (d**2).mean(axis=1), rtol=1e-5)


def test_get_by_name_and_custom_function() -> None:
    assert isinstance(losses.get("mse"), losses.MeanSquaredError)
    assert isinstance(losses.get("Sparse_Categorical_Crossentropy"),
                      losses.SparseCategoricalCrossentropy)

    def doubled(y_true: ember.Tensor, y_pred: ember.Tensor) -> ember.Tensor:
        return ((y_pred - y_true) ** 2).mean(dim=-1) * 2

    custom = losses.get(doubled)
    y, p = np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)
    assert value(custom, y, p) == pytest.approx(2.0)


def model_ending_in(activation: str, units: int = 4) -> keras.Sequential:
    return keras.Sequential([layers.Dense(5, activation="tanh", input_shape=(3,)),
                             layers.Dense(units, activation=activation)])


def saturated(activation: str) -> tuple[keras.Sequential, ember.Tensor]:
    """A model whose last layer's outputs saturate (logits in the thousands), and its output."""
    model = model_ending_in(activation)
    last = model.layers[-1]
    last.set_weights([w * 1e4 for w in last.get_weights()])
    return model, model(RNG.normal(size=(6, 3)).astype(np.float32))


@pytest.mark.parametrize(("activation", "loss", "targets", "reads_logits"), [
    ("softmax", "categorical_crossentropy", ONE_HOT, True),
    ("softmax", "sparse_categorical_crossentropy", LABELS, True),
    ("sigmoid", "binary_crossentropy", ONE_HOT, True),
    ("softmax", "mse", ONE_HOT, False),
    ("linear", "categorical_crossentropy", ONE_HOT, False),
    ("sigmoid", "categorical_crossentropy", ONE_HOT, False),
])
def test_a_crossentropy_reads_the_logits_its_activation_left_on_the_output(
        activation: str, loss: str, targets: np.ndarray, reads_logits: bool) -> None:
    _, out = saturated(activation)
    probabilities_only = ember.tensor(out.detach().numpy())  # same values, no logits attached
    fused = value(losses.get(loss), targets, out)
    clipped = value(losses.get(loss), targets, probabilities_only)
    assert np.isfinite(fused)
    # Saturated probabilities clip at 1e-7 (a loss of at most ~16 per sample); the logits don't.
    assert (fused != pytest.approx(clipped, rel=1e-4)) is reads_logits


def test_from_logits_true_on_a_softmax_output_reads_its_logits_and_warns() -> None:
    _, out = saturated("softmax")
    fused = value(losses.CategoricalCrossentropy(), ONE_HOT, out)
    with pytest.warns(UserWarning, match="from_logits=True"):
        assert value(losses.CategoricalCrossentropy(from_logits=True), ONE_HOT, out) == \
            pytest.approx(fused)


def test_an_output_changed_in_place_is_no_longer_read_through_its_logits() -> None:
    _, out = saturated("softmax")
    with ember.no_grad():
        out.mul_(1.0)
    assert value(losses.get("categorical_crossentropy"), ONE_HOT, out) == pytest.approx(
        value(losses.get("categorical_crossentropy"), ONE_HOT, ember.tensor(out.detach().numpy())))


def test_softmax_layers_and_functional_models_leave_their_logits_too() -> None:
    x = RNG.normal(size=(6, 3)).astype(np.float32)
    model = keras.Sequential([layers.Dense(4, input_shape=(3,)), layers.Softmax()])
    assert activations.logits_of(model(x), "softmax") is not None
    inputs = keras.Input((3,))
    outputs = layers.Dense(4, activation="softmax")(layers.Dense(5)(inputs))
    functional = keras.Model(inputs, outputs)
    assert activations.logits_of(functional(x), "softmax") is not None


@pytest.mark.parametrize(("activation", "loss", "targets"), [
    ("softmax", "categorical_crossentropy", ONE_HOT),
    ("softmax", "sparse_categorical_crossentropy", LABELS),
    ("sigmoid", "binary_crossentropy", ONE_HOT),
])
def test_fused_gradients_equal_unfused_and_stay_finite(activation: str, loss: str,
                                                       targets: np.ndarray) -> None:
    x = RNG.normal(size=(6, 3)).astype(np.float32)
    model = model_ending_in(activation)
    loss_fn = losses.get(loss)

    def loss_and_grads(fused: bool) -> tuple[float, list[np.ndarray]]:
        out = model(x, training=True)
        value_ = loss_fn(targets, out if fused else out * 1.0)  # out * 1.0 carries no logits
        model.zero_grad()
        value_.backward()
        return float(value_.item()), [p.grad.numpy().copy() for p in model.parameters()]

    fused_loss, fused_grads = loss_and_grads(True)
    plain_loss, plain_grads = loss_and_grads(False)
    assert fused_loss == pytest.approx(plain_loss, rel=1e-5)
    for got, want in zip(fused_grads, plain_grads):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    # Huge logits: the unfused form saturates at the clip, the fused one stays finite and exact.
    last = model.layers[-1]
    last.set_weights([w * 1e4 for w in last.get_weights()])
    huge_loss, huge_grads = loss_and_grads(True)
    assert np.isfinite(huge_loss) and huge_loss > 10
    assert all(np.isfinite(g).all() for g in huge_grads)


def test_fused_model_still_predicts_probabilities(blobs: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = blobs
    model = keras.Sequential([layers.Dense(5, activation="relu", input_shape=(4,)),
                              layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    probs = model.predict(x, verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    assert (probs >= 0).all()
