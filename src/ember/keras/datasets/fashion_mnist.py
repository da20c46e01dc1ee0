"""``keras.datasets.fashion_mnist.load_data()``: Keras's shapes, uint8 images."""

from __future__ import annotations

from typing import Any


def load_data(path: Any = None) -> Any:
    """Read Fashion-MNIST's IDX files from ``$EMBER_DATA/fashion_mnist/`` (or ``path``)."""
    from ember.datasets import load_fashion_mnist

    return load_fashion_mnist(root=path)
