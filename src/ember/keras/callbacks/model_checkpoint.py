"""``ModelCheckpoint``: save the model (or its weights) after epochs, optionally only the best."""

from __future__ import annotations

import math
from typing import Any

from ember.keras.callbacks.base import Callback, MonitorMixin


class ModelCheckpoint(MonitorMixin, Callback):
    """Save to ``filepath`` (which may hold ``{epoch:02d}`` and ``{val_loss:.2f}`` fields).

    With ``save_best_only=True`` a file is written only when the monitored value improves.
    An epoch whose loss is NaN or infinite is never saved, so the last good checkpoint stays.
    The saved model records ember's random state and ``epochs_finished``: resume with
    ``model = load_model(path); model.fit(..., initial_epoch=model.epochs_finished)``.
    """

    def __init__(self, filepath: str, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: str = "epoch",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__()
        if save_freq != "epoch":
            raise NotImplementedError(f"ModelCheckpoint: save_freq={save_freq!r} is not "
                                      "supported (only 'epoch')")
        self._init_monitor(monitor, mode, 0.0)
        self.filepath, self.verbose = str(filepath), verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.best = self._worst() if initial_value_threshold is None else initial_value_threshold

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss):
            # Keep the last good checkpoint rather than overwrite it with diverged weights.
            print(f"\nEpoch {epoch + 1}: loss is {loss}, not saving the model")
            return
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = self._current(logs)
            if current is None or not self._improved(current, self.best):
                if self.verbose and current is not None:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
