"""``keras.datasets.mnist.load_data()``: ((x_train, y_train), (x_test, y_test)) as uint8."""

from __future__ import annotations

from typing import Any


def load_data(path: Any = None) -> Any:
    """Read MNIST's IDX files from ``$EMBER_DATA/mnist/`` (or ``path``, or ~/.cache/ember)."""
    from ember.datasets import load_mnist

    return load_mnist(root=path)
