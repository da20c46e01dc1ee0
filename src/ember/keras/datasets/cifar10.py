"""``keras.datasets.cifar10.load_data()``: Keras's shapes (``(N, 32, 32, 3)`` uint8 images,
``(N, 1)`` uint8 labels), read by ``ember.vision.datasets.CIFAR10`` (no code run from the
pickled batches) from ``$EMBER_DATA/cifar/`` or downloaded there with its MD5 checked."""

from __future__ import annotations

from typing import Any

import numpy as np


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``(x_train, y_train), (x_test, y_test)``: 50,000 and 10,000 images."""
    from ember.vision.datasets import CIFAR10

    return _splits(CIFAR10, np.uint8)


def _splits(dataset: Any, label_dtype: Any) -> tuple[tuple[np.ndarray, np.ndarray],
                                                      tuple[np.ndarray, np.ndarray]]:
    parts = []
    for train in (True, False):
        split = dataset(train=train, download=True)
        images = np.asarray(split.data, dtype=np.uint8)
        labels = np.asarray(split.targets).astype(label_dtype).reshape(-1, 1)
        parts.append((images, labels))
    return parts[0], parts[1]
