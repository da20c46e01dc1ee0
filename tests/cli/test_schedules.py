"""``ember train``'s PyTorch-style recipes train with an ``ember.optim`` optimizer and an
``ember.optim.lr_scheduler`` schedule stepped once per epoch (or, for a per-step schedule such
as gtsrb-cnn's one-cycle, once per batch); the Keras-style ones take their per-epoch learning
rates from the same schedulers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ember import keras, nn, optim
from ember.cli.recipes.base import Prepared
from ember.cli.recipes.gtsrb import GTSRB_CNN, GTSRB_FFNN, GTSRB_LOGREG
from ember.cli.recipes.mnist import MNIST_CNN, MNIST_TORCH
from ember.cli.training import (
    Settings,
    array_batches,
    cosine_schedule,
    fit_keras,
    fit_torch,
    one_cycle_schedule,
    schedule_lrs,
)
from ember.nn import functional as F


def _data(n: int = 24) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


def _cosine(lr: float, epochs: int) -> list[float]:
    return [lr * (1 + math.cos(math.pi * epoch / epochs)) / 2 for epoch in range(epochs)]


def test_the_torch_loop_steps_the_scheduler_once_per_epoch() -> None:
    x, y = _data()
    model = nn.Sequential(nn.Linear(4, 2))
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    seen: list[float] = []

    def loss_fn(out, target):
        if out.requires_grad:  # training batches, not the validation pass
            seen.append(optimizer.param_groups[0]["lr"])
        return F.cross_entropy(out, target)

    settings = Settings(epochs=4, batch_size=8, lr=0.1, optimizer="sgd", seed=0)
    fit_torch(model, array_batches(x, y, 8, 0), 3, x, y, settings, optimizer, loss_fn,
              cosine_schedule)
    per_epoch = [seen[i] for i in range(0, 12, 3)]
    assert seen == [lr for lr in per_epoch for _ in range(3)]  # constant within an epoch
    np.testing.assert_allclose(per_epoch, _cosine(0.1, 4), rtol=1e-12)


def test_the_keras_loop_takes_each_epochs_rate_from_the_scheduler(monkeypatch) -> None:
    x, y = _data()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    seen: list[float] = []
    real_step = type(model).train_step

    def recording_step(self, *args):
        seen.append(self.optimizer.learning_rate)
        return real_step(self, *args)

    monkeypatch.setattr(type(model), "train_step", recording_step)
    settings = Settings(epochs=4, batch_size=24, lr=0.1, optimizer="sgd", seed=0)
    target = np.eye(2, dtype=np.float32)[y]
    fit_keras(model, x, target, x, target, settings, cosine_schedule)
    np.testing.assert_allclose(seen, _cosine(0.1, 4), rtol=1e-6)
    assert schedule_lrs(cosine_schedule, 0.1, 4) == pytest.approx(_cosine(0.1, 4), rel=1e-12)


def test_a_per_step_schedule_is_stepped_after_every_batch() -> None:
    x, y = _data()
    model = nn.Sequential(nn.Linear(4, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    seen: list[tuple[float, float]] = []

    def loss_fn(out, target):
        if out.requires_grad:
            group = optimizer.param_groups[0]
            seen.append((group["lr"], group["betas"][0]))
        return F.cross_entropy(out, target)

    settings = Settings(epochs=4, batch_size=8, lr=0.01, optimizer="adam", seed=0)
    fit_torch(model, array_batches(x, y, 8, 0), 3, x, y, settings, optimizer, loss_fn,
              one_cycle_schedule)
    # The same rates and Adam beta1s as PyTorch's OneCycleLR stepped by hand, batch by batch.
    reference_model = nn.Sequential(nn.Linear(4, 2))
    reference = optim.Adam(reference_model.parameters(), lr=0.01)
    scheduler = optim.lr_scheduler.OneCycleLR(reference, max_lr=0.01, total_steps=12,
                                              pct_start=0.25)
    expected = []
    for _ in range(12):
        expected.append((reference.param_groups[0]["lr"], reference.param_groups[0]["betas"][0]))
        reference.step()
        scheduler.step()
    np.testing.assert_allclose(seen, expected, rtol=1e-12)
    assert seen[0][0] == pytest.approx(0.01 / 25) and max(lr for lr, _ in seen) > 0.009


@pytest.mark.parametrize(("recipe", "optimizer", "factors"), [
    (MNIST_TORCH, optim.SGD, None),
    (MNIST_CNN, optim.Adam, [0.7**epoch for epoch in range(5)]),  # StepLR(1, gamma=0.7)
    (GTSRB_LOGREG, optim.SGD, _cosine(1.0, 5)),
])
def test_pytorch_style_recipes_use_ember_optim_and_its_schedulers(
        recipe, optimizer, factors, monkeypatch) -> None:
    import ember.cli.recipes.torch_common as torch_common

    got: dict[str, object] = {}

    def capture(model, batches, steps, x_val, y_val, settings, opt, loss_fn, schedule=None):
        got.update(optimizer=opt, schedule=schedule)

    monkeypatch.setattr(torch_common, "fit_torch", capture)
    model = nn.Sequential(nn.Linear(4, 2))
    x, y = _data()
    settings = Settings(epochs=5, batch_size=8, lr=recipe.lr, optimizer=recipe.optimizer,
                        seed=0, extras=dict(recipe.optimizer_extras))
    recipe.train(model, Prepared(x, y, x, y), settings)
    opt = got["optimizer"]
    assert type(opt) is optimizer and opt.param_groups[0]["lr"] == recipe.lr
    for name, value in recipe.optimizer_extras.items():
        assert opt.param_groups[0][name] == value
    if factors is None:
        assert got["schedule"] is None
    else:
        assert isinstance(got["schedule"](opt, 5), optim.lr_scheduler.LRScheduler)
        lrs = schedule_lrs(got["schedule"], recipe.lr, 5)
        np.testing.assert_allclose(lrs, [recipe.lr * f for f in factors], rtol=1e-12)


def test_the_gtsrb_cnn_recipe_uses_the_one_cycle_schedule_per_batch(monkeypatch) -> None:
    import ember.cli.recipes.torch_common as torch_common

    got: dict[str, object] = {}

    def capture(model, batches, steps, x_val, y_val, settings, opt, loss_fn, schedule=None):
        got.update(optimizer=opt, schedule=schedule)

    monkeypatch.setattr(torch_common, "fit_torch", capture)
    x, y = _data()
    settings = Settings(epochs=5, batch_size=8, lr=GTSRB_CNN.lr, optimizer=GTSRB_CNN.optimizer,
                        seed=0)
    GTSRB_CNN.train(nn.Sequential(nn.Linear(4, 2)), Prepared(x, y, x, y), settings)
    assert type(got["optimizer"]) is optim.Adam
    assert got["schedule"] is one_cycle_schedule and one_cycle_schedule.per_step


def test_the_keras_gtsrb_recipe_decays_along_the_same_cosine(monkeypatch) -> None:
    import ember.cli.training as training

    got: dict[str, object] = {}

    def capture(model, x, y, x_val, y_val, settings, schedule=None):
        got["schedule"] = schedule

    monkeypatch.setattr(training, "fit_keras", capture)
    model = GTSRB_FFNN.build({"input_shape": [2, 2, 1], "hidden": 3, "classes": 2})
    x = np.zeros((4, 2, 2, 1), np.float32)
    y = np.array([0, 1, 0, 1])
    settings = Settings(epochs=3, batch_size=2, lr=0.001, optimizer="adam", seed=0)
    GTSRB_FFNN.train(model, Prepared(x, y, x, y), settings)
    assert got["schedule"] is cosine_schedule


def test_a_checkpoint_from_the_keras_optimizer_days_still_resumes(tmp_path) -> None:
    """PyTorch-style checkpoints written while these recipes trained with Keras optimizers hold
    the ember.optim state inside the Keras one's; resuming reads it from there."""
    from ember.cli.checkpoint import Checkpointer, load_checkpoint

    model = nn.Sequential(nn.Linear(4, 2))
    old_style = keras.optimizers.get("adam")
    old_style.build(model.parameters())
    x, y = _data()
    F.cross_entropy(model(ember_tensor(x)), ember_tensor(y)).backward()
    old_style.step()
    settings = {"epochs": 2, "batch_size": 8, "lr": 0.001, "optimizer": "adam", "seed": 0,
                "extras": {}}
    Checkpointer(tmp_path, "torch", "tiny", settings).save(model, old_style, [{"epoch": 1}])
    resume = load_checkpoint(tmp_path, "torch", "tiny")
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    assert resume.restore_torch(model, optimizer, None) == 1
    saved = np.asarray(old_style.inner.state[model[0].weight]["exp_avg"])
    restored = np.asarray(optimizer.state[model[0].weight]["exp_avg"])
    assert saved.any() and np.array_equal(restored, saved)


def ember_tensor(array: np.ndarray):
    from ember import from_numpy

    return from_numpy(array)
