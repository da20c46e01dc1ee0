"""``ember.keras``: Keras's high-level API on top of ``ember.nn``.

>>> from ember import keras
>>> model = keras.Sequential([keras.layers.Dense(10, activation="softmax", input_shape=(784,))])
>>> model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
...               metrics=["accuracy"])
"""

from ember.keras import (
    activations,
    backend,
    callbacks,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from ember.keras.layers import Input
from ember.keras.models import Model, Sequential, load_model

__all__ = ["Input", "Model", "Sequential", "activations", "backend", "callbacks", "constraints",
           "datasets", "initializers", "layers", "load_model", "losses", "metrics", "models",
           "optimizers", "regularizers", "utils"]

from ember.keras import ops  # noqa: E402 - issue 12: Keras 3's ``from keras import ops``

__all__ += ["ops"]


def __getattr__(name: str) -> object:
    # keras.wrappers loads scikit-learn: only when it is first used.
    if name == "wrappers":
        import importlib

        return importlib.import_module("ember.keras.wrappers")
    raise AttributeError(f"module 'ember.keras' has no attribute {name!r}")

from ember.keras import random  # noqa: E402 - issue 12: Keras 3's keras.random beside keras.ops

__all__ += ["random"]
