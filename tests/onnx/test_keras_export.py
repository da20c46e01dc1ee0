"""``model.export(path, format="onnx")`` for Keras models, as Keras 3 spells it: onnxruntime
predicts what ``model.predict`` predicts, to 1e-5, for batches of 1 and 7."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ember import keras
from ember.keras import layers


def check_export(model: keras.Model, path: Path, make_input) -> None:
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model.export(str(path), format="onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for batch in (1, 7):
        x = make_input(batch)
        (got,) = session.run(None, {session.get_inputs()[0].name: x})
        np.testing.assert_allclose(got, model.predict(x, verbose=0), atol=1e-5, rtol=0)


def floats(*shape: int) -> np.ndarray:
    return np.random.default_rng(shape[0]).standard_normal(shape).astype(np.float32)


def test_sequential_cnn_channels_last(tmp_path: Path) -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((12, 12, 3)), layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.BatchNormalization(), layers.MaxPooling2D(2), layers.Conv2D(6, 3, strides=2),
        layers.GlobalAveragePooling2D(), layers.Dropout(0.5),
        layers.Dense(5, activation="softmax")])
    check_export(model, tmp_path / "cnn.onnx", lambda b: floats(b, 12, 12, 3))


def test_functional_with_merges(tmp_path: Path) -> None:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((10,))
    a = layers.Dense(8, activation="relu")(inputs)
    b = layers.Dense(8, activation="tanh")(inputs)
    merged = layers.Concatenate()([layers.Add()([a, b]), layers.Multiply()([a, b])])
    model = keras.Model(inputs, layers.Dense(3, activation="sigmoid")(merged))
    check_export(model, tmp_path / "fn.onnx", lambda b: floats(b, 10))


def test_embedding_model_takes_integer_input(tmp_path: Path) -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,), dtype="int32"), layers.Embedding(30, 4),
                              layers.Flatten(), layers.Dense(2, activation="softmax")])
    check_export(model, tmp_path / "emb.onnx",
                 lambda b: np.random.default_rng(b).integers(0, 30, (b, 6)).astype(np.int64))


def test_other_formats_are_refused(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    with pytest.raises(NotImplementedError, match="tf_saved_model"):
        model.export(str(tmp_path / "m"), format="tf_saved_model")


def test_a_model_with_two_inputs(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    keras.utils.set_random_seed(0)
    a, b = keras.Input((3,)), keras.Input((5,))
    model = keras.Model([a, b], layers.Dense(2)(layers.Concatenate()([layers.Dense(4)(a), b])))
    model.export(str(tmp_path / "two.onnx"), format="onnx")
    session = ort.InferenceSession(str(tmp_path / "two.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input_0", "input_1"]
    for batch in (1, 7):
        xa, xb = floats(batch, 3), floats(batch, 5)
        (got,) = session.run(None, {"input_0": xa, "input_1": xb})
        np.testing.assert_allclose(got, model.predict([xa, xb], verbose=0), atol=1e-5, rtol=0)
