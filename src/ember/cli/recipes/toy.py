"""Tabular and tiny-image recipes on scikit-learn's data: ``iris`` and ``digits`` (Keras)."""

from __future__ import annotations

from typing import Any

from ember.cli.data import Source, Split, toy_split
from ember.cli.preprocess import image_spec, tabular_spec
from ember.cli.recipes.base import Recipe, channel_stats, keras_trainer

IRIS_FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]


def _load_iris(source: Source, seed: int) -> Split:
    return toy_split("iris", seed, val_fraction=0.1)


def _iris_preprocessing(split: Split) -> dict[str, Any]:
    """StandardScaler on the training part, as the walkthrough does before its network."""
    from ember.datasets import Standardizer

    scaler = Standardizer().fit(split.x_train)
    return tabular_spec(scaler.mean, scaler.std, IRIS_FEATURES)


def build_mlp(arch: dict[str, Any]) -> Any:
    """A Keras Sequential MLP: ``inputs`` -> ``hidden`` relu layers -> ``classes`` (softmax
    unless ``logits``); layer names follow the walkthrough's."""
    from ember import keras

    layers: list[Any] = [keras.Input((int(arch["inputs"]),))]
    for i, units in enumerate(arch["hidden"], start=1):
        layers.append(keras.layers.Dense(int(units), activation="relu", name=f"Hidden-Layer-{i}"))
    activation = None if arch.get("logits") else "softmax"
    layers.append(keras.layers.Dense(int(arch["classes"]), activation=activation,
                                     name="Output-Layer"))
    return keras.Sequential(layers, name=arch.get("name"))


IRIS = Recipe(
    name="iris",
    family="keras",
    dataset="iris",
    description="Iris walkthrough: 4-128-128-3 Keras Sequential, RMSprop, categorical "
                "cross-entropy, 10% held out",
    load=_load_iris,
    preprocessing=_iris_preprocessing,
    architecture={"inputs": 4, "hidden": [128, 128], "classes": 3, "name": "iris"},
    build=build_mlp,
    train=keras_trainer("categorical_crossentropy", one_hot=True),
    output="probs",
    epochs=30,
    batch_size=16,
    lr=0.001,
    optimizer="rmsprop",
)


def _load_digits(source: Source, seed: int) -> Split:
    split = toy_split("digits", seed, val_fraction=0.1)
    split.x_train = split.x_train.reshape(-1, 8, 8)  # raw 8x8 images, values 0..16
    split.x_val = split.x_val.reshape(-1, 8, 8)
    return split


def _digits_preprocessing(split: Split) -> dict[str, Any]:
    mean, std = channel_stats(split.x_train, raw_max=16.0)
    return image_spec(8, 1, mean, std, layout="flat", raw_max=16.0)


DIGITS = Recipe(
    name="digits",
    family="keras",
    dataset="digits",
    description="8x8 digits MLP: 64-128-64-10 Keras Sequential, Adam, 10% held out",
    load=_load_digits,
    preprocessing=_digits_preprocessing,
    architecture={"inputs": 64, "hidden": [128, 64], "classes": 10, "name": "digits"},
    build=build_mlp,
    train=keras_trainer("sparse_categorical_crossentropy", one_hot=False),
    output="probs",
    epochs=40,
    batch_size=32,
    lr=0.001,
    optimizer="adam",
)

__all__ = ["DIGITS", "IRIS", "build_mlp"]
