"""``ember train``'s training loops stop on a NaN or infinite loss (on by default), naming the
epoch, the batch and the last finite loss, and keep the weights of the last finished epoch."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from ember import keras, nn, optim
from ember.cli.log import log
from ember.cli.training import Settings, array_batches, fit_keras, fit_torch
from ember.nn import functional as F


@pytest.fixture
def error_lines() -> list[str]:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                lines.append(record.getMessage())

    handler = Collect()
    log.addHandler(handler)
    yield lines
    log.removeHandler(handler)


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


def test_the_torch_loop_stops_at_a_nan_loss_and_keeps_the_last_epoch(error_lines) -> None:
    x, y = _data()
    model = nn.Sequential(nn.Linear(4, 2))
    calls = 0
    kept: dict[str, np.ndarray] = {}

    def loss_fn(out, target):
        nonlocal calls
        calls += 1
        if calls == 5:  # the validation pass after epoch 1: remember the weights
            kept.update({k: v.numpy().copy() for k, v in model.state_dict().items()})
        loss = F.cross_entropy(out, target)
        return loss * float("nan") if calls == 7 else loss  # epoch 2, batch 1

    settings = Settings(epochs=4, batch_size=8, lr=0.1, optimizer="sgd", seed=0)
    outcome = fit_torch(model, array_batches(x, y, 8, 0), 4, x, y, settings,
                        optim.SGD(model.parameters(), lr=0.1), loss_fn)
    assert outcome.diverged and len(outcome.history) == 1
    assert len(error_lines) == 1
    assert error_lines[0].startswith("epoch 2, batch 1: loss is nan (last finite loss: ")
    for name, value in model.state_dict().items():
        assert np.array_equal(value.numpy(), kept[name])


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_the_keras_loop_stops_at_an_overflowing_loss(error_lines) -> None:
    x, y = _data()
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(4,))])
    model.compile(optimizer="sgd", loss="mse")
    x_bad = x * np.float32(1e30)  # finite inputs whose squared errors overflow float32
    settings = Settings(epochs=3, batch_size=8, lr=0.1, optimizer="sgd", seed=0)
    y_wide = np.stack([y, y], axis=1).astype(np.float32)
    outcome = fit_keras(model, x_bad, y_wide, x, y_wide, settings)
    assert outcome.diverged and outcome.history == []
    assert len(error_lines) == 1
    assert error_lines[0].startswith("epoch 1, batch ")
    assert "loss is nan" in error_lines[0] or "loss is inf" in error_lines[0]
    assert all(np.isfinite(p.detach().numpy()).all() for p in model.parameters())
