"""Keras's neural-network ops (``keras.ops.nn``): activations and losses on ember tensors.

Losses take ``(target, output)`` as Keras does and return one value per sample (no reduction).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import ember.nn.functional as F
from ember import ops as _ops
from ember.keras.ops.core import _floats, _t
from ember.tensor import Tensor


def relu(x: Any) -> Tensor:
    return _ops.relu(_floats(x))


def relu6(x: Any) -> Tensor:
    return F.relu6(_floats(x))


def sigmoid(x: Any) -> Tensor:
    return _ops.sigmoid(_floats(x))


def hard_sigmoid(x: Any) -> Tensor:
    return F.hardsigmoid(_floats(x))


def hard_silu(x: Any) -> Tensor:
    return F.hardswish(_floats(x))


hard_swish = hard_silu


def silu(x: Any) -> Tensor:
    return _ops.silu(_floats(x))


swish = silu


def gelu(x: Any, approximate: bool = True) -> Tensor:
    """Keras's default is the tanh approximation (``approximate=True``)."""
    return _ops.gelu(_floats(x), "tanh" if approximate else "none")


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return _ops.elu(_floats(x), alpha)


def selu(x: Any) -> Tensor:
    return F.selu(_floats(x))


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    return F.celu(_floats(x), alpha)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    return _ops.leaky_relu(_floats(x), negative_slope)


def softplus(x: Any) -> Tensor:
    return _ops.softplus(_floats(x))


def softsign(x: Any) -> Tensor:
    return F.softsign(_floats(x))


def log_sigmoid(x: Any) -> Tensor:
    return F.logsigmoid(_floats(x))


def glu(x: Any, axis: int = -1) -> Tensor:
    return F.glu(_floats(x), axis)


def softmax(x: Any, axis: int = -1) -> Tensor:
    return _ops.softmax(_floats(x), axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    return _ops.log_softmax(_floats(x), axis)


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> Tensor:
    """float32 one-hot vectors along a new ``axis`` (Keras's default dtype)."""
    if sparse:
        raise NotImplementedError("one_hot(sparse=True): ember has no sparse tensors")
    labels = _t(x)._data.astype(np.int64)
    valid = (labels >= 0) & (labels < num_classes)
    encoded = np.eye(num_classes, dtype=np.dtype(dtype or "float32"))[np.where(valid, labels, 0)]
    encoded = encoded * valid[..., None]  # out-of-range labels give all-zero rows, as Keras
    return Tensor._wrap(np.moveaxis(encoded, -1, axis) if axis != -1 else encoded)


def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    return F.normalize(_floats(x), float(order), axis, 1e-12 if epsilon is None else epsilon)


def _probabilities(output: Tensor, from_logits: bool, axis: int) -> Tensor:
    return _ops.log_softmax(output, axis) if from_logits else _ops.log(
        _ops.clamp(output / _ops.sum(output, axis, keepdim=True), 1e-7, 1 - 1e-7))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> Tensor:
    """``-sum(target * log p)`` along ``axis``; probabilities are renormalised and clipped to
    [1e-7, 1 - 1e-7] as Keras does."""
    return -_ops.sum(_floats(target) * _probabilities(_floats(output), from_logits, axis), axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> Tensor:
    out = _floats(output)
    classes = out.shape[axis]
    return categorical_crossentropy(one_hot(target, classes, axis), out, from_logits, axis)


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """Elementwise binary cross-entropy (Keras clips probabilities to [1e-7, 1 - 1e-7])."""
    t, out = _floats(target), _floats(output)
    if from_logits:
        return F.binary_cross_entropy_with_logits(out, t, reduction="none")
    p = _ops.clamp(out, 1e-7, 1 - 1e-7)
    return -(t * _ops.log(p) + (1 - t) * _ops.log(1 - p))


def moments(x: Any, axes: Any, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """Mean and (population) variance over ``axes``."""
    t = _floats(x)
    return _ops.mean(t, axes, keepdims), _ops.var(t, axes, keepdim=keepdims, correction=0)


__all__ = ["binary_crossentropy", "categorical_crossentropy", "celu", "elu", "gelu", "glu",
           "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu", "log_sigmoid", "log_softmax",
           "moments", "normalize", "one_hot", "relu", "relu6", "selu", "sigmoid", "silu",
           "softmax", "softplus", "softsign", "sparse_categorical_crossentropy", "swish"]
