"""``keras.utils``: one-hot targets, seeding, plots of training history and of models."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np

from ember.keras.layers.base import clear_session
from ember.keras.utils.model_visualization import plot_model
from ember.keras.utils.progbar import Progbar
from ember.keras.utils.py_dataset import PyDataset, Sequence


def to_categorical(y: Any, num_classes: int | None = None, dtype: Any = "float32") -> np.ndarray:
    """Integer labels to one-hot rows (Keras semantics).

    >>> keras.utils.to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    from ember.datasets import to_categorical as one_hot

    return one_hot(y, num_classes).astype(dtype, copy=False)


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from what a ``train_step``/``test_step`` receives."""
    from ember.keras.models.model import unpack_x_y_sample_weight as unpack

    return unpack(data)


def set_random_seed(seed: int) -> None:
    """Seed ember, NumPy's global generator and Python's ``random`` at once."""
    import ember

    ember.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def plot_history(history: Any, path: str | Path, title: str | None = None) -> Path:
    """Plot loss and every metric per epoch, training against validation, to a PNG file."""
    from ember.plotting import plot_history as plot

    logs = history.history if hasattr(history, "history") else dict(history)
    return plot(logs, path, title)


__all__ = ["Progbar", "PyDataset", "Sequence", "clear_session", "plot_history", "plot_model",
           "set_random_seed", "to_categorical"]
