"""``TerminateOnNaN``: stop training at the first NaN or infinite loss, saying where."""

from __future__ import annotations

import math
from typing import Any

from ember.keras.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite, saying where."""

    def __init__(self) -> None:
        super().__init__()
        self.last_finite: float | None = None
        self.epoch = 0
        self.message: str | None = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        if math.isfinite(loss):
            self.last_finite = loss
            return
        self.message = (f"Epoch {self.epoch + 1}, batch {batch}: invalid loss {loss}, "
                        f"terminating training (last finite loss: {self.last_finite})")
        print(self.message)
        self.model.stop_training = True
