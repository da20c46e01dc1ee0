"""Keras's 1-D/3-D/transposed convolutions, 1-D pools and shape layers: Keras 3 (the oracle)
gives the same outputs for the same weights; the noise layers act only while training."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ember import keras


def oracle() -> Any:
    """Keras 3 (TensorFlow backend), or skip this test."""
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


def _array(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("name, args, kwargs, shape", [
    ("Conv1D", (4, 3), {}, (2, 9, 3)),
    ("Conv1D", (4, 3), {"strides": 2, "padding": "same", "activation": "relu"}, (2, 9, 3)),
    ("Conv1D", (4, 3), {"padding": "causal", "dilation_rate": 2}, (2, 9, 3)),
    ("Conv3D", (3, 2), {"padding": "same"}, (1, 4, 5, 4, 2)),
    ("Conv2DTranspose", (3, 3), {"strides": 2}, (2, 4, 5, 2)),
    ("Conv2DTranspose", (3, 3), {"strides": 2, "padding": "same"}, (2, 4, 5, 2)),
    ("Conv2DTranspose", (3, 2), {"strides": 3, "padding": "same"}, (1, 3, 3, 2)),
    ("SeparableConv2D", (4, 3), {}, (2, 7, 6, 3)),
    ("SeparableConv2D", (4, 3), {"padding": "same", "strides": 2, "depth_multiplier": 2,
                                 "activation": "relu"}, (2, 7, 6, 3)),
    ("MaxPooling1D", (), {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 8, 3)),
    ("AveragePooling1D", (), {"pool_size": 3, "padding": "same"}, (2, 8, 3)),
    ("AveragePooling1D", (), {"pool_size": 2}, (2, 8, 3)),
    ("GlobalAveragePooling1D", (), {}, (2, 8, 3)),
    ("GlobalMaxPooling1D", (), {"keepdims": True}, (2, 8, 3)),
    ("UpSampling2D", (), {"size": (2, 3)}, (2, 3, 4, 2)),
    ("UpSampling2D", (), {"interpolation": "bilinear"}, (2, 3, 4, 2)),
    ("ZeroPadding2D", (), {"padding": ((1, 2), (0, 1))}, (2, 3, 4, 2)),
    ("Cropping2D", (), {"cropping": ((1, 0), (1, 2))}, (2, 4, 5, 2)),
    ("RepeatVector", (3,), {}, (2, 4)),
    ("Permute", ((2, 1),), {}, (2, 3, 4)),
])
def test_layers_match_keras(name, args, kwargs, shape):
    k = oracle()
    x = _array(*shape)
    theirs = getattr(k.layers, name)(*args, **kwargs)
    ours = getattr(keras.layers, name)(*args, **kwargs)
    expected = np.asarray(theirs(x))
    ours(x)
    ours.set_weights(theirs.get_weights())
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    np.testing.assert_allclose(ours(x).detach().numpy(), expected, atol=1e-5)


def test_global_average_pooling_leaves_masked_steps_out():
    k = oracle()
    ids = np.array([[1, 2, 0, 0], [3, 1, 2, 4]])
    theirs_embed, ours_embed = k.layers.Embedding(5, 3, mask_zero=True), \
        keras.layers.Embedding(5, 3, mask_zero=True)
    theirs_embed(ids)
    ours_embed(ids)
    ours_embed.set_weights(theirs_embed.get_weights())
    expected = np.asarray(k.layers.GlobalAveragePooling1D()(theirs_embed(ids)))
    got = keras.layers.GlobalAveragePooling1D()(ours_embed(ids))
    np.testing.assert_allclose(got.detach().numpy(), expected, atol=1e-6)


def test_masking_zeroes_padded_steps_and_masks_them():
    x = _array(2, 4, 3)
    x[0, 2:] = 0.0
    layer = keras.layers.Masking(0.0)
    out = layer(x)
    np.testing.assert_array_equal(out.detach().numpy(), x)
    np.testing.assert_array_equal(out.__dict__["_keras_mask"].numpy(),
                                  [[True, True, False, False], [True] * 4])


def test_noise_layers_act_only_while_training():
    x = np.ones((4, 5, 5, 8), dtype=np.float32)
    for layer in (keras.layers.GaussianNoise(0.5), keras.layers.SpatialDropout2D(0.5)):
        np.testing.assert_array_equal(layer(x).detach().numpy(), x)
        assert not np.array_equal(layer(x, training=True).detach().numpy(), x)
    dropped = keras.layers.SpatialDropout2D(0.5)(x, training=True).detach().numpy()
    per_map = dropped.transpose(0, 3, 1, 2).reshape(4, 8, -1)
    assert (per_map.min(axis=2) == per_map.max(axis=2)).all()  # whole feature maps


def test_lambda_runs_but_is_never_loaded_from_a_file():
    layer = keras.layers.Lambda(lambda t: t * 2)
    np.testing.assert_array_equal(layer(np.ones((1, 2), np.float32)).detach().numpy(), [[2, 2]])
    with pytest.raises(NotImplementedError, match="loading never runs"):
        keras.layers.Lambda.from_config(layer.get_config())
