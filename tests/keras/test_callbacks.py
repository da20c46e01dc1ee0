"""Callbacks: EarlyStopping, ModelCheckpoint, learning-rate schedules, CSVLogger, TerminateOnNaN,
History and the order of hooks."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ember import keras
from ember.keras import callbacks


class Scripted(callbacks.Callback):
    """Writes a scripted ``score`` into each epoch's logs and snapshots the weights."""

    def __init__(self, scores: list[float]) -> None:
        super().__init__()
        self.scores = scores
        self.snapshots: list[list[np.ndarray]] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs["score"] = self.scores[epoch]
        self.snapshots.append(self.model.get_weights())


def compiled(optimizer: Any = None) -> keras.Sequential:
    model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer or keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))


def test_early_stopping_stops_after_patience_and_restores_best(blobs: Any) -> None:
    x, y = blobs
    model = compiled()
    script = Scripted([5.0, 3.0, 4.0, 4.0, 1.0, 1.0])
    stopper = callbacks.EarlyStopping(monitor="score", mode="min", patience=2,
                                      restore_best_weights=True)
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[script, stopper])
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.stopped_epoch == 3 and stopper.best_epoch == 1
    assert same(model.get_weights(), script.snapshots[1])
    assert not same(script.snapshots[1], script.snapshots[3])


def test_early_stopping_without_restore_keeps_last_weights(blobs: Any) -> None:
    x, y = blobs
    model = compiled()
    script = Scripted([1.0, 2.0, 3.0, 4.0])
    history = model.fit(x, y, epochs=4, verbose=0, callbacks=[
        script, callbacks.EarlyStopping(monitor="score", patience=1)])
    assert history.epoch == [0, 1]
    assert same(model.get_weights(), script.snapshots[-1])


def test_early_stopping_min_delta_and_max_mode(blobs: Any, capsys: Any) -> None:
    x, y = blobs
    # 'accuracy'-like names default to max mode; gains below min_delta don't count.
    script = Scripted([0.5, 0.52, 0.6, 0.7, 0.8])
    stopper = callbacks.EarlyStopping(monitor="score_acc", patience=1, min_delta=0.05,
                                      verbose=1)
    script.scores_key = "score_acc"

    class Rename(callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            logs["score_acc"] = logs.pop("score")

    history = compiled().fit(x, y, epochs=5, verbose=0, callbacks=[script, Rename(), stopper])
    assert history.epoch == [0, 1]
    assert "Epoch 2: early stopping" in capsys.readouterr().out


def test_model_checkpoint_saves_only_improvements(blobs: Any, tmp_path: Path) -> None:
    x, y = blobs
    model = compiled()
    script = Scripted([3.0, 2.0, 2.5, 1.0])
    per_epoch = callbacks.ModelCheckpoint(str(tmp_path / "model_{epoch:02d}.keras"),
                                          monitor="score", mode="min", save_best_only=True)
    best = callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="score",
                                     save_best_only=True)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[script, per_epoch, best])
    assert sorted(p.name for p in tmp_path.glob("model_*")) == [
        "model_01.keras", "model_02.keras", "model_04.keras"]
    loaded = keras.models.load_model(tmp_path / "best.keras")
    assert same(loaded.get_weights(), script.snapshots[3])
    earlier = keras.models.load_model(tmp_path / "model_02.keras")
    assert same(earlier.get_weights(), script.snapshots[1])


def test_model_checkpoint_weights_only_and_formatted_names(blobs: Any, tmp_path: Path) -> None:
    x, y = blobs
    model = compiled()
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "w_{epoch}_{val_loss:.2f}.weights.h5"),
                                           save_weights_only=True)
    model.fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[checkpoint])
    files = sorted(tmp_path.glob("w_*"))
    assert [f.name.split("_")[1] for f in files] == ["1", "2"]
    clone = compiled()
    clone.load_weights(files[-1])
    assert same(clone.get_weights(), model.get_weights())


def test_learning_rate_scheduler_sets_the_optimizer_rate(blobs: Any) -> None:
    x, y = blobs
    model = compiled(keras.optimizers.SGD(0.5))
    seen = []

    class Watch(callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            seen.append(self.model.optimizer.inner.param_groups[0]["lr"])

    schedule = callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[schedule, Watch()])
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    assert model.optimizer.learning_rate == pytest.approx(0.1 / 3)


def test_reduce_lr_on_plateau(blobs: Any) -> None:
    x, y = blobs
    model = compiled(keras.optimizers.SGD(0.1))
    script = Scripted([1.0, 1.0, 1.0, 1.0, 1.0])
    plateau = callbacks.ReduceLROnPlateau(monitor="score", factor=0.5, patience=2, min_lr=0.03)
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[script, plateau])
    # Epoch 0 sets the best; epochs 1-2 wait, then halve; epochs 3-4 wait again, then clip.
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05])
    assert model.optimizer.learning_rate == pytest.approx(0.03)


def test_csv_logger_writes_header_and_rows(blobs: Any, tmp_path: Path) -> None:
    x, y = blobs
    path = tmp_path / "log.csv"
    compiled().fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                   callbacks=[callbacks.CSVLogger(str(path))])
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2"]
    assert all(0 <= float(row[1]) <= 1 for row in rows[1:])
    compiled().fit(x, y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(str(path),
                                                                             append=True)])
    assert len(list(csv.reader(path.open()))) == 5


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_terminate_on_nan_stops_at_the_first_bad_batch(capsys: Any) -> None:
    x = np.ones((64, 2), np.float32)
    y = np.full((64, 1), 1e20, np.float32)
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    model.compile(keras.optimizers.SGD(1e10), "mse")
    batches = []

    class Count(callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            batches.append(logs["loss"])

    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0,
                        callbacks=[Count(), callbacks.TerminateOnNaN()])
    assert history.epoch == [0]
    assert len(batches) < 8 and not np.isfinite(batches[-1])
    assert "invalid loss" in capsys.readouterr().out


def test_history_contents(blobs: Any) -> None:
    x, y = blobs
    model = compiled()
    history = model.fit(x, y, epochs=3, verbose=0, validation_data=(x[:30], y[:30]))
    assert history is model.history
    assert history.epoch == [0, 1, 2]
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 for v in history.history.values())
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[:30], y[:30], verbose=0)[0], rel=1e-6)


def test_hook_order_with_validation(blobs: Any) -> None:
    x, y = blobs
    events: list[str] = []

    class Record(callbacks.Callback):
        def __getattribute__(self, name: str) -> Any:
            if name.startswith("on_"):
                return lambda *args: events.append(name + (f"({args[0]})" if len(args) == 2
                                                           else ""))
            return super().__getattribute__(name)

    compiled().fit(x[:40], y[:40], epochs=2, batch_size=16, verbose=0,
                   validation_data=(x[40:50], y[40:50]), callbacks=[Record()])
    epoch = ["on_train_batch_begin(0)", "on_train_batch_end(0)", "on_train_batch_begin(1)",
             "on_train_batch_end(1)", "on_train_batch_begin(2)", "on_train_batch_end(2)",
             "on_test_begin", "on_test_batch_begin(0)", "on_test_batch_end(0)", "on_test_end"]
    assert events == (["on_train_begin", "on_epoch_begin(0)", *epoch, "on_epoch_end(0)",
                       "on_epoch_begin(1)", *epoch, "on_epoch_end(1)", "on_train_end"])


def test_callback_sees_model_and_params(blobs: Any) -> None:
    x, y = blobs
    captured = {}

    class Peek(callbacks.Callback):
        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            captured.update(self.params, model=self.model)

    model = compiled()
    model.fit(x, y, epochs=2, batch_size=50, verbose=0, callbacks=[Peek()])
    assert captured["model"] is model
    assert captured["epochs"] == 2 and captured["steps"] == 3
