"""``History``: every epoch's logs, collected by ``fit`` and returned from it."""

from __future__ import annotations

from typing import Any

from ember.keras.callbacks.base import Callback


class History(Callback):
    """``history.history['loss']`` lists one value per epoch; ``history.epoch`` the epochs."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
