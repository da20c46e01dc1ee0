"""The functional API: keras.Input, layers called on KerasTensors, keras.Model(inputs, outputs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ember import keras
from ember.keras import layers


def test_keras_tensors_carry_shapes() -> None:
    inputs = keras.Input(shape=(28, 28, 1))
    assert inputs.shape == (None, 28, 28, 1)
    x = layers.Conv2D(4, 3, padding="same")(inputs)
    assert x.shape == (None, 28, 28, 4)
    assert layers.Flatten()(layers.MaxPooling2D()(x)).shape == (None, 14 * 14 * 4)


def test_chain_matches_the_same_sequential(blobs: Any) -> None:
    x, _ = blobs
    inputs = keras.Input((4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(3, activation="softmax")(hidden)
    model = keras.Model(inputs, outputs, name="chain")
    assert isinstance(model, keras.models.Functional) and model.name == "chain"
    assert [type(la).__name__ for la in model.layers] == ["InputLayer", "Dense", "Dense"]
    sequential = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                                   layers.Dense(3, activation="softmax")])
    sequential.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(x, verbose=0), sequential.predict(x, verbose=0),
                               rtol=1e-6)
    assert model.count_params() == 4 * 8 + 8 + 8 * 3 + 3


def branch_model() -> keras.Model:
    inputs = keras.Input((4,), name="features")
    left = layers.Dense(6, activation="relu", name="left")(inputs)
    right = layers.Dense(6, activation="tanh", name="right")(inputs)
    summed = layers.Add(name="sum")([left, right])
    joined = layers.Concatenate(name="join")([summed, inputs])
    outputs = layers.Dense(3, activation="softmax", name="out")(joined)
    return keras.Model(inputs=inputs, outputs=outputs)


def test_branch_computes_what_it_says(blobs: Any) -> None:
    x, _ = blobs
    model = branch_model()
    assert model.get_layer("join").output_shape == (None, 10)
    (wl, bl), (wr, br), (wo, bo) = (model.get_layer(n).get_weights()
                                    for n in ("left", "right", "out"))
    joined = np.concatenate([np.maximum(x @ wl + bl, 0) + np.tanh(x @ wr + br), x], axis=1)
    logits = joined @ wo + bo
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-6)


def test_branch_trains_and_round_trips_through_a_file(blobs: Any, tmp_path: Path) -> None:
    x, y = blobs
    model = branch_model()
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    model.save(tmp_path / "branch.keras")
    loaded = keras.models.load_model(tmp_path / "branch.keras")
    assert isinstance(loaded, keras.models.Functional)
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    model.fit(x, y, epochs=1, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, shuffle=False, verbose=0)
    for u, v in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(u, v)
    clone = keras.models.model_from_json(model.to_json())
    assert clone.get_config() == model.get_config()


def test_two_inputs(blobs: Any) -> None:
    x, y = blobs
    a, b = keras.Input((2,)), keras.Input((2,))
    merged = layers.Concatenate()([layers.Dense(4)(a), layers.Dense(4)(b)])
    model = keras.Model([a, b], layers.Dense(3, activation="softmax")(merged))
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit([x[:, :2], x[:, 2:]], y, epochs=1, verbose=0)
    assert model.predict([x[:, :2], x[:, 2:]], verbose=0).shape == (120, 3)
    with pytest.raises(ValueError, match="expects 2 inputs, got 1"):
        model.predict(x[:, :2], verbose=0)


def test_summary_of_a_functional_model_lists_the_input() -> None:
    lines: list[str] = []
    branch_model().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "features (InputLayer)" in text and "(None, 4)" in text
    assert "join (Concatenate)" in text and "(None, 10)" in text
    header = next(line for line in text.splitlines() if "Layer (type)" in line)
    assert "Connected to" in header  # a graph with branches, as Keras prints it
    row = {line.split()[1]: line for line in text.splitlines() if line.startswith(("│", "|"))}
    assert "sum[0][0], features[0][0]" in row["join"]
    assert "left[0][0], right[0][0]" in row["sum"]
    assert row["features"].rstrip(" │|").endswith("-")


def test_summary_of_a_functional_chain_has_no_connected_to_column() -> None:
    inputs = keras.Input((4,))
    outputs = layers.Dense(3)(layers.Dense(8)(inputs))
    lines: list[str] = []
    keras.Model(inputs, outputs).summary(print_fn=lines.append)
    assert not any("Connected to" in line for line in lines)


def test_model_rejects_things_that_are_not_keras_tensors() -> None:
    with pytest.raises(TypeError, match="keras.Input"):
        keras.Model(np.zeros((1, 4)), keras.Input((4,)))
