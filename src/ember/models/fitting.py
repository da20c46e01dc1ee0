"""What the classic models share: input checks, the optimizer lookup and the gradient-descent loop.

The loop is the one every ember training script writes (forward, loss, ``zero_grad``,
``backward``, ``step``); here it runs over NumPy arrays, full batch or shuffled mini-batches,
and returns the loss of every step. ``ember train`` uses the optimizer lookup too, for its
PyTorch-style recipes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember import optim
from ember.creation import from_numpy
from ember.nn.modules.module import Module
from ember.tensor import Tensor

# Every optimizer ``ember.optim`` exports, by its lower-case name ("sgd", "adam", ...).
OPTIMIZERS: dict[str, type[optim.Optimizer]] = {
    name.lower(): cls for name in optim.__all__
    if isinstance(cls := getattr(optim, name), type) and issubclass(cls, optim.Optimizer)
    and cls is not optim.Optimizer
}

LossFn = Callable[[Tensor, Tensor], Tensor]


def as_array(value: Any, name: str, who: str) -> np.ndarray:
    """``value`` (array-like or Tensor) as a NumPy array, or a ``TypeError`` naming ``who``."""
    if isinstance(value, Tensor):
        return value.detach().numpy()
    try:
        return np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{who}: {name} must be array-like, got {type(value).__name__}") from exc


def _numbers(value: Any, name: str, who: str) -> np.ndarray:
    """``value`` as an array of numbers, or a ``TypeError`` naming its dtype."""
    array = as_array(value, name, who)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {name} must hold numbers, got dtype {array.dtype}")
    return array


def _finite_float64(array: np.ndarray, name: str, who: str) -> np.ndarray:
    """``array`` as float64, or a ``ValueError`` counting its NaN and infinite values."""
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        bad = int((~np.isfinite(array)).sum())
        raise ValueError(f"{who}: {name} contains {bad} NaN or infinite value(s)")
    return array


def check_features(x: Any, who: str, in_features: int | None) -> np.ndarray:
    """``x`` as a float64 ``(N, F)`` array; a 1-D ``x`` is N samples of one feature."""
    array = _numbers(x, "x", who)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{who}: x must be (N, features) or (N,), got shape {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{who}: x has no samples (shape {array.shape})")
    if in_features is not None and array.shape[1] != in_features:
        raise ValueError(f"{who}: x has {array.shape[1]} feature(s) per sample, but the model "
                         f"takes {in_features} (x shape {array.shape})")
    return _finite_float64(array, "x", who)


def check_targets(y: Any, n: int, who: str) -> np.ndarray:
    """Regression targets as float64 ``(N,)`` or ``(N, outputs)``; lengths and NaN checked."""
    array = _numbers(y, "y", who)
    if array.ndim not in (1, 2):
        raise ValueError(f"{who}: y must be (N,) or (N, outputs), got shape {array.shape}")
    if array.shape[0] != n:
        raise ValueError(f"{who}: x has {n} samples but y has {array.shape[0]} "
                         f"(y shape {array.shape})")
    return _finite_float64(array, "y", who)


def check_labels(y: Any, n: int, n_classes: int, who: str) -> np.ndarray:
    """Class labels as int64 ``(N,)`` in ``0..n_classes-1`` (whole-number floats and bools ok)."""
    array = as_array(y, "y", who)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{who}: y must be (N,) class labels, got shape {array.shape}")
    if array.shape[0] != n:
        raise ValueError(f"{who}: x has {n} samples but y has {array.shape[0]} labels")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{who}: labels must be integers 0..{n_classes - 1}, got dtype "
                        f"{array.dtype}")
    if array.dtype.kind == "f" and not (np.isfinite(array).all()
                                        and (array == np.round(array)).all()):
        raise ValueError(f"{who}: labels must be whole numbers 0..{n_classes - 1}, got values "
                         f"such as {_examples(array[array != np.round(array)])}")
    labels = array.astype(np.int64)
    outside = (labels < 0) | (labels >= n_classes)
    if outside.any():
        raise ValueError(f"{who}: labels must be in 0..{n_classes - 1} for n_classes="
                         f"{n_classes}, got {_examples(labels[outside])}")
    return labels


def _examples(values: np.ndarray) -> str:
    shown = ", ".join(str(v) for v in np.unique(values)[:5])
    return f"[{shown}{', ...' if np.unique(values).size > 5 else ''}]"


def check_positive(value: Any, name: str, who: str, integer: bool = False) -> None:
    """``ValueError`` unless ``value`` is a positive number (an int when ``integer``)."""
    kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kinds) or not value > 0:
        kind = "a positive integer" if integer else "a positive number"
        raise ValueError(f"{who}: {name} must be {kind}, got {value!r}")


def make_optimizer(optimizer: Any, module: Module, lr: float, who: str,
                   **options: Any) -> optim.Optimizer:
    """An ``ember.optim`` optimizer over ``module``'s parameters.

    ``optimizer`` is a name (``"sgd"``, ``"adam"``, ...; built with ``lr`` and ``options``,
    e.g. ``momentum=0.9``), an optimizer class, or an optimizer instance already built over
    this module's parameters (its own settings are kept, so ``options`` must be empty).
    An option the optimizer does not take is a ``TypeError`` naming it.
    """
    params = list(module.parameters())
    if isinstance(optimizer, optim.Optimizer):
        owned = {id(p) for group in optimizer.param_groups for p in group["params"]}
        if not {id(p) for p in params} <= owned:
            raise ValueError(f"{who}: the optimizer instance does not hold this model's "
                             "parameters; build it from model.parameters() (call the model's "
                             "build or pass in_features first) or pass a name such as 'sgd'")
        if options:
            raise TypeError(f"{who}: options {sorted(options)} are for building an optimizer; "
                            "an optimizer instance keeps its own")
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in OPTIMIZERS:
        optimizer = OPTIMIZERS[optimizer.lower()]
    if isinstance(optimizer, type) and issubclass(optimizer, optim.Optimizer):
        try:
            return optimizer(params, lr=lr, **options)
        except TypeError as exc:
            raise TypeError(f"{who}: {optimizer.__name__} does not take the options "
                            f"{sorted(options)} ({exc})") from None
    raise ValueError(f"{who}: unknown optimizer {optimizer!r}; use one of "
                     f"{', '.join(OPTIMIZERS)}, an ember.optim class or an instance")


def gradient_descent(module: Module, x: np.ndarray, target: np.ndarray,
                     loss_fn: LossFn, optimizer: optim.Optimizer, epochs: int,
                     batch_size: int | None, seed: int | None) -> list[float]:
    """Minimise ``loss_fn(module(x), target)``; returns the loss of every step.

    ``batch_size=None`` takes one full-batch step per epoch; otherwise each epoch visits the
    samples in a fresh order (seeded by ``seed``) in batches of ``batch_size``.
    """
    n = len(x)
    rng = np.random.default_rng(seed)
    history: list[float] = []
    module.train()
    for _ in range(epochs):
        if batch_size is None or batch_size >= n:
            batches = [slice(None)]
        else:
            order = rng.permutation(n)
            batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        for index in batches:
            xb = from_numpy(np.ascontiguousarray(x[index]))
            yb = from_numpy(np.ascontiguousarray(target[index]))
            loss = loss_fn(module(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            value = float(loss.item())
            if not np.isfinite(value):
                raise ValueError(
                    f"{type(module).__name__}.fit: the loss became {value} after "
                    f"{len(history) + 1} step(s); lower lr (or standardise x and y)")
            history.append(value)
    module.eval()
    return history
