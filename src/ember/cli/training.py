"""The two training engines the recipes use, with the same logging, history and Ctrl-C rule.

``fit_keras`` drives ``keras.Model.fit`` with a callback; ``fit_torch`` is a hand-written loop
(forward, loss, ``zero_grad``, ``backward``, ``step``, and ``scheduler.step()`` after each
epoch) over NumPy batches or a DataLoader, with an ``ember.optim`` optimizer and an
``ember.optim.lr_scheduler`` schedule, as PyTorch code does. Both log one timestamped line per
epoch, draw a progress bar only on a terminal, and stop cleanly on KeyboardInterrupt, returning
the epochs that finished.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

import ember
from ember import optim
from ember.cli.log import is_terminal, log

if TYPE_CHECKING:
    from ember.cli.checkpoint import Checkpointer, ResumeState


@dataclass
class Settings:
    """Training settings after the command line has overridden the recipe's defaults."""

    epochs: int
    batch_size: int
    lr: float
    optimizer: str
    seed: int
    extras: dict[str, Any] = field(default_factory=dict)  # the recipe's own optimizer options
    checkpoint: Checkpointer | None = None  # writes DIR/checkpoint.* after each finished epoch
    resume: ResumeState | None = None  # the checkpoint to go on from (``--resume``)
    tensorboard: Any = None  # a SummaryWriter for RUN/tensorboard (``--tensorboard``)


@dataclass
class Outcome:
    """The finished epochs' logs, whether Ctrl-C cut training short, and the time it took."""

    history: list[dict[str, float]]
    interrupted: bool
    seconds: float
    diverged: bool = False  # a NaN/infinite loss stopped training; last epoch's weights kept


# A learning-rate schedule of a recipe: ``schedule(optimizer, epochs)`` returns an
# ``ember.optim.lr_scheduler`` scheduler over that optimizer, stepped once per epoch.
Schedule = Callable[[optim.Optimizer, int], optim.lr_scheduler.LRScheduler]


def cosine_schedule(optimizer: optim.Optimizer, epochs: int) -> optim.lr_scheduler.LRScheduler:
    """Cosine decay over the run, from the initial learning rate towards 0."""
    return optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(epochs, 1))


def one_cycle_schedule(optimizer: optim.Optimizer, steps: int) -> optim.lr_scheduler.LRScheduler:
    """Smith's 1cycle over the run's ``steps`` batches, peaking at the run's learning rate a
    quarter of the way in (``OneCycleLR``'s other defaults). Stepped after every batch: its
    ``per_step`` mark tells ``fit_torch`` so, and that ``steps`` counts batches, not epochs."""
    return optim.lr_scheduler.OneCycleLR(optimizer, max_lr=optimizer.param_groups[0]["lr"],
                                         total_steps=max(steps, 1), pct_start=0.25)


one_cycle_schedule.per_step = True  # type: ignore[attr-defined]


def keras_optimizer(settings: Settings) -> Any:
    """A Keras optimizer from the shared registry (``ember.keras.optimizers``) with the run's
    learning rate and the recipe's extra options (momentum, ...)."""
    from ember.keras import optimizers

    return optimizers.get({"class_name": settings.optimizer,
                           "config": {"learning_rate": settings.lr, **settings.extras}})


def torch_optimizer(settings: Settings, model: Any) -> optim.Optimizer:
    """The ``ember.optim`` optimizer named by the settings over ``model``'s parameters, with the
    run's learning rate and the recipe's extra options (``momentum``, ...)."""
    from ember.models.fitting import make_optimizer

    return make_optimizer(settings.optimizer, model, settings.lr, "ember train",
                          **settings.extras)


def check_optimizer(settings: Settings, family: str) -> None:
    """``ValueError`` listing the known names unless the settings name an optimizer that the
    recipe's family (``keras``: Keras's registry; else ``ember.optim``) can build."""
    if family == "keras":
        keras_optimizer(settings)
        return
    from ember.models.fitting import OPTIMIZERS

    if settings.optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {settings.optimizer!r}; known: "
                         f"{', '.join(OPTIMIZERS)}")


def schedule_lrs(schedule: Schedule, lr: float, epochs: int) -> list[float]:
    """The learning rate of each epoch under ``schedule``, for the Keras engine (whose
    optimizer is made inside ``fit``): the scheduler steps over a stand-in optimizer."""
    stand_in = optim.SGD([ember.zeros(1, requires_grad=True)], lr=lr)
    scheduler = schedule(stand_in, epochs)
    lrs = []
    for _ in range(epochs):
        lrs.append(float(scheduler.get_last_lr()[0]))
        scheduler.step()
    return lrs


def log_epoch(epoch: int, epochs: int, logs: dict[str, float]) -> None:
    """One line per finished epoch: its losses and accuracies and how long it took."""
    parts = [f"{key} {logs[key]:.4f}" for key in ("loss", "accuracy", "val_loss", "val_accuracy")
             if key in logs]
    log.info("epoch %d/%d: %s (%.1f s)", epoch, epochs, ", ".join(parts), logs.get("seconds", 0))


class _Recorder:
    def __init__(self, epochs: int, history: list[dict[str, float]] | None = None,
                 tensorboard: Any = None) -> None:
        self.epochs = epochs
        self.history: list[dict[str, float]] = list(history or [])
        self.started = time.perf_counter()
        self.tensorboard = tensorboard

    def finish_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        now = time.perf_counter()
        row = {"epoch": epoch + 1, **{k: float(v) for k, v in logs.items()},
               "seconds": round(now - self.started, 3)}
        self.started = now
        self.history.append(row)
        log_epoch(epoch + 1, self.epochs, row)
        if self.tensorboard is not None:
            write_tensorboard_row(self.tensorboard, epoch, row)


def write_tensorboard_row(writers: Any, epoch: int, row: dict[str, float]) -> None:
    """One finished epoch in Keras's TensorBoard layout: ``train/`` and ``validation/`` runs with
    ``epoch_loss``, ``epoch_accuracy``, ... (``writers`` maps the run name to a SummaryWriter)."""
    for key, value in row.items():
        if key in ("epoch", "seconds"):
            continue
        run, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
        writers[run].add_scalar(f"epoch_{name}", value, epoch)
    for writer in writers.values():
        writer.flush()


class _LastGood:
    """The model's weights at the end of the last finished epoch, to fall back on when the loss
    turns NaN or infinite (TerminateOnNaN, on by default in ``ember train``)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.last_finite_loss: float | None = None
        self.keep()

    def keep(self) -> None:
        self.state = {k: v.detach().numpy().copy() for k, v in self.model.state_dict().items()}

    def check(self, epoch: int, batch: int, loss: float) -> bool:
        """True (after logging and restoring the kept weights) when ``loss`` isn't finite."""
        if math.isfinite(loss):
            self.last_finite_loss = loss
            return False
        log.error("epoch %d, batch %d: loss is %s (last finite loss: %s); stopping and keeping "
                  "the weights of the last finished epoch", epoch + 1, batch, loss,
                  self.last_finite_loss)
        self.model.load_state_dict(self.state)
        return True


def _interrupted(recorder: _Recorder) -> None:
    log.warning("interrupted (Ctrl-C) after %d finished epoch(s); saving what was trained so far",
                len(recorder.history))


# ------------------------------------------------------------------------------ Keras engine
def fit_keras(model: Any, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
              settings: Settings, schedule: Schedule | None = None) -> Outcome:
    """``model.fit`` (already compiled) with validation data, logging each epoch;
    ``schedule``, when given, sets the learning rate at each epoch's start."""
    from ember.keras.callbacks import Callback

    lrs = None if schedule is None else schedule_lrs(schedule, settings.lr, settings.epochs)
    initial_epoch = 0
    if settings.resume is not None:
        initial_epoch = settings.resume.restore_keras(model)
    recorder = _Recorder(settings.epochs, settings.resume and settings.resume.history,
                         settings.tensorboard)
    last_good = _LastGood(model)
    diverged = False

    class EpochLog(Callback):
        def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            recorder.started = time.perf_counter()
            self.epoch = epoch
            if lrs is not None:
                model.optimizer.learning_rate = lrs[epoch]

        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            nonlocal diverged
            if last_good.check(self.epoch, batch, float((logs or {}).get("loss", 0.0))):
                diverged = model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if diverged:
                return
            last_good.keep()
            recorder.finish_epoch(epoch, {k.replace("categorical_", "").replace("sparse_", ""): v
                                          for k, v in (logs or {}).items()})
            if settings.checkpoint is not None:
                settings.checkpoint.save(model, model.optimizer, recorder.history)

    start = time.perf_counter()
    interrupted = False
    try:
        model.fit(x, y, batch_size=settings.batch_size, epochs=settings.epochs,
                  validation_data=(x_val, y_val), verbose=1 if is_terminal() else 0,
                  callbacks=[EpochLog()], shuffle=True, initial_epoch=initial_epoch)
    except KeyboardInterrupt:
        interrupted = True
        _interrupted(recorder)
    return Outcome(recorder.history, interrupted, time.perf_counter() - start, diverged)


# ------------------------------------------------------------------------------ PyTorch engine
Batches = Callable[[int], Iterable[tuple[Any, Any]]]


class ArrayBatches:
    """Shuffled mini-batches of arrays, reshuffled each epoch; ``augment`` maps each batch.

    Call it with the epoch number for that epoch's batches. Shuffling and augmentation draw
    from ``self.rng`` (seeded with ``seed``), which checkpoints save and ``--resume`` restores.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int, seed: int,
                 augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None
                 ) -> None:
        self.x, self.y, self.batch_size, self.augment = x, y, batch_size, augment
        self.rng = np.random.default_rng(seed)

    def __call__(self, epoch: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        order = self.rng.permutation(len(self.x))
        for begin in range(0, len(self.x), self.batch_size):
            index = order[begin:begin + self.batch_size]
            xb = self.x[index]
            yield (self.augment(xb, self.rng) if self.augment is not None else xb), self.y[index]


def array_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int,
                  augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None
                  ) -> ArrayBatches:
    """Shuffled mini-batches of arrays, reshuffled each epoch; ``augment`` maps each batch."""
    return ArrayBatches(x, y, batch_size, seed, augment)


def _as_tensor(value: Any) -> ember.Tensor:
    return value if isinstance(value, ember.Tensor) else ember.from_numpy(np.asarray(value))


def evaluate_torch(model: Any, x: np.ndarray, y: np.ndarray, loss_fn: Callable[..., Any],
                   batch_size: int = 1000) -> dict[str, float]:
    """Mean loss and accuracy of ``model`` on arrays, in eval mode and without gradients."""
    model.eval()
    total_loss, correct = 0.0, 0
    with ember.no_grad():
        for begin in range(0, len(x), batch_size):
            out = model(_as_tensor(x[begin:begin + batch_size]))
            yb = y[begin:begin + batch_size]
            total_loss += float(loss_fn(out, _as_tensor(yb)).item()) * len(yb)
            correct += int((out.numpy().argmax(axis=1) == yb).sum())
    model.train()
    return {"loss": total_loss / max(len(x), 1), "accuracy": correct / max(len(x), 1)}


def _start_schedule(schedule: Schedule, optimizer: optim.Optimizer, settings: Settings,
                    initial_epoch: int, steps: int, per_step: bool
                    ) -> optim.lr_scheduler.LRScheduler:
    """The scheduler at ``initial_epoch``: a schedule is a function of the epoch (or, marked
    ``per_step``, of the batch), so a resumed run builds it afresh from the run's learning rate
    and steps it past the finished epochs (the same steps, so the same learning rates, as the
    run left alone; ``--epochs`` may stretch it)."""
    for group in optimizer.param_groups:  # the checkpoint's lr is where the schedule had got to
        group["lr"] = settings.lr
        for key in ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"):
            group.pop(key, None)
    scheduler = schedule(optimizer, settings.epochs * steps if per_step else settings.epochs)
    for _ in range(initial_epoch * steps if per_step else initial_epoch):
        scheduler.step()
    return scheduler


def fit_torch(model: Any, batches: Batches, steps: int, x_val: np.ndarray, y_val: np.ndarray,
              settings: Settings, optimizer: optim.Optimizer, loss_fn: Callable[..., Any],
              schedule: Schedule | None = None) -> Outcome:
    """Train ``model`` with ``optimizer`` (an ``ember.optim`` one over its parameters) for
    ``settings.epochs`` epochs; validate after each one.

    ``schedule``, when given, makes the ``ember.optim.lr_scheduler`` scheduler that is stepped
    after each epoch (after each batch if it is marked ``per_step``).
    """
    from ember.keras.utils.progbar import Progbar

    batch_rng = getattr(batches, "rng", None)  # ArrayBatches' own generator, if any
    initial_epoch = 0
    if settings.resume is not None:
        initial_epoch = settings.resume.restore_torch(model, optimizer, batch_rng)
    per_step = getattr(schedule, "per_step", False)
    scheduler = None
    if schedule is not None:
        scheduler = _start_schedule(schedule, optimizer, settings, initial_epoch, steps, per_step)
    recorder = _Recorder(settings.epochs, settings.resume and settings.resume.history,
                         settings.tensorboard)
    last_good = _LastGood(model)
    start = time.perf_counter()
    interrupted = diverged = False
    try:
        for epoch in range(initial_epoch, settings.epochs):
            recorder.started = time.perf_counter()
            model.train()
            bar = Progbar(steps) if is_terminal() else None
            seen, total_loss, correct = 0, 0.0, 0
            for step, (xb, yb) in enumerate(batches(epoch), start=1):
                target = _as_tensor(yb)
                out = model(_as_tensor(xb))
                loss = loss_fn(out, target)
                loss_value = float(loss.item())
                if last_good.check(epoch, step - 1, loss_value):
                    diverged = True
                    break
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if per_step:
                    scheduler.step()
                count = len(target)
                seen += count
                total_loss += loss_value * count
                correct += int((out.detach().numpy().argmax(axis=1) == target.numpy()).sum())
                if bar is not None:
                    bar.update(step, {"loss": total_loss / seen, "accuracy": correct / seen})
            if diverged:
                break
            if scheduler is not None and not per_step:
                scheduler.step()
            last_good.keep()
            val = evaluate_torch(model, x_val, y_val, loss_fn)
            recorder.finish_epoch(epoch, {"loss": total_loss / max(seen, 1),
                                          "accuracy": correct / max(seen, 1),
                                          "val_loss": val["loss"],
                                          "val_accuracy": val["accuracy"]})
            if settings.checkpoint is not None:
                settings.checkpoint.save(model, optimizer, recorder.history, batch_rng)
    except KeyboardInterrupt:
        interrupted = True
        _interrupted(recorder)
    model.eval()
    return Outcome(recorder.history, interrupted, time.perf_counter() - start, diverged)


def predict_proba(model: Any, family: str, output: str, x: np.ndarray,
                  batch_size: int = 500) -> np.ndarray:
    """Class probabilities ``(N, classes)`` from either family's model on preprocessed ``x``."""
    chunks = []
    if family == "torch":
        model.eval()
    with ember.no_grad():
        for begin in range(0, len(x), batch_size):
            xb = x[begin:begin + batch_size]
            if family == "keras":
                chunks.append(np.asarray(model.predict(xb, batch_size=batch_size, verbose=0)))
            else:
                chunks.append(model(ember.from_numpy(np.ascontiguousarray(xb))).numpy())
    out = ember.from_numpy(np.concatenate(chunks).astype(np.float64))
    if output == "log_probs":
        return out.exp().numpy()
    if output == "logits":
        return ember.nn.functional.softmax(out, dim=1).numpy()
    return out.numpy()
