"""Keras 3's files in and out: ``load_model`` opens what Keras 3 saved, ``save(...,
save_format="keras3")`` and ``save_weights("x.weights.h5")`` write what Keras 3 opens.

Keras 3 itself is the oracle, run on its PyTorch backend in a subprocess (``KERAS_BACKEND=torch``)
so that it cannot interfere with anything else; those tests skip when keras is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

import ember
from ember import keras
from ember.keras import layers
from ember.keras.models.keras3_format import save_weights_h5

CLASSES = 10


def mnist_sample(count: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """MNIST test images scaled to 0..1 (N, 28, 28, 1) when the data is here, else noise."""
    folder = Path(os.environ.get("EMBER_DATA", "/work/shared/data")) / "mnist"
    images, labels = folder / "t10k-images-idx3-ubyte.gz", folder / "t10k-labels-idx1-ubyte.gz"
    if images.exists() and labels.exists():
        from ember.datasets.mnist import read_idx_pair

        x, y = read_idx_pair(images, labels)
        return (x[:count, ..., None] / np.float32(255)).astype(np.float32), y[:count].astype(
            np.int64)
    rng = np.random.default_rng(0)
    return rng.random((count, 28, 28, 1), dtype=np.float32), rng.integers(0, CLASSES, count)


def run_keras(script: str, folder: Path) -> None:
    """Run ``script`` under Keras 3 on the PyTorch backend, in its own process."""
    pytest.importorskip("h5py")
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("torch") is None:
        pytest.skip("Keras 3 (the oracle) or PyTorch (its backend here) is not installed")
    header = "import os, sys, numpy as np\nimport keras\nfrom keras import layers\n" \
             "folder = sys.argv[1]\nkeras.utils.set_random_seed(0)\n"
    done = subprocess.run([sys.executable, "-c", header + textwrap.dedent(script), str(folder)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KERAS_BACKEND": "torch"})
    assert done.returncode == 0, done.stderr[-3000:]


KERAS_WRITES = """
x, y, probe = np.load(f"{folder}/x.npy"), np.load(f"{folder}/y.npy"), np.load(f"{folder}/p.npy")
mlp = keras.Sequential([keras.Input((784,)), layers.Dense(64, activation="relu"),
                        layers.Dropout(0.2), layers.Dense(10, activation="softmax")])
mlp.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
mlp.fit(x.reshape(len(x), -1), y, epochs=2, batch_size=64, verbose=0)
mlp.save(f"{folder}/mlp.keras")
mlp.save_weights(f"{folder}/mlp.weights.h5")
np.save(f"{folder}/mlp_pred.npy", mlp.predict(probe.reshape(len(probe), -1), verbose=0))

cnn = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, activation="relu"),
                        layers.MaxPooling2D(2), layers.BatchNormalization(),
                        layers.Conv2D(8, 3, padding="same", activation="relu"),
                        layers.Flatten(), layers.Dropout(0.3),
                        layers.Dense(10, activation="softmax")])
cnn.compile("adam", "sparse_categorical_crossentropy")
cnn.fit(x, y, epochs=1, batch_size=64, verbose=0)
cnn.save(f"{folder}/cnn.keras")
np.save(f"{folder}/cnn_pred.npy", cnn.predict(probe, verbose=0))

inputs = keras.Input((784,), name="pixels")
wide = layers.Dense(32, activation="relu")(inputs)
deep = layers.Dense(32, activation="tanh")(layers.Dense(16)(inputs))
joined = layers.Concatenate()([layers.Add()([wide, deep]), wide])
fn = keras.Model(inputs, layers.Dense(10, activation="softmax")(joined))
fn.save(f"{folder}/fn.keras")
np.save(f"{folder}/fn_pred.npy", fn.predict(probe.reshape(len(probe), -1), verbose=0))
"""


@pytest.fixture(scope="module")
def keras_saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("keras-saved")
    x, y = mnist_sample()
    np.save(folder / "x.npy", x[:448])
    np.save(folder / "y.npy", y[:448])
    np.save(folder / "p.npy", x[448:])
    run_keras(KERAS_WRITES, folder)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mlp", "cnn", "fn"])
def test_a_model_keras_saved_predicts_the_same_in_ember(keras_saved: Path, name: str) -> None:
    model = keras.models.load_model(str(keras_saved / f"{name}.keras"))
    probe = np.load(keras_saved / "p.npy")
    if name != "cnn":
        probe = probe.reshape(len(probe), -1)
    np.testing.assert_allclose(model.predict(probe, verbose=0),
                               np.load(keras_saved / f"{name}_pred.npy"), atol=1e-5, rtol=0)


@pytest.mark.slow
def test_keras_weights_files_load_into_the_same_architecture(keras_saved: Path) -> None:
    model = keras.Sequential([keras.Input((784,)), layers.Dense(64, activation="relu"),
                              layers.Dropout(0.2), layers.Dense(10, activation="softmax")])
    model.load_weights(str(keras_saved / "mlp.weights.h5"))
    probe = np.load(keras_saved / "p.npy").reshape(-1, 784)
    np.testing.assert_allclose(model.predict(probe, verbose=0),
                               np.load(keras_saved / "mlp_pred.npy"), atol=1e-5, rtol=0)


@pytest.mark.slow
def test_the_loaded_mlp_comes_back_compiled_and_trains(keras_saved: Path) -> None:
    model = keras.models.load_model(str(keras_saved / "mlp.keras"))
    assert type(model.optimizer).__name__ == "RMSprop"
    x, y = mnist_sample(64)
    model.fit(x.reshape(64, -1), y, epochs=1, verbose=0)


def ember_models() -> dict[str, keras.Model]:
    keras.utils.set_random_seed(0)
    x, y = mnist_sample(256)
    mlp = keras.Sequential([keras.Input((784,)), layers.Dense(32, activation="relu"),
                            layers.Dropout(0.2), layers.Dense(CLASSES, activation="softmax")])
    mlp.compile("rmsprop", "sparse_categorical_crossentropy")
    mlp.fit(x.reshape(len(x), -1), y, epochs=1, batch_size=64, verbose=0)
    cnn = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(6, 3, activation="relu"),
                            layers.MaxPooling2D(2), layers.BatchNormalization(),
                            layers.Flatten(), layers.Dense(CLASSES, activation="softmax")])
    cnn.compile("adam", "sparse_categorical_crossentropy")
    cnn.fit(x, y, epochs=1, batch_size=64, verbose=0)
    inputs = keras.Input((784,))
    hidden = layers.Dense(16, activation="relu")(inputs)
    joined = layers.Concatenate()([hidden, layers.Dense(8)(inputs)])
    fn = keras.Model(inputs, layers.Dense(CLASSES, activation="softmax")(joined))
    return {"mlp": mlp, "cnn": cnn, "fn": fn}


KERAS_READS = """
probe = np.load(f"{folder}/p.npy")
for name in ("mlp", "cnn", "fn"):
    model = keras.models.load_model(f"{folder}/{name}.keras")
    data = probe if name == "cnn" else probe.reshape(len(probe), -1)
    np.save(f"{folder}/{name}_pred.npy", model.predict(data, verbose=0))
twin = keras.Sequential([keras.Input((784,)), layers.Dense(32, activation="relu"),
                         layers.Dropout(0.2), layers.Dense(10, activation="softmax")])
twin.load_weights(f"{folder}/mlp.weights.h5")
np.save(f"{folder}/weights_pred.npy", twin.predict(probe.reshape(len(probe), -1), verbose=0))
"""


@pytest.mark.slow
def test_models_ember_saves_in_keras3_layout_predict_the_same_in_keras(tmp_path: Path) -> None:
    models = ember_models()
    probe = mnist_sample(600)[0][512:]
    np.save(tmp_path / "p.npy", probe)
    for name, model in models.items():
        model.save(str(tmp_path / f"{name}.keras"), save_format="keras3")
    save_weights_h5(models["mlp"], tmp_path / "mlp.weights.h5")
    run_keras(KERAS_READS, tmp_path)
    for name, model in models.items():
        data = probe if name == "cnn" else probe.reshape(len(probe), -1)
        np.testing.assert_allclose(np.load(tmp_path / f"{name}_pred.npy"),
                                   model.predict(data, verbose=0), atol=1e-5, rtol=0,
                                   err_msg=name)
    np.testing.assert_allclose(np.load(tmp_path / "weights_pred.npy"),
                               models["mlp"].predict(probe.reshape(len(probe), -1), verbose=0),
                               atol=1e-5, rtol=0)


# ------------------------------------------------------------------ without the Keras oracle
def test_keras3_layout_round_trips_through_ember(tmp_path: Path) -> None:
    pytest.importorskip("h5py")
    probe = mnist_sample(20)[0]
    for name, model in ember_models().items():
        path = tmp_path / f"{name}.keras"
        model.save(str(path), save_format="keras3")
        with zipfile.ZipFile(path) as archive:
            assert sorted(archive.namelist()) == ["config.json", "metadata.json",
                                                  "model.weights.h5"]
            assert json.loads(archive.read("config.json"))["class_name"] in ("Sequential",
                                                                             "Functional")
        loaded = keras.models.load_model(str(path))
        data = probe if name == "cnn" else probe.reshape(len(probe), -1)
        np.testing.assert_allclose(loaded.predict(data, verbose=0),
                                   model.predict(data, verbose=0), atol=1e-6, rtol=0)


def test_weight_paths_follow_keras_numbering() -> None:
    from ember.keras.models.keras3_format import weight_paths

    assert weight_paths(["Dense", "Dropout", "Dense", "MaxPooling2D", "Dense"]) == [
        "layers/dense", "layers/dropout", "layers/dense_1", "layers/max_pooling2d",
        "layers/dense_2"]


def test_a_weights_file_of_another_architecture_is_refused_naming_the_layer(
        tmp_path: Path) -> None:
    pytest.importorskip("h5py")
    small = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    save_weights_h5(small, tmp_path / "small.weights.h5")
    other = keras.Sequential([keras.Input((5,)), layers.Dense(3)])
    with pytest.raises(ember.ModelFileError, match="weight 0 of layer .* is \\[4, 3\\]"):
        other.load_weights(str(tmp_path / "small.weights.h5"))


def test_a_layer_ember_lacks_is_refused_by_name(tmp_path: Path) -> None:
    pytest.importorskip("h5py")
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.save(str(tmp_path / "m.keras"), save_format="keras3")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["class_name"] = "Lambda"  # Keras stores code in it
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    with pytest.raises(ember.ModelFileError, match="Lambda"):  # never built from a file
        keras.models.load_model(str(tmp_path / "m.keras"))


def test_a_keras_option_ember_does_not_have_is_refused_not_ignored(tmp_path: Path) -> None:
    pytest.importorskip("h5py")
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.save(str(tmp_path / "m.keras"), save_format="keras3")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["config"]["lora_rank"] = 4
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    with pytest.raises(ember.ModelFileError, match="lora_rank"):
        keras.models.load_model(str(tmp_path / "m.keras"))


def test_unknown_save_format_is_an_error(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    with pytest.raises(ValueError, match="save_format"):
        model.save(str(tmp_path / "m.keras"), save_format="h5")
