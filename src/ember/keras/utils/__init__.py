"""``keras.utils``: one-hot targets, seeding, plots of training history and of models."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np

from ember.keras.layers.base import clear_session
from ember.keras.utils.progbar import Progbar


def to_categorical(y: Any, num_classes: int | None = None, dtype: Any = "float32") -> np.ndarray:
    """Integer labels to one-hot rows (Keras semantics).

    >>> keras.utils.to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    from ember.datasets import to_categorical as one_hot

    return one_hot(y, num_classes).astype(dtype, copy=False)


def set_random_seed(seed: int) -> None:
    """Seed ember, NumPy's global generator and Python's ``random`` at once."""
    import ember

    ember.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def plot_history(history: Any, path: str | Path, title: str | None = None) -> Path:
    """Plot loss and every metric per epoch, training against validation, to a PNG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    logs = history.history if hasattr(history, "history") else dict(history)
    names = [k for k in logs if not k.startswith("val_") and k != "learning_rate"]
    if not names:
        raise ValueError("plot_history: the history holds no values to plot")
    fig, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 4), squeeze=False)
    for ax, name in zip(axes[0], names):
        epochs = range(1, len(logs[name]) + 1)
        ax.plot(epochs, logs[name], "o-", label=f"training {name}")
        if f"val_{name}" in logs:
            ax.plot(range(1, len(logs[f"val_{name}"]) + 1), logs[f"val_{name}"], "s--",
                    label=f"validation {name}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_model(model: Any, to_file: str | Path | None = None, show_shapes: bool = True,
               **kwargs: Any) -> str:
    """A text drawing of the model's layers (graphviz is not needed); written to ``to_file``
    if given, and returned."""
    lines = []
    for layer in model.layers:
        shape = getattr(layer, "output_shape", None)
        text = f"{layer.name} ({type(layer).__name__})"
        if show_shapes and shape is not None:
            text += f"  ->  {shape}"
        lines.append(text)
    drawing = "\n   |\n   v\n".join(lines)
    if to_file is not None:
        Path(to_file).write_text(drawing + "\n")
    return drawing


__all__ = ["Progbar", "clear_session", "plot_history", "plot_model", "set_random_seed",
           "to_categorical"]
