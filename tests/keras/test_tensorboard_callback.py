"""keras.callbacks.TensorBoard: Keras 3's runs and tags, read back by TensorBoard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ember import keras


def _events(folder: Path):  # noqa: ANN202
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(folder), size_guidance={"scalars": 0, "histograms": 0})
    events.Reload()
    return events


def test_fit_writes_epoch_and_batch_scalars_and_weight_histograms(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, size=64)
    model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    callback = keras.callbacks.TensorBoard(tmp_path, histogram_freq=1, update_freq="batch",
                                           write_steps_per_second=True)
    model.fit(x, y, batch_size=16, epochs=2, validation_split=0.25, callbacks=[callback],
              verbose=0)
    train, validation = _events(tmp_path / "train"), _events(tmp_path / "validation")
    assert {"epoch_loss", "epoch_accuracy", "batch_loss", "epoch_steps_per_second"} <= set(
        train.Tags()["scalars"])
    assert [e.step for e in train.Scalars("epoch_loss")] == [0, 1]
    assert len(train.Scalars("batch_loss")) == 6  # 3 batches of 16 per epoch
    assert {"epoch_loss", "epoch_accuracy"} <= set(validation.Tags()["scalars"])
    assert "dense/kernel" in train.Tags()["histograms"]


def test_unsupported_options_are_refused_by_name() -> None:
    with pytest.raises(NotImplementedError, match="profile_batch"):
        keras.callbacks.TensorBoard(profile_batch=2)
    with pytest.raises(ValueError, match="update_freq"):
        keras.callbacks.TensorBoard(update_freq="hourly")
