"""Keras layers: output shapes, parameter counts, weights in Keras's layouts, default names."""

from __future__ import annotations

import numpy as np
import pytest

from ember import keras
from ember.keras import layers


def values(tensor: object) -> np.ndarray:
    return tensor.detach().numpy()


def test_default_names_count_per_class() -> None:
    names = [layers.Dense(2).name, layers.Dense(2).name, layers.Conv2D(1, 3).name,
             layers.Dense(2).name, layers.MaxPooling2D().name, layers.BatchNormalization().name]
    assert names == ["dense", "dense_1", "conv2d", "dense_2", "max_pooling2d",
                     "batch_normalization"]
    keras.backend.clear_session()
    assert layers.Dense(2).name == "dense"
    assert keras.Sequential().name == "sequential"


def test_dense_shape_params_and_kernel_layout() -> None:
    layer = layers.Dense(7)
    out = layer(np.zeros((5, 3), np.float32))
    assert tuple(out.shape) == (5, 7)
    assert layer.count_params() == 3 * 7 + 7
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 7) and bias.shape == (7,)
    # The kernel really is (in, units): x @ kernel + bias.
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    new_kernel = np.arange(21, dtype=np.float32).reshape(3, 7) / 10
    new_bias = np.arange(7, dtype=np.float32)
    layer.set_weights([new_kernel, new_bias])
    np.testing.assert_allclose(layer(x).detach().numpy(), x @ new_kernel + new_bias, rtol=1e-5)
    np.testing.assert_array_equal(layer.get_weights()[0], new_kernel)


def test_dense_without_bias_and_on_3d_input() -> None:
    layer = layers.Dense(4, use_bias=False)
    assert tuple(layer(np.zeros((2, 6, 3), np.float32)).shape) == (2, 6, 4)
    assert layer.count_params() == 12 and len(layer.get_weights()) == 1


def test_set_weights_rejects_wrong_shapes_and_counts() -> None:
    layer = layers.Dense(2)
    layer(np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError, match="has 2 weights, got 1"):
        layer.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"Keras shape \(3, 2\).*\(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])


def test_conv2d_channels_last_params_and_kernel_layout() -> None:
    layer = layers.Conv2D(4, (3, 2), activation="relu")
    out = layer(np.zeros((2, 8, 9, 3), np.float32))
    assert tuple(out.shape) == (2, 6, 8, 4)
    assert layer.count_params() == (3 * 2 * 3 + 1) * 4
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2, 3, 4) and bias.shape == (4,)


def test_conv2d_kernel_layout_matches_a_direct_convolution() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 5, 5, 2)).astype(np.float32)
    layer = layers.Conv2D(3, 3)
    layer(x)
    kernel = rng.normal(size=(3, 3, 2, 3)).astype(np.float32)
    layer.set_weights([kernel, np.zeros(3, np.float32)])
    expected = np.zeros((1, 3, 3, 3), np.float32)
    for i in range(3):
        for j in range(3):
            expected[0, i, j] = np.einsum("hwc,hwco->o", x[0, i:i + 3, j:j + 3], kernel)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("size", "kernel", "stride", "padding", "expected"), [
    (7, 3, 1, "valid", 5), (7, 3, 1, "same", 7), (7, 3, 2, "same", 4), (8, 3, 2, "same", 4),
    (7, 3, 2, "valid", 3), (6, 1, 3, "same", 2),
])
def test_conv2d_output_sizes(size: int, kernel: int, stride: int, padding: str,
                             expected: int) -> None:
    layer = layers.Conv2D(2, kernel, strides=stride, padding=padding)
    assert tuple(layer(np.zeros((1, size, size, 1), np.float32)).shape) == (1, expected,
                                                                            expected, 2)


@pytest.mark.parametrize(("cls", "size", "pool", "stride", "padding", "expected"), [
    (layers.MaxPooling2D, 7, 2, None, "valid", 3), (layers.MaxPooling2D, 7, 2, None, "same", 4),
    (layers.AveragePooling2D, 7, 3, 2, "same", 4), (layers.AveragePooling2D, 6, 2, 1, "valid", 5),
])
def test_pooling_output_sizes(cls: type, size: int, pool: int, stride: int | None,
                              padding: str, expected: int) -> None:
    layer = cls(pool, strides=stride, padding=padding)
    assert tuple(layer(np.zeros((2, size, size, 3), np.float32)).shape) == (2, expected,
                                                                            expected, 3)


def test_same_pooling_ignores_padding() -> None:
    x = -np.ones((1, 3, 3, 1), np.float32)
    assert values(layers.MaxPooling2D(2, padding="same")(x)).max() == -1
    np.testing.assert_allclose(values(layers.AveragePooling2D(2, padding="same")(x)), -1)


def test_global_pooling_and_flatten() -> None:
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    np.testing.assert_allclose(values(layers.GlobalAveragePooling2D()(x)), x.mean(axis=(1, 2)))
    np.testing.assert_allclose(values(layers.GlobalMaxPooling2D()(x)), x.max(axis=(1, 2)))
    assert tuple(layers.Flatten()(x).shape) == (2, 60)
    assert tuple(layers.Reshape((12, 5))(x).shape) == (2, 12, 5)


def test_batch_normalization_counts_and_inference() -> None:
    layer = layers.BatchNormalization()
    x = np.random.default_rng(0).normal(3, 2, size=(64, 6)).astype(np.float32)
    layer(x)
    assert layer.count_params() == 4 * 6
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 2
    assert sum(w.numpy().size for w in layer.non_trainable_weights) == 2 * 6
    out = layer(x, training=True).detach().numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-4)
    gamma, beta, mean, var = layer.get_weights()
    np.testing.assert_allclose(mean, 0.01 * x.mean(axis=0), rtol=1e-4)  # momentum 0.99


def test_batch_normalization_on_images_normalises_channels() -> None:
    x = np.random.default_rng(0).normal(5, 3, size=(8, 4, 4, 3)).astype(np.float32)
    layer = layers.BatchNormalization()
    out = layer(x, training=True).detach().numpy()
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    assert layer.count_params() == 12


def test_batch_normalization_model_summary_counts() -> None:
    model = keras.Sequential([layers.Dense(5, input_shape=(3,)), layers.BatchNormalization()])
    assert model.count_params() == 20 + 20
    assert sum(w.numpy().size for w in model.non_trainable_weights) == 10


def test_dropout_is_identity_at_inference_and_scales_in_training() -> None:
    layer = layers.Dropout(0.5)
    x = np.ones((200, 50), np.float32)
    np.testing.assert_array_equal(layer(x).detach().numpy(), x)
    out = layer(x, training=True).detach().numpy()
    assert set(np.unique(out)) <= {0.0, 2.0} and 0.4 < (out == 0).mean() < 0.6


def test_activation_layers() -> None:
    x = np.array([[-2.0, 0.5, 3.0]], np.float32)
    np.testing.assert_allclose(values(layers.Activation("relu")(x)), [[0, 0.5, 3]])
    np.testing.assert_allclose(values(layers.ReLU(max_value=1.0)(x)), [[0, 0.5, 1]])
    np.testing.assert_allclose(values(layers.LeakyReLU(0.1)(x)), [[-0.2, 0.5, 3]], rtol=1e-6)
    soft = values(layers.Softmax()(x))
    np.testing.assert_allclose(soft, np.exp(x) / np.exp(x).sum(), rtol=1e-5)
    np.testing.assert_allclose(values(layers.Rescaling(0.5, offset=1)(x)), x * 0.5 + 1)


def test_embedding_shapes_and_params() -> None:
    layer = layers.Embedding(10, 4)
    out = layer(np.array([[1, 2, 3], [4, 5, 9]]))
    assert tuple(out.shape) == (2, 3, 4) and layer.count_params() == 40
    np.testing.assert_array_equal(out.detach().numpy()[0, 0], layer.get_weights()[0][1])


def test_normalization_adapt() -> None:
    x = np.random.default_rng(0).normal(4, 2, size=(500, 3)).astype(np.float32)
    layer = layers.Normalization()
    layer.adapt(x)
    out = layer(x).detach().numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-3)
    assert layer.count_params() == 6 and not layer.trainable_weights


def test_merge_layers() -> None:
    a, b = np.ones((2, 3), np.float32), np.full((2, 3), 2.0, np.float32)
    np.testing.assert_allclose(values(layers.Add()([a, b])), 3)
    np.testing.assert_allclose(values(layers.Subtract()([a, b])), -1)
    np.testing.assert_allclose(values(layers.Multiply()([a, b])), 2)
    np.testing.assert_allclose(values(layers.Average()([a, b])), 1.5)
    assert tuple(layers.Concatenate()([a, b]).shape) == (2, 6)
    with pytest.raises(ValueError, match="at least two inputs"):
        layers.Add()([a])


def test_model_weights_round_trip() -> None:
    model = keras.Sequential([layers.Dense(3, input_shape=(2,)), layers.Dense(1)])
    weights = [np.full(w.shape, i, np.float32) for i, w in enumerate(model.get_weights())]
    model.set_weights(weights)
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)
    assert [w.shape for w in model.get_weights()] == [(2, 3), (3,), (3, 1), (1,)]


def test_non_trainable_layer_is_frozen_in_fit(blobs: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = blobs
    first = layers.Dense(8, activation="relu", input_shape=(4,), trainable=False)
    model = keras.Sequential([first, layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    before = first.get_weights()
    model.fit(x, y, epochs=1, verbose=0)
    for got, want in zip(first.get_weights(), before):
        np.testing.assert_array_equal(got, want)
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


@pytest.mark.parametrize("center,scale", [(False, True), (True, False), (False, False)])
def test_batch_normalization_without_center_or_scale_never_trains_them(center: bool,
                                                                       scale: bool) -> None:
    """Unfreezing the layer (or its model) must not start training a beta or gamma the
    configuration left out."""
    model = keras.Sequential([keras.Input((4,)),
                              layers.BatchNormalization(center=center, scale=scale)])
    bn = model.layers[0]
    for owner in (bn, model):
        owner.trainable = False
        owner.trainable = True
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).random((32, 4)).astype("float32")
    model.fit(x, x + 1, epochs=3, verbose=0)
    gamma, beta = bn.bn.weight.detach().numpy(), bn.bn.bias.detach().numpy()
    assert np.all(gamma == 1) == (not scale)
    assert np.all(beta == 0) == (not center)
    assert len(bn.trainable_weights) == int(center) + int(scale)
