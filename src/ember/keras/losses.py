"""Keras losses, computed by ``ember.nn.functional``.

A loss gives one value per sample (``per_sample``), then ``reduce_weighted_values`` weights,
masks and averages them. The cross-entropies read the logits a ``softmax``/``sigmoid`` activation
leaves on its output (as Keras does) and then compute the fused, numerically stable form from
them. Keras argument order: ``loss(y_true, y_pred)``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import ember.nn.functional as F
from ember import ops
from ember.keras._registry import Registry
from ember.keras._seen import Seen
from ember.keras.activations import logits_of
from ember.keras.loss_reduction import REDUCTIONS, reduce_weighted_values
from ember.tensor import Tensor

_LOSSES = Registry("loss")
EPSILON = 1e-7  # Keras's backend epsilon: probabilities are clipped to [eps, 1 - eps]


def _as_tensor(value: Any) -> Tensor:
    if isinstance(value, Tensor):
        return value
    array = np.asarray(value)
    return Tensor._from_data(array.astype(np.float32) if array.dtype.kind == "f" else array)


def _reshaped(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``t.reshape(shape)``, without a graph node when it is that shape already (the usual
    (N, classes) case: each node costs a training step time, forward and backward)."""
    return t if tuple(t.shape) == shape else t.reshape(shape)


def _match_rank(y_true: Tensor, y_pred: Tensor) -> Tensor:
    """Keras pairs (N,) targets with (N, 1) outputs."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        return y_true.unsqueeze(-1)
    return y_true


class Loss:
    """Base class: subclasses define ``per_sample(y_true, y_pred) -> (N,)``."""

    default_name = "loss"

    def __init__(self, reduction: str = "sum_over_batch_size", name: str | None = None,
                 dtype: Any = None) -> None:
        if reduction is None:
            reduction = "none"
        if reduction not in REDUCTIONS:
            raise ValueError(f"unknown loss reduction {reduction!r}; expected one of "
                             f"{', '.join(REDUCTIONS[:-1])}")
        if dtype not in (None, "float32"):
            raise NotImplementedError(f"{type(self).__name__}: dtype={dtype!r} is not supported")
        self.reduction = reduction
        self.name = name or self.default_name

    def per_sample(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        """Keras's name for the unreduced losses."""
        return self.per_sample(_as_tensor(y_true), _as_tensor(y_pred))

    def reduce(self, per_sample: Tensor, sample_weight: Any = None, mask: Any = None) -> Tensor:
        return reduce_weighted_values(per_sample, sample_weight, mask, self.reduction)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        y_pred = _as_tensor(y_pred)
        mask = y_pred.__dict__.get("_keras_mask") if Seen.masks else None
        if type(self).call is not Loss.call:
            # A Keras-style subclass defines ``call``; as Keras, it gets targets of the
            # predictions' float dtype and its result is weighted and reduced here.
            y_true = _as_tensor(y_true)
            if y_pred.is_floating_point() and y_true.dtype != y_pred.dtype:
                y_true = y_true.to(y_pred.dtype)
            return self.reduce(_as_tensor(self.call(y_true, y_pred)), sample_weight, mask)
        return self.reduce(self.per_sample(_as_tensor(y_true), y_pred), sample_weight, mask)

    def get_config(self) -> dict[str, Any]:
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)


def _logits(loss: Any, y_pred: Tensor, activation: str) -> Tensor | None:
    """What a cross-entropy computes from: the logits ``activation`` left on ``y_pred`` (as
    Keras, even with ``from_logits=True``, with Keras's warning), else ``y_pred`` itself when
    ``from_logits``, else None (probabilities)."""
    logits = logits_of(y_pred, activation)
    if logits is not None:
        if loss.from_logits:
            warnings.warn(f"{loss.name} received from_logits=True, but its input was produced "
                          f"by a {activation} activation and thus does not represent logits. "
                          "Was this intended?", stacklevel=4)
        return logits
    return y_pred if loss.from_logits else None


def _check_probabilities(y_true: Tensor, y_pred: Tensor, name: str) -> None:
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(
            f"{name}: targets of shape {tuple(y_true.shape)} don't match predictions of shape "
            f"{tuple(y_pred.shape)}; one-hot targets need one column per model output "
            f"({y_pred.shape[-1] if y_pred.ndim else 1}). For integer labels use "
            "sparse_categorical_crossentropy."
        )


@_LOSSES.register("categorical_crossentropy")
class CategoricalCrossentropy(Loss):
    """Cross-entropy against one-hot (or soft) targets."""

    default_name = "categorical_crossentropy"

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str = "sum_over_batch_size", name: str | None = None) -> None:
        super().__init__(reduction, name)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def _target(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        _check_probabilities(y_true, y_pred, self.name)
        target = y_true.float() if not y_true.is_floating_point() else y_true
        if self.label_smoothing:
            target = target * (1 - self.label_smoothing) + self.label_smoothing / y_pred.shape[-1]
        return target

    def per_sample(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        if self.axis % max(y_pred.ndim, 1) != y_pred.ndim - 1:
            raise NotImplementedError(f"{self.name}: axis={self.axis} (other than the last) is "
                                      "not supported")
        logits = _logits(self, y_pred, "softmax")
        if logits is not None:
            return self.per_sample_from_logits(y_true, logits)
        target = self._target(y_true, y_pred)
        probs = y_pred / y_pred.sum(dim=-1, keepdim=True)
        return -(target * ops.clamp(probs, EPSILON, 1 - EPSILON).log()).sum(dim=-1)

    def per_sample_from_logits(self, y_true: Tensor, logits: Tensor) -> Tensor:
        target = self._target(y_true, logits)
        rows = (int(np.prod(logits.shape[:-1], dtype=np.int64)), logits.shape[-1])
        loss = F.cross_entropy(_reshaped(logits, rows), _reshaped(target, rows),
                               reduction="none")
        return _reshaped(loss, tuple(logits.shape[:-1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


@_LOSSES.register("sparse_categorical_crossentropy")
class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy against integer class labels."""

    default_name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str = "sum_over_batch_size", name: str | None = None) -> None:
        super().__init__(reduction, name)
        self.from_logits, self.ignore_class = from_logits, ignore_class

    def _labels(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        labels = y_true
        if labels.ndim == y_pred.ndim and labels.ndim and labels.shape[-1] == 1:
            labels = labels.squeeze(-1)
        if labels.is_floating_point():
            values = labels.numpy()
            if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
                bad = values[~np.isfinite(values) | (values != np.round(values))][0]
                raise ValueError(f"{self.name}: labels must be integer class indices, got a "
                                 f"float label {float(bad)!r}")
            labels = labels.long()
        if labels.dtype not in (np.int64, np.int32, np.int16, np.int8, np.uint8):
            raise TypeError(f"{self.name}: labels must be integer class indices, got "
                            f"{labels.dtype}")
        expected = tuple(y_pred.shape[:-1])
        if tuple(labels.shape) != expected:
            raise ValueError(f"{self.name}: expected labels of shape {expected} for predictions "
                             f"of shape {tuple(y_pred.shape)}, got {tuple(y_true.shape)}")
        return labels.long()

    def _flat(self, y_true: Tensor, y_pred: Tensor) -> tuple[Tensor, Tensor, int]:
        labels = self._labels(y_true, y_pred)
        ignore = -100 if self.ignore_class is None else self.ignore_class
        rows = int(np.prod(y_pred.shape[:-1], dtype=np.int64))
        return (_reshaped(y_pred, (rows, y_pred.shape[-1])), _reshaped(labels, (rows,)), ignore)

    def per_sample(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        logits = _logits(self, y_pred, "softmax")
        if logits is not None:
            return self.per_sample_from_logits(y_true, logits)
        flat, labels, ignore = self._flat(y_true, y_pred)
        probs = flat / flat.sum(dim=-1, keepdim=True)
        log_probs = ops.clamp(probs, EPSILON, 1 - EPSILON).log()
        loss = F.nll_loss(log_probs, labels, ignore_index=ignore, reduction="none")
        return loss.reshape(tuple(y_pred.shape[:-1]))

    def per_sample_from_logits(self, y_true: Tensor, logits: Tensor) -> Tensor:
        flat, labels, ignore = self._flat(y_true, logits)
        loss = F.cross_entropy(flat, labels, ignore_index=ignore, reduction="none")
        return _reshaped(loss, tuple(logits.shape[:-1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}


@_LOSSES.register("binary_crossentropy")
class BinaryCrossentropy(Loss):
    """Cross-entropy of 0/1 targets against probabilities (or logits), mean over the last axis."""

    default_name = "binary_crossentropy"

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0,
                 reduction: str = "sum_over_batch_size", name: str | None = None) -> None:
        super().__init__(reduction, name)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing

    def _target(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        target = _match_rank(y_true, y_pred).float()
        if tuple(target.shape) != tuple(y_pred.shape):
            raise ValueError(f"{self.name}: targets of shape {tuple(y_true.shape)} don't match "
                             f"predictions of shape {tuple(y_pred.shape)}")
        if self.label_smoothing:
            target = target * (1 - self.label_smoothing) + 0.5 * self.label_smoothing
        return target

    def per_sample(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        logits = _logits(self, y_pred, "sigmoid")
        if logits is not None:
            return self.per_sample_from_logits(y_true, logits)
        target = self._target(y_true, y_pred)
        p = ops.clamp(y_pred, EPSILON, 1 - EPSILON)
        loss = -(target * p.log() + (1 - target) * (1 - p).log())
        return loss.mean(dim=-1) if loss.ndim > 1 else loss

    def per_sample_from_logits(self, y_true: Tensor, logits: Tensor) -> Tensor:
        target = self._target(y_true, logits)
        loss = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        return loss.mean(dim=-1) if loss.ndim > 1 else loss

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class _Regression(Loss):
    def per_sample(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        target = _match_rank(y_true, y_pred)
        if target.dtype != y_pred.dtype:
            target = target.to(y_pred.dtype)
        if tuple(target.shape) != tuple(y_pred.shape):
            raise ValueError(f"{self.name}: targets of shape {tuple(y_true.shape)} don't match "
                             f"predictions of shape {tuple(y_pred.shape)}")
        loss = self.elementwise(target, y_pred)
        return loss.mean(dim=-1) if loss.ndim > 1 else loss

    def elementwise(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError


@_LOSSES.register("mean_squared_error", "mse")
class MeanSquaredError(_Regression):
    default_name = "mean_squared_error"

    def elementwise(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return F.mse_loss(y_pred, y_true, reduction="none")


@_LOSSES.register("mean_absolute_error", "mae")
class MeanAbsoluteError(_Regression):
    default_name = "mean_absolute_error"

    def elementwise(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return F.l1_loss(y_pred, y_true, reduction="none")


@_LOSSES.register("huber", "huber_loss")
class Huber(_Regression):
    default_name = "huber_loss"

    def __init__(self, delta: float = 1.0, reduction: str = "sum_over_batch_size",
                 name: str | None = None) -> None:
        super().__init__(reduction, name)
        self.delta = delta

    def elementwise(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return F.huber_loss(y_pred, y_true, reduction="none", delta=self.delta)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "delta": self.delta}


@_LOSSES.register("mean_absolute_percentage_error", "mape")
class MeanAbsolutePercentageError(_Regression):
    default_name = "mean_absolute_percentage_error"

    def elementwise(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return 100.0 * ops.abs((y_true - y_pred) / ops.clamp(ops.abs(y_true), EPSILON))


@_LOSSES.register("mean_squared_logarithmic_error", "msle")
class MeanSquaredLogarithmicError(_Regression):
    default_name = "mean_squared_logarithmic_error"

    def elementwise(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        diff = ops.clamp(y_pred, EPSILON).log1p() - ops.clamp(y_true, EPSILON).log1p()
        return diff * diff


def get(identifier: Any) -> Loss:
    """A loss from a name, a config dict, an instance, or a plain ``fn(y_true, y_pred)``."""
    if callable(identifier) and not isinstance(identifier, (Loss, type)):
        return LossFunctionWrapper(identifier)
    return _LOSSES.get(identifier, Loss)


class LossFunctionWrapper(Loss):
    """A user's ``fn(y_true, y_pred) -> per-sample losses`` as a Loss."""

    def __init__(self, fn: Any, name: str | None = None) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "loss"))
        self.fn = fn

    def per_sample(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        return self.fn(y_true, y_pred)


def serialize(loss: Loss) -> dict[str, Any]:
    return _LOSSES.serialize(loss)


def names() -> list[str]:
    return _LOSSES.names()


# Keras's function-style names, e.g. keras.losses.mean_squared_error(y_true, y_pred).
def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    return MeanSquaredError().per_sample(_as_tensor(y_true), _as_tensor(y_pred))


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    return MeanAbsoluteError().per_sample(_as_tensor(y_true), _as_tensor(y_pred))


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False) -> Tensor:
    return CategoricalCrossentropy(from_logits).per_sample(_as_tensor(y_true), _as_tensor(y_pred))


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False) -> Tensor:
    return SparseCategoricalCrossentropy(from_logits).per_sample(_as_tensor(y_true),
                                                                 _as_tensor(y_pred))


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False) -> Tensor:
    return BinaryCrossentropy(from_logits).per_sample(_as_tensor(y_true), _as_tensor(y_pred))


mse, mae = mean_squared_error, mean_absolute_error
