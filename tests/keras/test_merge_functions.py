"""Keras's lowercase merge functions and the Maximum, Minimum and Dot layers."""

import numpy as np
import pytest

import ember.keras as keras

A = np.array([[2.0, -1.0, 3.0, 0.5], [1.0, 4.0, -2.0, 0.0]], "float32")
B = np.array([[1.0, 1.0, 5.0, -0.5], [3.0, 2.0, -1.0, 2.0]], "float32")

EXPECTED = {
    "add": A + B, "subtract": A - B, "multiply": A * B, "average": (A + B) / 2,
    "maximum": np.maximum(A, B), "minimum": np.minimum(A, B),
    "concatenate": np.concatenate([A, B], axis=-1),
    "dot": (A * B).sum(axis=1, keepdims=True),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_merge_function_in_a_functional_model(name):
    a, b = keras.Input((4,)), keras.Input((4,))
    model = keras.Model([a, b], getattr(keras.layers, name)([a, b]))
    np.testing.assert_allclose(model.predict([A, B], verbose=0), EXPECTED[name], rtol=1e-6)


def test_functions_take_layer_arguments():
    a, b = keras.Input((4,)), keras.Input((4,))
    out = keras.layers.concatenate([a, b], axis=1, name="joined")
    assert out.shape == (None, 8)
    assert keras.Model([a, b], out).get_layer("joined").axis == 1


def test_dot_of_sequences_and_normalized_dot_is_cosine():
    x = np.random.default_rng(0).normal(size=(2, 3, 5)).astype("float32")
    y = np.random.default_rng(1).normal(size=(2, 4, 5)).astype("float32")
    out = keras.layers.Dot(axes=2)([x, y])
    np.testing.assert_allclose(out.numpy(), np.einsum("bnd,bmd->bnm", x, y), rtol=1e-5)
    out = keras.layers.Dot(axes=(1, 1))([x[:, 0], y[:, 0]])
    np.testing.assert_allclose(out.numpy(), (x[:, 0] * y[:, 0]).sum(1, keepdims=True),
                               rtol=1e-5)
    cosine = keras.layers.dot([A, B], axes=1, normalize=True).numpy()
    expected = (A * B).sum(1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(cosine[:, 0], expected, rtol=1e-5)


def test_merge_needs_a_list_and_dot_two_inputs_of_matching_size():
    with pytest.raises(ValueError, match="at least two"):
        keras.layers.maximum([A])
    with pytest.raises(ValueError, match="exactly two"):
        keras.layers.dot([A, A, A], axes=1)
    with pytest.raises(ValueError, match="differ in size"):
        keras.layers.dot([A, B[:, :3]], axes=1)


def test_maximum_is_differentiable_through_fit():
    a, b = keras.Input((4,)), keras.Input((4,))
    out = keras.layers.Dense(1)(keras.layers.maximum([keras.layers.Dense(4)(a), b]))
    model = keras.Model([a, b], out)
    model.compile("sgd", "mse")
    history = model.fit([A, B], np.zeros((2, 1), "float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
