"""Fixtures for the Keras tests: fresh layer names and seeds per test, tiny data sets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ember import keras


def shared_data_dir() -> Path:
    """$EMBER_DATA, else the checkout's sibling ``shared/data`` folder."""
    if os.environ.get("EMBER_DATA"):
        return Path(os.environ["EMBER_DATA"])
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def fresh_session() -> Iterator[None]:
    """Every test starts with layer names ``dense``, ``dense_1``, ... and seed 0."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield
    keras.backend.clear_session()


@pytest.fixture
def blobs() -> tuple[np.ndarray, np.ndarray]:
    """120 samples of 4 features in 3 well separated classes: (x float32, y int64)."""
    rng = np.random.default_rng(0)
    centers = np.array([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]], dtype=np.float32)
    y = np.arange(120) % 3
    x = centers[y] + rng.normal(0, 0.5, (120, 4)).astype(np.float32)
    return x.astype(np.float32), y.astype(np.int64)


def small_classifier(hidden: int = 8, classes: int = 3, inputs: int = 4,
                     output: str = "softmax") -> keras.Sequential:
    """Dense(hidden, relu) -> Dense(classes, output) on ``inputs`` features."""
    return keras.Sequential([
        keras.layers.Dense(hidden, activation="relu", input_shape=(inputs,)),
        keras.layers.Dense(classes, activation=output),
    ])


@pytest.fixture(name="small_classifier")
def small_classifier_fixture() -> object:
    """The ``small_classifier`` factory, for tests (conftest can't be imported directly)."""
    return small_classifier


@pytest.fixture
def mnist_root() -> Path:
    root = shared_data_dir()
    if not (root / "mnist" / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"real MNIST not found under {root}/mnist (set EMBER_DATA)")
    return root
