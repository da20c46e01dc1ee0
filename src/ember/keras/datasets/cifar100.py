"""``keras.datasets.cifar100.load_data(label_mode="fine")``: Keras's shapes (``(N, 32, 32, 3)``
uint8 images, ``(N, 1)`` int64 labels, fine (100) or coarse (20) classes), read by
``ember.vision.datasets.CIFAR100`` from ``$EMBER_DATA/cifar/`` or downloaded there."""

from __future__ import annotations

import numpy as np

from ember.keras.datasets.cifar10 import _splits


def load_data(label_mode: str = "fine") -> tuple[tuple[np.ndarray, np.ndarray],
                                                 tuple[np.ndarray, np.ndarray]]:
    """``(x_train, y_train), (x_test, y_test)``: 50,000 and 10,000 images."""
    from ember.vision.datasets import CIFAR100

    if label_mode not in ("fine", "coarse"):
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: '
                         f"label_mode={label_mode}.")
    if label_mode == "fine":
        return _splits(CIFAR100, np.int64)

    class CoarseCIFAR100(CIFAR100):
        labels_key = "coarse_labels"
        meta = {**CIFAR100.meta, "key": "coarse_label_names"}

    return _splits(CoarseCIFAR100, np.int64)
