"""Keras's recurrent, attention and normalisation layers: Keras 3 (the oracle) gives the same
outputs for the same weights, and models built from them train, save and load."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ember import keras


def oracle() -> Any:
    """Keras 3 (TensorFlow backend), or skip this test."""
    pytest.importorskip("tensorflow")
    return pytest.importorskip("keras")


def _as_list(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (list, tuple)) else [result]


def _same_outputs(ours: Any, theirs: Any, *inputs: Any, **kwargs: Any) -> None:
    theirs(*inputs, **kwargs)
    ours(*inputs, **kwargs)
    ours.set_weights(theirs.get_weights())
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    for a, b in zip(_as_list(ours(*inputs, **kwargs)), _as_list(theirs(*inputs, **kwargs)),
                    strict=True):
        np.testing.assert_allclose(a.detach().numpy(), np.asarray(b), atol=1e-5)


SEQUENCES = np.random.default_rng(0).standard_normal((3, 5, 4)).astype(np.float32)
IDS = np.array([[3, 4, 1, 0, 0], [2, 2, 2, 2, 1]])


@pytest.mark.parametrize("name, kwargs", [
    ("LSTM", {}),
    ("GRU", {"return_sequences": True}),
    ("SimpleRNN", {"activation": "relu"}),
    ("LSTM", {"return_sequences": True, "go_backwards": True}),
    ("GRU", {"return_state": True, "use_bias": False}),
    ("LSTM", {"return_state": True, "unit_forget_bias": False}),
])
def test_recurrent_layers_match_keras(name, kwargs):
    k = oracle()
    _same_outputs(getattr(keras.layers, name)(6, **kwargs), getattr(k.layers, name)(6, **kwargs),
                  SEQUENCES)


@pytest.mark.parametrize("inner, merge_mode", [("LSTM", "concat"), ("GRU", "sum")])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_over_a_masked_embedding_matches_keras(inner, merge_mode,
                                                              return_sequences):
    k = oracle()
    ours_embed, theirs_embed = keras.layers.Embedding(5, 4, mask_zero=True), \
        k.layers.Embedding(5, 4, mask_zero=True)
    ours = keras.layers.Bidirectional(getattr(keras.layers, inner)(
        3, return_sequences=return_sequences), merge_mode=merge_mode)
    theirs = k.layers.Bidirectional(getattr(k.layers, inner)(
        3, return_sequences=return_sequences), merge_mode=merge_mode)
    theirs(theirs_embed(IDS))
    ours(ours_embed(IDS))
    ours_embed.set_weights(theirs_embed.get_weights())
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(ours_embed(IDS)).detach().numpy(),
                               np.asarray(theirs(theirs_embed(IDS))), atol=1e-5)


def test_multi_head_attention_matches_keras():
    k = oracle()
    rng = np.random.default_rng(1)
    query = rng.standard_normal((2, 4, 8)).astype(np.float32)
    value = rng.standard_normal((2, 6, 5)).astype(np.float32)
    mask = rng.random((2, 4, 6)) > 0.3
    _same_outputs(keras.layers.MultiHeadAttention(2, 3), k.layers.MultiHeadAttention(2, 3),
                  query, value, attention_mask=mask, return_attention_scores=True)
    _same_outputs(keras.layers.MultiHeadAttention(2, 3, value_dim=4, output_shape=7),
                  k.layers.MultiHeadAttention(2, 3, value_dim=4, output_shape=7),
                  query, query, use_causal_mask=True)


@pytest.mark.parametrize("name, kwargs", [("LayerNormalization", {}),
                                          ("LayerNormalization", {"center": False}),
                                          ("GroupNormalization", {"groups": 2})])
def test_normalisation_layers_match_keras(name, kwargs):
    k = oracle()
    theirs = getattr(k.layers, name)(**kwargs)
    x = SEQUENCES * 3 + 1
    theirs(x)
    theirs.set_weights([w + 0.5 for w in theirs.get_weights()])
    _same_outputs(getattr(keras.layers, name)(**kwargs), theirs, x)


def test_attention_layer_matches_keras():
    k = oracle()
    rng = np.random.default_rng(2)
    query, value = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))
    _same_outputs(keras.layers.Attention(use_scale=True), k.layers.Attention(use_scale=True),
                  [query.astype(np.float32), value.astype(np.float32)], use_causal_mask=False)


def _round_trip(model: Any, x: Any, tmp_path: Any) -> None:
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_bidirectional_lstm_classifier_trains_saves_and_loads(tmp_path):
    # Sequences whose class is whether token 1 appears before token 2: order matters.
    rng = np.random.default_rng(0)
    x = rng.integers(3, 9, size=(256, 8))
    y = rng.integers(0, 2, size=256)
    first, second = np.where(y[:, None] == 1, [1, 2], [2, 1]).T
    x[np.arange(256), rng.integers(0, 3, 256)] = first
    x[np.arange(256), rng.integers(4, 7, 256)] = second
    x[:, 7] = 0  # a padded last step
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Embedding(10, 8, mask_zero=True),
        keras.layers.Bidirectional(keras.layers.LSTM(12)),
        keras.layers.Dense(2, activation="softmax"),
    ])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=12, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    _round_trip(model, x[:20], tmp_path)


def test_multi_head_attention_block_trains_saves_and_loads(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 6, 8)).astype(np.float32)
    y = (x[:, :, 0].sum(axis=1) > 0).astype(np.int64)
    inputs = keras.Input((6, 8))
    attended = keras.layers.MultiHeadAttention(2, 4, dropout=0.1)(inputs, inputs)
    normed = keras.layers.LayerNormalization()(keras.layers.Add()([inputs, attended]))
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(normed))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    assert after[0] < before[0]
    _round_trip(model, x[:10], tmp_path)


def test_unsupported_options_are_refused():
    with pytest.raises(NotImplementedError, match="recurrent_dropout"):
        keras.layers.LSTM(3, recurrent_dropout=0.2)
    with pytest.raises(NotImplementedError, match="stateful"):
        keras.layers.GRU(3, stateful=True)
    with pytest.raises(NotImplementedError, match="attention_axes"):
        keras.layers.MultiHeadAttention(2, 3, attention_axes=(1,))
