"""Every argument ember.keras accepts does what Keras does with it, or raises naming itself:
compile's options, optimizer weight decay, constraints, grouped and depthwise convolution,
Dropout seed/noise_shape, initializer seeds, BatchNormalization's moving initializers.
TensorFlow's Keras is the oracle where it is installed (each such test skips on its own)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ember
from ember import keras

RNG = np.random.default_rng(0)


def oracle() -> Any:
    """Keras 3 (TensorFlow backend), or skip this test."""
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


# -------------------------------------------------------------- compile
def test_compile_names_an_unknown_argument() -> None:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(TypeError, match="loss_weight"):
        model.compile("sgd", "mse", loss_weight=2.0)
    with pytest.raises(ValueError, match="steps_per_execution"):
        model.compile("sgd", "mse", steps_per_execution=0)
    model.compile("sgd", "mse", run_eagerly=True, jit_compile=False, steps_per_execution=4)


def two_output_model() -> keras.Model:
    inputs = keras.Input((3,))
    first = keras.layers.Dense(1, name="first")(inputs)
    second = keras.layers.Dense(2, name="second")(inputs)
    return keras.Model(inputs, [first, second])


@pytest.mark.parametrize("loss_weights", [[0.3, 2.0], {"first": 0.3, "second": 2.0}])
def test_loss_weights_weigh_each_output_loss(loss_weights: Any) -> None:
    model = two_output_model()
    model.compile("sgd", ["mse", "mae"], loss_weights=loss_weights)
    x = RNG.normal(size=(8, 3)).astype(np.float32)
    y1, y2 = RNG.normal(size=(8, 1)).astype(np.float32), RNG.normal(size=(8, 2)).astype(np.float32)
    p1, p2 = model.predict(x, verbose=0)
    first, second = ((p1 - y1) ** 2).mean(), np.abs(p2 - y2).mean()
    logs = model.test_on_batch(x, [y1, y2], return_dict=True)
    assert logs["loss"] == pytest.approx(0.3 * first + 2.0 * second, rel=1e-5)
    # Keras also reports each output's unweighted loss.
    assert logs["first_loss"] == pytest.approx(first, rel=1e-5)
    assert logs["second_loss"] == pytest.approx(second, rel=1e-5)


def test_a_single_output_loss_weight_scales_the_loss(blobs: Any) -> None:
    x, y = blobs
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    plain.compile("sgd", "sparse_categorical_crossentropy")
    weighted = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    weighted.set_weights(plain.get_weights())
    weighted.compile("sgd", "sparse_categorical_crossentropy", loss_weights=0.5)
    assert weighted.test_on_batch(x, y) == pytest.approx(0.5 * plain.test_on_batch(x, y))


def test_metrics_are_unweighted_and_weighted_metrics_take_the_sample_weights(blobs: Any) -> None:
    x, y = blobs
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy"])
    weights = (y == 0).astype(np.float32)  # only class 0 counts for the weighted one
    logs = model.test_on_batch(x, y, sample_weight=weights, return_dict=True)
    hits = model.predict(x, verbose=0).argmax(axis=1) == y
    assert logs["accuracy"] == pytest.approx(hits.mean())
    assert logs["weighted_accuracy"] == pytest.approx(hits[y == 0].mean())


def test_train_on_batch_honours_class_weight(blobs: Any) -> None:
    x, y = blobs
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    twin = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    twin.set_weights(model.get_weights())
    twin.compile("sgd", "sparse_categorical_crossentropy")
    by_class = model.train_on_batch(x, y, class_weight={0: 3.0, 1: 1.0, 2: 0.0})
    by_sample = twin.train_on_batch(x, y, sample_weight=np.array([3.0, 1.0, 0.0])[y])
    assert by_class == pytest.approx(by_sample)


# -------------------------------------------------------------- optimizers
def test_sgd_weight_decay_is_decoupled_as_keras_applies_it() -> None:
    weight = ember.tensor([1.0, -2.0], requires_grad=True)
    optimizer = keras.optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    optimizer.apply([ember.tensor([0.2, 0.2])], [weight])
    # Keras: w -= lr * wd * w, then the plain SGD step w -= lr * g.
    np.testing.assert_allclose(weight.detach().numpy(), [1 - 0.05 - 0.02, -2 + 0.1 - 0.02])


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "SGD", "Adagrad"])
def test_weight_decay_matches_keras(name: str) -> None:
    tf_keras = oracle()
    start = RNG.normal(size=(3, 2)).astype(np.float32)
    grads = [RNG.normal(size=(3, 2)).astype(np.float32) for _ in range(3)]
    kwargs = {"learning_rate": 0.05, "weight_decay": 0.2}
    if name == "SGD":
        kwargs["momentum"] = 0.9
    ours, theirs = getattr(keras.optimizers, name)(**kwargs), \
        getattr(tf_keras.optimizers, name)(**kwargs)
    weight = ember.tensor(start.copy(), requires_grad=True)
    variable = tf_keras.Variable(start.copy())
    for grad in grads:
        ours.apply([ember.tensor(grad)], [weight])
        theirs.apply([tf_keras.ops.convert_to_tensor(grad)], [variable])
    np.testing.assert_allclose(weight.detach().numpy(), np.asarray(variable), rtol=1e-5,
                               atol=1e-6)


def test_unsupported_optimizer_arguments_raise_naming_themselves() -> None:
    with pytest.raises(NotImplementedError, match="use_ema"):
        keras.optimizers.Adam(use_ema=True)
    with pytest.raises(NotImplementedError, match="gradient_accumulation_steps"):
        keras.optimizers.SGD(gradient_accumulation_steps=4)


# -------------------------------------------------------------- constraints
def test_kernel_and_bias_constraints_hold_after_every_update(blobs: Any) -> None:
    x, y = blobs
    dense = keras.layers.Dense(3, activation="softmax",
                               kernel_constraint=keras.constraints.MaxNorm(0.5),
                               bias_constraint="non_neg")
    model = keras.Sequential([keras.Input((4,)), dense])
    model.compile(keras.optimizers.SGD(1.0), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    kernel, bias = dense.get_weights()
    assert np.linalg.norm(kernel, axis=0).max() <= 0.5 + 1e-5  # axis 0 of Keras's (in, units)
    assert np.linalg.norm(kernel, axis=0).max() > 0.49
    assert bias.min() >= 0.0


@pytest.mark.parametrize(("name", "kwargs"), [("MaxNorm", {"max_value": 0.7, "axis": 0}),
                                              ("UnitNorm", {"axis": 1}), ("NonNeg", {}),
                                              ("MinMaxNorm", {"min_value": 0.5,
                                                              "max_value": 0.9, "rate": 0.5})])
def test_constraints_match_keras(name: str, kwargs: dict[str, Any]) -> None:
    tf_keras = oracle()
    w = RNG.normal(size=(4, 3)).astype(np.float32)
    ours = getattr(keras.constraints, name)(**kwargs)(ember.tensor(w))
    theirs = getattr(tf_keras.constraints, name)(**kwargs)(tf_keras.ops.convert_to_tensor(w))
    np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=1e-5, atol=1e-6)


# -------------------------------------------------------------- convolutions
def test_grouped_conv2d_has_keras_kernel_shape_and_convolves_each_group_alone() -> None:
    x = RNG.normal(size=(2, 6, 6, 4)).astype(np.float32)
    grouped = keras.layers.Conv2D(4, 3, groups=2, padding="same")
    out = grouped(x).detach().numpy()
    kernel, bias = grouped.get_weights()
    assert kernel.shape == (3, 3, 2, 4)
    for group in range(2):
        alone = keras.layers.Conv2D(2, 3, padding="same")
        alone(x[..., :2])
        alone.set_weights([kernel[..., 2 * group:2 * group + 2],
                           bias[2 * group:2 * group + 2]])
        np.testing.assert_allclose(out[..., 2 * group:2 * group + 2],
                                   alone(x[..., 2 * group:2 * group + 2]).detach().numpy(),
                                   rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="groups"):
        keras.layers.Conv2D(3, 3, groups=2)


def test_grouped_and_depthwise_convolutions_match_keras() -> None:
    tf_keras = oracle()
    x = RNG.normal(size=(2, 7, 7, 4)).astype(np.float32)
    pairs = [(keras.layers.Conv2D(6, 3, groups=2, strides=2, padding="same"),
              tf_keras.layers.Conv2D(6, 3, groups=2, strides=2, padding="same")),
             (keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
              tf_keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"))]
    for ours, theirs in pairs:
        expected_shape = tuple(np.asarray(theirs(x)).shape)
        ours(x)
        assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
        ours.set_weights(theirs.get_weights())
        got = ours(x).detach().numpy()
        assert got.shape == expected_shape
        np.testing.assert_allclose(got, np.asarray(theirs(x)), rtol=1e-4, atol=1e-5)


def test_depthwise_conv2d_convolves_each_channel_with_its_own_filters() -> None:
    x = RNG.normal(size=(1, 5, 5, 3)).astype(np.float32)
    layer = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, use_bias=False)
    out = layer(x).detach().numpy()
    (kernel,) = layer.get_weights()
    assert kernel.shape == (3, 3, 3, 2) and out.shape == (1, 3, 3, 6)
    window = x[0, :3, :3, :]  # the first output position
    expected = np.einsum("hwc,hwcm->cm", window, kernel).reshape(-1)  # channel c * 2 + m
    np.testing.assert_allclose(out[0, 0, 0], expected, rtol=1e-5, atol=1e-5)


# -------------------------------------------------------------- randomness
def test_dropout_seed_gives_the_layer_its_own_reproducible_stream() -> None:
    x = np.ones((4, 50), np.float32)
    first = keras.layers.Dropout(0.5, seed=7)(x, training=True).detach().numpy()
    ember.manual_seed(123)  # the global stream plays no part
    second = keras.layers.Dropout(0.5, seed=7)(x, training=True).detach().numpy()
    np.testing.assert_array_equal(first, second)
    assert set(np.unique(first)) == {0.0, 2.0}


def test_dropout_noise_shape_shares_one_draw_along_its_unit_axes() -> None:
    x = np.ones((64, 5, 3), np.float32)
    out = keras.layers.Dropout(0.5, noise_shape=(None, 1, 3))(x, training=True)
    out = out.detach().numpy()
    assert (out == out[:, :1, :]).all()  # the same mask at every one of the 5 steps
    assert 0 < (out == 0).mean() < 1


def test_initializer_seeds_fix_the_values_as_in_keras() -> None:
    seeded = keras.initializers.GlorotUniform(seed=3)
    np.testing.assert_array_equal(seeded((4, 5)), seeded((4, 5)))
    np.testing.assert_array_equal(seeded((4, 5)), keras.initializers.GlorotUniform(seed=3)((4, 5)))
    assert not np.array_equal(seeded((4, 5)), keras.initializers.GlorotUniform(seed=4)((4, 5)))
    assert keras.initializers.get(keras.initializers.serialize(seeded)).seed == 3
    a = keras.layers.Dense(3, kernel_initializer=keras.initializers.RandomNormal(seed=1))
    b = keras.layers.Dense(3, kernel_initializer=keras.initializers.RandomNormal(seed=1))
    a.build((None, 2))
    b.build((None, 2))
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


def test_batch_normalization_moving_initializers() -> None:
    layer = keras.layers.BatchNormalization(moving_mean_initializer="ones",
                                            moving_variance_initializer=keras.initializers.
                                            Constant(4.0))
    out = layer(np.full((2, 3), 3.0, np.float32)).detach().numpy()  # inference: moving stats
    np.testing.assert_allclose(out, (3.0 - 1.0) / np.sqrt(4.0 + 1e-3), rtol=1e-5)
    assert layer.moving_variance.shape == (3,) and layer.gamma.trainable
    gamma, beta, mean, variance = layer.get_weights()
    np.testing.assert_array_equal(mean, 1.0)
    np.testing.assert_array_equal(variance, 4.0)


# -------------------------------------------------------------- what is not supported says so
@pytest.mark.parametrize(("make", "name"), [
    (lambda: keras.layers.Conv2D(2, 3, data_format="channels_first"), "channels_first"),
    (lambda: keras.layers.MaxPooling2D(data_format="channels_first"), "channels_first"),
    (lambda: keras.layers.Dense(2, dtype="float64"), "dtype"),
    (lambda: keras.layers.Normalization(axis=0), "axis"),
    (lambda: keras.Input((3,), sparse=True), "sparse"),
    (lambda: keras.metrics.Accuracy(dtype="float16"), "dtype"),
    (lambda: keras.layers.BatchNormalization(synchronized=True), "synchronized"),
    (lambda: keras.layers.Flatten(data_format="channels_first"), "channels_first"),
    (lambda: keras.callbacks.ModelCheckpoint("m.keras", save_freq=10), "save_freq"),
    (lambda: keras.utils.plot_model(keras.Sequential([keras.Input((2,)), keras.Sequential(
        [keras.layers.Dense(1)])]), expand_nested=True), "expand_nested"),
])
def test_unsupported_arguments_raise_naming_themselves(make: Any, name: str) -> None:
    with pytest.raises(NotImplementedError, match=name):
        make()


@pytest.mark.parametrize("name", ["Precision", "Recall", "AUC"])
def test_confusion_metrics_weigh_samples(name: str) -> None:
    y_true = np.array([1, 1, 0, 0, 1])
    y_pred = np.array([0.9, 0.2, 0.8, 0.1, 0.7])
    weights = np.array([1.0, 3.0, 2.0, 1.0, 0.0])
    weighted = getattr(keras.metrics, name)()
    weighted.update_state(y_true, y_pred, sample_weight=weights)
    repeated = getattr(keras.metrics, name)()  # each sample repeated weight times
    counts = weights.astype(int)
    repeated.update_state(np.repeat(y_true, counts), np.repeat(y_pred, counts))
    assert weighted.result() == pytest.approx(repeated.result())
    plain = getattr(keras.metrics, name)()
    plain.update_state(y_true, y_pred)
    assert weighted.result() != pytest.approx(plain.result())


def test_a_crossentropy_axis_other_than_the_last_raises() -> None:
    with pytest.raises(NotImplementedError, match="axis"):
        keras.losses.CategoricalCrossentropy(axis=0)(np.eye(3), np.full((3, 3), 1 / 3))
