"""Saving: one-file models, weights files, configs and JSON; malformed files raise
``ember.ModelFileError`` naming the file."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers


def trained_model(blobs: Any, optimizer: Any = "rmsprop") -> keras.Sequential:
    x, y = blobs
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                              layers.BatchNormalization(),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    return model


def weights_equal(a: keras.Model, b: keras.Model) -> bool:
    return all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))


def test_save_and_load_model_bit_identical(blobs: Any, tmp_path: Path) -> None:
    x, _ = blobs
    model = trained_model(blobs)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is keras.Sequential
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert weights_equal(model, loaded)


def test_load_model_keeps_compile_settings(blobs: Any, tmp_path: Path) -> None:
    x, y = blobs
    model = trained_model(blobs, keras.optimizers.Adam(learning_rate=0.003, beta_1=0.8))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    assert loaded.optimizer.learning_rate == pytest.approx(0.003)
    assert loaded.optimizer.beta_1 == pytest.approx(0.8)
    assert isinstance(loaded.loss, keras.losses.SparseCategoricalCrossentropy)
    assert [m.name for m in loaded.compiled_metrics] == ["accuracy"]
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    uncompiled = keras.models.load_model(tmp_path / "m.keras", compile=False)
    assert uncompiled.optimizer is None


@pytest.mark.parametrize("optimizer", ["rmsprop", "adam", "sgd", "adagrad"])
def test_training_resumes_with_the_same_optimizer_state(blobs: Any, tmp_path: Path,
                                                       optimizer: str) -> None:
    x, y = blobs
    model = trained_model(blobs, optimizer)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.optimizer.iterations == model.optimizer.iterations
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert weights_equal(model, loaded)


def test_resuming_a_fresh_copy_without_state_differs(blobs: Any, tmp_path: Path) -> None:
    """The resume test above is meaningful: without the optimizer state the update differs."""
    x, y = blobs
    model = trained_model(blobs, "adam")
    model.save_weights(tmp_path / "w.weights.h5")
    fresh = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                              layers.BatchNormalization(), layers.Dense(3, activation="softmax")])
    fresh.compile("adam", "sparse_categorical_crossentropy")
    fresh.load_weights(tmp_path / "w.weights.h5")
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    fresh.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert not weights_equal(model, fresh)


def test_save_weights_and_load_weights_across_layer_names(blobs: Any, tmp_path: Path) -> None:
    model = trained_model(blobs)
    model.save_weights(tmp_path / "w.weights.h5")
    # Built later, so its layers are dense_2, batch_normalization_1, ...: loading is by position.
    other = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                              layers.BatchNormalization(), layers.Dense(3, activation="softmax")])
    assert other.layers[0].name != model.layers[0].name
    other.load_weights(tmp_path / "w.weights.h5")
    assert weights_equal(model, other)


def test_get_config_from_config_and_json(blobs: Any) -> None:
    model = trained_model(blobs)
    config = model.get_config()
    clone = keras.Sequential.from_config(config)
    assert [type(la) for la in clone.layers] == [type(la) for la in model.layers]
    assert clone.count_params() == model.count_params()
    assert clone.get_config() == config
    again = keras.models.model_from_json(model.to_json())
    assert again.get_config() == config
    assert again.layers[0].activation is keras.activations.relu


def test_config_of_conv_model_round_trips() -> None:
    model = keras.Sequential([layers.Conv2D(4, 3, strides=2, padding="same", activation="relu",
                                            input_shape=(9, 9, 2)),
                              layers.MaxPooling2D(), layers.Flatten(), layers.Dropout(0.25),
                              layers.Dense(3, kernel_regularizer=keras.regularizers.L2(1e-3))])
    clone = keras.models.model_from_json(model.to_json())
    assert clone.get_config() == model.get_config()
    assert clone.layers[-1].output_shape == (None, 3)
    assert clone.layers[-1].kernel_regularizer.l2 == pytest.approx(1e-3)


def test_save_unbuilt_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must be built"):
        keras.Sequential([layers.Dense(2)]).save(tmp_path / "m.keras")


def test_load_rejects_a_non_model_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.keras"
    path.write_text("just text")
    with pytest.raises(ember.ModelFileError, match="notes.keras"):
        keras.models.load_model(path)
    with pytest.raises(ember.ModelFileError, match="no such file"):
        keras.models.load_model(tmp_path / "missing.keras")
    other_zip = tmp_path / "other.keras"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ember.ModelFileError, match="other.keras.*missing"):
        keras.models.load_model(other_zip)


def test_load_rejects_a_truncated_file(blobs: Any, tmp_path: Path) -> None:
    path = tmp_path / "m.keras"
    trained_model(blobs).save(path)
    blob = path.read_bytes()
    for cut in (len(blob) // 2, len(blob) - 30, 100):
        path.write_bytes(blob[:cut])
        with pytest.raises(ember.ModelFileError, match="m.keras"):
            keras.models.load_model(path)


def test_load_rejects_weights_that_do_not_fit(blobs: Any, tmp_path: Path) -> None:
    trained_model(blobs).save_weights(tmp_path / "w.weights.h5")
    wider = keras.Sequential([layers.Dense(9, activation="relu", input_shape=(4,)),
                              layers.BatchNormalization(), layers.Dense(3)])
    with pytest.raises(ember.ModelFileError, match=r"w\.weights\.h5.*\[9, 4\]"):
        wider.load_weights(tmp_path / "w.weights.h5")
    shorter = keras.Sequential([layers.Dense(8, input_shape=(4,))])
    with pytest.raises(ember.ModelFileError, match="w.weights.h5.*don't match"):
        shorter.load_weights(tmp_path / "w.weights.h5")
    with pytest.raises(ember.ModelFileError, match="w.weights.h5"):
        keras.models.load_model(tmp_path / "w.weights.h5")


def test_load_rejects_a_tampered_config(blobs: Any, tmp_path: Path) -> None:
    path = tmp_path / "m.keras"
    trained_model(blobs).save(path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["config.json"] = members["config.json"].replace(b'"units": 8', b'"units": 5')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ember.ModelFileError, match="m.keras"):
        keras.models.load_model(path)
