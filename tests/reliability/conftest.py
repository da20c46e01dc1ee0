"""Shared fixtures for the reliability tests: small, valid model files of every format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import ember
from ember import keras, nn

INPUTS, CLASSES = 4, 3


@pytest.fixture(autouse=True)
def fresh_session() -> Iterator[None]:
    """Layer names ``dense``, ``dense_1``, ... and seed 0 in every test."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield
    keras.backend.clear_session()


def tiny_keras_model() -> keras.Model:
    """A compiled 4 -> 5 -> 3 classifier with optimizer state (one training step taken)."""
    model = keras.Sequential([keras.layers.Dense(5, activation="relu", input_shape=(INPUTS,)),
                              keras.layers.Dropout(0.1),
                              keras.layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(8, INPUTS)).astype(np.float32)
    model.train_on_batch(x, np.arange(8) % CLASSES)
    return model


def tiny_torch_model() -> nn.Module:
    return nn.Sequential(nn.Linear(INPUTS, 5), nn.BatchNorm1d(5), nn.ReLU(),
                         nn.Linear(5, CLASSES))


@pytest.fixture(scope="session")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """One valid file per loader: ``keras``, ``cli_keras``, ``cli_torch``, ``state``."""
    from ember.cli.modelfile import save_model_file
    from ember.cli.recipes import get_recipe

    folder = tmp_path_factory.mktemp("valid-files")
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    tiny_keras_model().save(str(folder / "model.keras"))
    ember.save(tiny_torch_model().state_dict(), folder / "state.safetensors")

    record = {"preprocessing": {"kind": "standardize"}, "class_names": ["a", "b", "c"]}
    iris_arch = {"inputs": INPUTS, "hidden": [5], "classes": CLASSES, "name": "iris"}
    iris = get_recipe("iris").build(iris_arch)
    iris.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    save_model_file(folder / "cli.keras", iris, {"recipe": "iris", "family": "keras",
                                                 "architecture": iris_arch, "output": "probs",
                                                 **record})
    torch_arch = {"inputs": INPUTS, "hidden": [5], "classes": CLASSES}
    mlp = get_recipe("mnist-torch").build(torch_arch)
    save_model_file(folder / "cli.safetensors", mlp, {"recipe": "mnist-torch", "family": "torch",
                                                      "architecture": torch_arch,
                                                      "output": "log_probs", **record})
    names = {"keras": "model.keras", "state": "state.safetensors", "cli_keras": "cli.keras",
             "cli_torch": "cli.safetensors"}
    return {kind: (folder / name).read_bytes() for kind, name in names.items()}


def sample_inputs() -> np.ndarray:
    return np.random.default_rng(1).normal(size=(6, INPUTS)).astype(np.float32)


def write(folder: Path, name: str, blob: bytes) -> Path:
    path = folder / name
    path.write_bytes(blob)
    return path
