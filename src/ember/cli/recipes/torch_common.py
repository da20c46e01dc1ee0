"""The training step shared by the PyTorch-style recipes: optimizer from the shared registry,
loss from ``ember.nn.functional``, the hand-written loop of ``ember.cli.training.fit_torch``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.cli.recipes.base import Prepared
from ember.cli.training import (
    Outcome,
    Settings,
    array_batches,
    fit_torch,
    make_optimizer,
)

Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def torch_trainer(loss_fn: Callable[..., Any], augment: Augment | None = None,
                  dataloader: bool = False,
                  lr_factor: Callable[[int, int], float] | None = None
                  ) -> Callable[[Any, Prepared, Settings], Outcome]:
    """Train with shuffled NumPy batches (optionally augmented) or with a DataLoader over a
    TensorDataset, as PyTorch tutorials do; ``lr_factor(epoch, epochs)`` scales the learning
    rate each epoch."""

    def train(model: Any, data: Prepared, settings: Settings) -> Outcome:
        steps = -(-len(data.x_train) // settings.batch_size)
        if dataloader:
            import ember
            from ember.utils.data import DataLoader, TensorDataset

            ember.manual_seed(settings.seed)
            loader = DataLoader(TensorDataset(ember.from_numpy(data.x_train),
                                              ember.from_numpy(data.y_train)),
                                batch_size=settings.batch_size, shuffle=True)

            def batches(epoch: int) -> Any:
                return loader
        else:
            batches = array_batches(data.x_train, data.y_train, settings.batch_size,
                                    settings.seed, augment)
        return fit_torch(model, batches, steps, data.x_val, data.y_val, settings,
                         make_optimizer(settings), loss_fn, lr_factor)

    return train
