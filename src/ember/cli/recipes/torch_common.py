"""The training shared by the PyTorch-style recipes: an ``ember.optim`` optimizer, an optional
``ember.optim.lr_scheduler`` schedule, a loss from ``ember.nn.functional`` and the hand-written
loop of ``ember.cli.training.fit_torch``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember.cli.recipes.base import Prepared
from ember.cli.training import (
    Outcome,
    Schedule,
    Settings,
    array_batches,
    fit_torch,
    torch_optimizer,
)
from ember.distributed import _cli as data_parallel

Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def torch_trainer(loss_fn: Callable[..., Any], augment: Augment | None = None,
                  dataloader: bool = False, schedule: Schedule | None = None
                  ) -> Callable[[Any, Prepared, Settings], Outcome]:
    """Train with shuffled NumPy batches (optionally augmented) or with a DataLoader over a
    TensorDataset, as PyTorch tutorials do; ``schedule(optimizer, epochs)`` makes the
    learning-rate scheduler stepped after each epoch."""

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
        # Under mpiexec: each rank's part of every batch, gradients averaged over the ranks.
        batches = data_parallel.shard_batches(model, batches)
        return fit_torch(model, batches, steps, data.x_val, data.y_val, settings,
                         torch_optimizer(settings, model), loss_fn, schedule)

    return train
