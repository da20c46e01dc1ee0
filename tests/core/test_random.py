"""``ember.random``: the one truncated normal, shared by ``nn.init`` and Keras's initializers."""

from __future__ import annotations

import numpy as np

import ember
from ember import keras
from ember import random as ember_random
from ember.nn import init


def test_truncated_normal_stays_in_its_bounds_with_the_truncated_spread() -> None:
    ember.manual_seed(0)
    values = ember_random.truncated_normal_array((200_000,), 1.0, 3.0, a=-5.0, b=7.0)
    assert values.dtype == np.float64 and values.min() >= -5.0 and values.max() <= 7.0
    assert (values < -4.5).any() and (values > 6.5).any()  # the tails reach the bounds
    # A unit normal cut at +-2 has std 0.87962566...; here 3 times that, centred on 1.
    assert abs(values.mean() - 1.0) < 0.02 and abs(values.std() - 3 * 0.8796257) < 0.02


def test_nn_init_and_keras_draw_the_same_truncated_normal() -> None:
    torch_style = init.trunc_normal_(ember.empty(64, 32, dtype=ember.float64), 0.0, 0.05,
                                     a=-0.1, b=0.1, generator=ember_random.Generator(7)).numpy()
    keras_style = keras.initializers.TruncatedNormal(stddev=0.05, seed=7)((64, 32))
    assert keras_style.dtype == np.float32
    np.testing.assert_array_equal(keras_style, torch_style.astype(np.float32))
