"""What a recipe is: its data, preprocessing, network, defaults and training engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ember.cli.data import Source, Split
from ember.cli.training import Outcome, Schedule, Settings


@dataclass
class Prepared:
    """Model-ready float32 inputs and int64 labels of one run."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None


@dataclass(frozen=True)
class Recipe:
    """One ``ember train NAME`` workload.

    ``load(source, seed)`` returns raw splits; ``preprocessing(split)`` fits the JSON record of
    the input pipeline on the training part; ``build(architecture)`` makes the network from
    JSON parameters (so a saved model can be rebuilt); ``train(model, prepared, settings)``
    compiles/optimises it and returns the finished epochs. ``output`` says what the network
    emits: ``probs``, ``logits`` or ``log_probs``.
    """

    name: str
    family: str  # "keras" or "torch"
    dataset: str  # "iris", "digits", "mnist" or "gtsrb"
    description: str
    load: Callable[[Source, int], Split]
    preprocessing: Callable[[Split], dict[str, Any]]
    architecture: dict[str, Any]
    build: Callable[[dict[str, Any]], Any]
    train: Callable[[Any, Prepared, Settings], Outcome]
    output: str
    epochs: int
    batch_size: int
    lr: float
    optimizer: str
    optimizer_extras: dict[str, Any] = field(default_factory=dict)

    @property
    def takes_images(self) -> bool:
        return self.dataset in ("mnist", "gtsrb", "digits")


def channel_stats(x: np.ndarray, raw_max: float) -> tuple[list[float], list[float]]:
    """Per-channel mean and std of raw images ``(N, H, W[, C])`` scaled to 0..1."""
    data = np.asarray(x, np.float32) / np.float32(raw_max)
    if data.ndim == 3:
        data = data[..., None]
    flat = data.reshape(-1, data.shape[-1])
    mean = flat.mean(axis=0, dtype=np.float64)
    std = flat.std(axis=0, dtype=np.float64)
    return [float(m) for m in mean], [float(s) if s > 0 else 1.0 for s in std]


def keras_trainer(loss: Any, one_hot: bool, schedule: Schedule | None = None
                  ) -> Callable[[Any, Prepared, Settings], Outcome]:
    """Compile with the named optimizer and ``loss``, then ``fit`` with validation data
    (``schedule``, an ``ember.optim.lr_scheduler`` factory, sets each epoch's learning rate)."""

    def train(model: Any, data: Prepared, settings: Settings) -> Outcome:
        from ember.cli.training import fit_keras, keras_optimizer
        from ember.datasets import to_categorical

        model.compile(optimizer=keras_optimizer(settings),
                      loss=loss() if callable(loss) else loss, metrics=["accuracy"])
        y, y_val = data.y_train, data.y_val
        if one_hot:
            classes = model.layers[-1].units
            y, y_val = to_categorical(y, classes), to_categorical(y_val, classes)
        return fit_keras(model, data.x_train, y, data.x_val, y_val, settings, schedule)

    return train
