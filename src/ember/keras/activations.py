"""Keras activations by name; each is one call into ``ember.nn.functional`` or ``ember.ops``."""

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


@_ACTIVATIONS.register("sigmoid")
def sigmoid(x: Tensor) -> Tensor:
    return F.sigmoid(x)


@_ACTIVATIONS.register("hard_sigmoid")
def hard_sigmoid(x: Tensor) -> Tensor:
    return ops.clamp(x / 6.0 + 0.5, 0.0, 1.0)


@_ACTIVATIONS.register("tanh")
def tanh(x: Tensor) -> Tensor:
    return F.tanh(x)


@_ACTIVATIONS.register("softmax")
def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return F.softmax(x, axis)


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
