"""Image preprocessing and augmentation layers: with a fixed factor they warp exactly as Keras 3
does; they act in fit and leave predict's images alone."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ember import keras

IMAGES = np.random.default_rng(0).random((2, 6, 7, 3)).astype(np.float32) * 255


def oracle() -> Any:
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


@pytest.mark.parametrize("name, kwargs", [
    ("RandomRotation", {"factor": (0.1, 0.1)}),
    ("RandomRotation", {"factor": (0.2, 0.2), "fill_mode": "constant", "fill_value": 3.0}),
    ("RandomRotation", {"factor": (0.15, 0.15), "fill_mode": "nearest",
                        "interpolation": "nearest"}),
    ("RandomZoom", {"height_factor": (-0.3, -0.3), "width_factor": (0.2, 0.2)}),
    ("RandomZoom", {"height_factor": (0.5, 0.5), "fill_mode": "nearest"}),
    ("RandomTranslation", {"height_factor": (-0.4, -0.4), "width_factor": (0.1, 0.1)}),
    ("Resizing", {"height": 4, "width": 9}),
    ("CenterCrop", {"height": 4, "width": 5}),
])
def test_fixed_transforms_match_keras(name, kwargs):
    k = oracle()
    expected = np.asarray(getattr(k.layers, name)(**kwargs)(IMAGES, training=True))
    got = getattr(keras.layers, name)(**kwargs)(IMAGES, training=True).detach().numpy()
    np.testing.assert_allclose(got, expected, atol=1e-3)


@pytest.mark.parametrize("layer", [
    lambda: keras.layers.RandomFlip(), lambda: keras.layers.RandomRotation(0.2),
    lambda: keras.layers.RandomZoom(0.2), lambda: keras.layers.RandomTranslation(0.1, 0.1),
    lambda: keras.layers.RandomContrast(0.5), lambda: keras.layers.RandomBrightness(0.3),
])
def test_random_layers_change_images_only_while_training(layer):
    augment = layer()
    np.testing.assert_array_equal(augment(IMAGES).detach().numpy(), IMAGES)
    changed = augment(np.repeat(IMAGES, 8, axis=0), training=True).detach().numpy()
    assert not np.allclose(changed, np.repeat(IMAGES, 8, axis=0))


def test_random_flip_flips_whole_images():
    out = keras.layers.RandomFlip("horizontal")(np.repeat(IMAGES[:1], 16, axis=0),
                                                training=True).detach().numpy()
    flipped = IMAGES[0, :, ::-1]
    assert all(np.array_equal(o, IMAGES[0]) or np.array_equal(o, flipped) for o in out)
    assert any(np.array_equal(o, flipped) for o in out)


def test_augmentation_is_active_in_fit_and_off_in_predict():
    seen: list[np.ndarray] = []
    probe = keras.layers.Lambda(lambda t: (seen.append(t.detach().numpy().copy()), t)[1])
    model = keras.Sequential([keras.Input((6, 7, 3)), keras.layers.RandomFlip("horizontal"),
                              keras.layers.RandomRotation(0.1), probe, keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.repeat(IMAGES, 8, axis=0)
    model.fit(x, np.zeros(16, dtype=np.int64), epochs=1, batch_size=16, verbose=0)
    assert not np.allclose(seen[-1], x)
    model.predict(x, verbose=0)
    np.testing.assert_array_equal(seen[-1], x)


def test_unsupported_fill_mode_is_refused():
    with pytest.raises(NotImplementedError, match="wrap"):
        keras.layers.RandomRotation(0.1, fill_mode="wrap")


def test_contrast_and_brightness_with_a_fixed_factor_match_keras():
    k = oracle()
    # (0, 0) pins the contrast factor to 1 (clipping to the value range only); (0.2, 0.2)
    # pins the brightness shift to 0.2 of the range.
    for name, kwargs in (("RandomContrast", {"factor": (0.0, 0.0)}),
                         ("RandomBrightness", {"factor": (0.2, 0.2)})):
        expected = np.asarray(getattr(k.layers, name)(**kwargs)(IMAGES, training=True))
        got = getattr(keras.layers, name)(**kwargs)(IMAGES, training=True).detach().numpy()
        np.testing.assert_allclose(got, expected, atol=1e-3)


def test_time_distributed_dense_matches_keras():
    k = oracle()
    x = np.random.default_rng(3).standard_normal((2, 4, 5)).astype(np.float32)
    theirs = k.layers.TimeDistributed(k.layers.Dense(3))
    ours = keras.layers.TimeDistributed(keras.layers.Dense(3))
    expected = np.asarray(theirs(x))
    ours(x)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x).detach().numpy(), expected, atol=1e-5)
