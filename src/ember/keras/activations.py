"""Keras activations by name; each is one call into ``ember.nn.functional`` or ``ember.ops``.

As in Keras, ``softmax`` and ``sigmoid`` leave their input on their output (``_keras_logits``):
a cross-entropy loss given that output reads the logits and computes the fused, numerically
stable form, so the model's forward pass stays the one path that ``fit`` and ``predict`` share.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ember.nn.functional as F
from ember import ops
from ember.keras._registry import Registry
from ember.tensor import Tensor

_ACTIVATIONS = Registry("activation")


@_ACTIVATIONS.register("linear")
def linear(x: Tensor) -> Tensor:
    return x


@_ACTIVATIONS.register("relu")
def relu(x: Tensor) -> Tensor:
    return F.relu(x)


@_ACTIVATIONS.register("relu6")
def relu6(x: Tensor) -> Tensor:
    return F.relu6(x)


@_ACTIVATIONS.register("leaky_relu")
def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    return F.leaky_relu(x, negative_slope)


@_ACTIVATIONS.register("elu")
def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return F.elu(x, alpha)


@_ACTIVATIONS.register("selu")
def selu(x: Tensor) -> Tensor:
    return 1.0507009873554805 * F.elu(x, 1.6732632423543772)


@_ACTIVATIONS.register("gelu")
def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    return F.gelu(x, "tanh" if approximate else "none")


def keep_logits(output: Tensor, logits: Tensor, activation: str, axis: int = -1) -> Tensor:
    """Record on ``output`` the ``logits`` it was computed from (and the output's version, so an
    in-place change to the output afterwards voids the record)."""
    output.__dict__["_keras_logits"] = logits
    output.__dict__["_keras_logits_of"] = (activation, axis % max(output.ndim, 1), output._version)
    return output


def logits_of(output: Any, activation: str, axis: int = -1) -> Tensor | None:
    """The logits ``output`` was computed from by ``activation`` along ``axis``, if recorded and
    ``output`` is unchanged since."""
    record = getattr(output, "__dict__", {}).get("_keras_logits_of")
    if record is None or record[0] != activation or record[2] != output._version:
        return None
    if activation == "softmax" and record[1] != axis % max(output.ndim, 1):
        return None
    return output.__dict__["_keras_logits"]


@_ACTIVATIONS.register("sigmoid")
def sigmoid(x: Tensor) -> Tensor:
    return keep_logits(F.sigmoid(x), x, "sigmoid")


@_ACTIVATIONS.register("hard_sigmoid")
def hard_sigmoid(x: Tensor) -> Tensor:
    return ops.clamp(x / 6.0 + 0.5, 0.0, 1.0)


@_ACTIVATIONS.register("tanh")
def tanh(x: Tensor) -> Tensor:
    return F.tanh(x)


@_ACTIVATIONS.register("softmax")
def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return keep_logits(F.softmax(x, axis), x, "softmax", axis)


@_ACTIVATIONS.register("log_softmax")
def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    return F.log_softmax(x, axis)


@_ACTIVATIONS.register("softplus")
def softplus(x: Tensor) -> Tensor:
    return F.softplus(x)


@_ACTIVATIONS.register("softsign")
def softsign(x: Tensor) -> Tensor:
    return x / (ops.abs(x) + 1.0)


@_ACTIVATIONS.register("silu", "swish")
def silu(x: Tensor) -> Tensor:
    return F.silu(x)


@_ACTIVATIONS.register("exponential")
def exponential(x: Tensor) -> Tensor:
    return ops.exp(x)


def get(identifier: Any) -> Callable[[Tensor], Tensor]:
    """An activation from its name, a callable, or None (linear)."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return _ACTIVATIONS.lookup(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(f"activation must be a name or a callable, got {identifier!r}")


def serialize(activation: Callable[..., Any]) -> str:
    for name, fn in _ACTIVATIONS.entries.items():
        if fn is activation:
            return name
    raise ValueError(f"activation {activation!r} is not a built-in one and can't be saved by name")


def names() -> list[str]:
    return _ACTIVATIONS.names()
