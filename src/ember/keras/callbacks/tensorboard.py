"""``keras.callbacks.TensorBoard``: epoch (and batch) metrics and weight histograms, as Keras 3.

Keras's layout: ``log_dir/train`` and ``log_dir/validation`` runs, scalars ``epoch_loss``,
``epoch_accuracy``, ... (``batch_*`` every ``update_freq`` batches), and histograms of every
weight every ``histogram_freq`` epochs. As Keras 3 on a backend other than TensorFlow, no model
graph is written (``write_graph`` has nothing to write). Needs ``pip install ember[tensorboard]``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ember.keras.callbacks.base import Callback


class TensorBoard(Callback):
    def __init__(self, log_dir: str | os.PathLike[str] = "logs", histogram_freq: int = 0,
                 write_graph: bool = True, write_images: bool = False,
                 write_steps_per_second: bool = False, update_freq: str | int = "epoch",
                 profile_batch: int = 0, embeddings_freq: int = 0,
                 embeddings_metadata: Any = None) -> None:
        super().__init__()
        for name, value in (("write_images", write_images), ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq),
                            ("embeddings_metadata", embeddings_metadata)):
            if value:
                raise NotImplementedError(f"TensorBoard({name}={value!r}) is not supported")
        if update_freq != "epoch" and update_freq != "batch" and not (
                isinstance(update_freq, int) and update_freq > 0):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a positive "
                             f"number of batches, got {update_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph = write_graph
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers: dict[str, Any] = {}
        self._train_step = 0
        self._epoch_started = 0.0
        self._batches = 0

    def _writer(self, run: str) -> Any:
        if run not in self._writers:
            from ember.utils.tensorboard import SummaryWriter

            self._writers[run] = SummaryWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._writer("train")

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        import time

        self._epoch_started, self._batches = time.perf_counter(), 0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._train_step += 1
        self._batches += 1
        if self.update_freq != "epoch" and self._train_step % self.update_freq == 0:
            for key, value in (logs or {}).items():
                if np.size(value) == 1:
                    self._writer("train").add_scalar(f"batch_{key}", float(value),
                                                     self._train_step)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        import time

        for key, value in (logs or {}).items():
            if np.size(value) != 1:
                continue
            run, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            self._writer(run).add_scalar(f"epoch_{name}", float(value), epoch)
        if self.write_steps_per_second:
            seconds = max(time.perf_counter() - self._epoch_started, 1e-9)
            self._writer("train").add_scalar("epoch_steps_per_second", self._batches / seconds,
                                             epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            for layer in getattr(self.model, "layers", []):
                for weight in getattr(layer, "weights", []):
                    self._writer("train").add_histogram(f"{layer.name}/{weight.name}",
                                                        np.asarray(weight), epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
