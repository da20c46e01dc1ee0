"""Keras training that survives: SIGKILL mid-epoch, resume from the last ``ModelCheckpoint``,
and end with the same weights, bit for bit, as the run left alone; determinism; NaN stops."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from ember import keras

EPOCHS = 6

# A tiny seeded run with dropout and shuffling (both draw from ember's generator), an optimizer
# with state (Adam) and a learning-rate schedule. "fresh" trains from scratch; "resume" loads the
# checkpoint and goes on. Each finished epoch prints "saved N" after its checkpoint is written; a
# per-batch pause gives the test time to kill the process mid-epoch.
TRAINER = textwrap.dedent("""
    import sys, time
    import numpy as np
    from ember import keras

    mode, folder, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1)
    checkpoint = folder + "/checkpoint.keras"

    class Report(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            time.sleep(pause)
        def on_epoch_end(self, epoch, logs=None):
            print("saved", epoch + 1, flush=True)

    if mode == "fresh":
        model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(4,)),
                                  keras.layers.Dropout(0.3),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        initial = 0
    else:
        model = keras.models.load_model(checkpoint)
        initial = model.epochs_finished
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.01 * 0.8 ** epoch)
    model.fit(x, y, batch_size=16, epochs=EPOCHS, initial_epoch=initial, verbose=0,
              callbacks=[schedule, keras.callbacks.ModelCheckpoint(checkpoint), Report()])
    model.save_weights(folder + "/final.weights.safetensors")
    print("done", flush=True)
""").replace("EPOCHS", str(EPOCHS))


def _final_weights(folder: Path) -> dict[str, np.ndarray]:
    from ember.serialization import load_safetensors

    return dict(load_safetensors(folder / "final.weights.safetensors")[0])


def _run(mode: str, folder: Path, pause: float = 0.0) -> None:
    subprocess.run([sys.executable, "-c", TRAINER, mode, str(folder), str(pause)], check=True,
                   capture_output=True, text=True, timeout=120)


def test_killed_mid_epoch_and_resumed_matches_the_uninterrupted_run(tmp_path: Path) -> None:
    alone, killed = tmp_path / "alone", tmp_path / "killed"
    alone.mkdir()
    killed.mkdir()
    _run("fresh", alone)

    process = subprocess.Popen([sys.executable, "-c", TRAINER, "fresh", str(killed), "0.02"],
                               stdout=subprocess.PIPE, text=True)
    try:
        while process.stdout.readline().strip() != "saved 2":
            assert process.poll() is None, "the training process ended early"
        time.sleep(0.05)  # epoch 3 is now running: 6 batches of 20 ms each
        process.kill()  # SIGKILL
    finally:
        process.kill()
        process.wait()
    assert not (killed / "final.weights.safetensors").exists()
    resumed_from = keras.models.load_model(str(killed / "checkpoint.keras")).epochs_finished
    assert 2 <= resumed_from < EPOCHS
    _run("resume", killed)

    expected, got = _final_weights(alone), _final_weights(killed)
    assert expected.keys() == got.keys()
    for name in expected:
        assert np.array_equal(expected[name], got[name]), name


def _train_once(seed: int) -> tuple[list[np.ndarray], dict[str, list[float]]]:
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                              keras.layers.Dropout(0.2), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(
        from_logits=True), metrics=["accuracy"])
    history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0)
    return [p.detach().numpy().copy() for p in model.parameters()], history.history


def test_the_same_seed_gives_bit_identical_weights_and_metrics() -> None:
    weights_a, history_a = _train_once(3)
    weights_b, history_b = _train_once(3)
    assert history_a == history_b
    assert all(np.array_equal(a, b) for a, b in zip(weights_a, weights_b))
    weights_c, _ = _train_once(4)
    assert not all(np.array_equal(a, c) for a, c in zip(weights_a, weights_c))


def test_a_nan_loss_stops_training_and_keeps_the_last_good_checkpoint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    x = np.random.default_rng(0).normal(size=(32, 4)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)

    class Poison(keras.callbacks.Callback):
        """Make the weights NaN during the third epoch, as a diverging run would."""

        def on_train_batch_begin(self, batch, logs=None):
            if self.model.epochs_finished == 2 and batch == 1:
                next(self.model.parameters()).detach().numpy()[...] = np.nan

    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    model.compile(optimizer="sgd", loss="mse")
    checkpoint = tmp_path / "checkpoint.keras"
    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[
        Poison(), keras.callbacks.ModelCheckpoint(str(checkpoint)),
        keras.callbacks.TerminateOnNaN()])
    out = capsys.readouterr().out
    assert "Epoch 3, batch 1: invalid loss nan, terminating training (last finite loss: " in out
    assert len(history.history["loss"]) == 3
    saved = keras.models.load_model(str(checkpoint))
    assert saved.epochs_finished == 2
    assert np.isfinite(saved.predict(x, verbose=0)).all()
