"""``ProgbarLogger``: prints ``Epoch i/n`` and the progress bar with running metrics."""

from __future__ import annotations

from typing import Any

from ember.keras.callbacks.base import Callback
from ember.keras.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Added by ``fit``/``evaluate``/``predict`` when ``verbose`` is 1 (a live bar) or 2."""

    def __init__(self, verbose: int = 1) -> None:
        super().__init__()
        self.verbose = verbose
        self.bar: Progbar | None = None
        self.seen = 0
        self.in_fit = False

    def _new_bar(self, steps: int | None) -> None:
        self.seen = 0
        self.bar = Progbar(steps, verbose=self.verbose)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.in_fit = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self.in_fit = False

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        print(f"Epoch {epoch + 1}/{self.params.get('epochs')}", flush=True)
        self._new_bar(self.params.get("steps"))

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.seen = batch + 1
        if self.bar is not None:
            self.bar.update(self.seen, dict(logs or {}))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.bar is not None:
            self.bar.update(self.seen, dict(logs or {}), finalize=True)

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self.in_fit:
            self._new_bar(self.params.get("test_steps"))

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not self.in_fit and self.bar is not None:
            self.seen = batch + 1
            self.bar.update(self.seen, dict(logs or {}))

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if not self.in_fit and self.bar is not None:
            self.bar.update(self.seen, dict(logs or {}), finalize=True)

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._new_bar(self.params.get("predict_steps"))

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.seen = batch + 1
        if self.bar is not None:
            self.bar.update(self.seen)

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.bar is not None:
            self.bar.update(self.seen, finalize=True)
