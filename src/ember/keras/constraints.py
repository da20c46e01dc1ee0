"""Weight constraints, applied after every optimizer update (``kernel_constraint=``,
``bias_constraint=``, ``add_weight(constraint=)``): ``MaxNorm``, ``NonNeg``, ``UnitNorm``,
``MinMaxNorm``. Each maps a weight in Keras's layout (where ``axis`` is meant) to its projection,
with ember ops. A custom constraint is any ``Constraint`` subclass (or callable) doing the same.
"""

from __future__ import annotations

from typing import Any

from ember import ops
from ember.keras._registry import Registry
from ember.tensor import Tensor

_CONSTRAINTS = Registry("constraint")
EPSILON = 1e-7  # Keras's backend epsilon


class Constraint:
    def __call__(self, w: Tensor) -> Tensor:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)


def _norms(w: Tensor, axis: Any) -> Tensor:
    return (w * w).sum(dim=axis, keepdim=True).sqrt()


@_CONSTRAINTS.register("max_norm", "maxnorm")
class MaxNorm(Constraint):
    """Rescale each slice along ``axis`` whose L2 norm exceeds ``max_value`` down to it."""

    def __init__(self, max_value: float = 2.0, axis: Any = 0) -> None:
        self.max_value, self.axis = float(max_value), axis

    def __call__(self, w: Tensor) -> Tensor:
        norms = _norms(w, self.axis)
        return w * (ops.clamp(norms, 0.0, self.max_value) / (norms + EPSILON))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


@_CONSTRAINTS.register("non_neg", "nonneg")
class NonNeg(Constraint):
    """Negative weights become zero."""

    def __call__(self, w: Tensor) -> Tensor:
        return ops.clamp(w, min=0.0)


@_CONSTRAINTS.register("unit_norm", "unitnorm")
class UnitNorm(Constraint):
    """Each slice along ``axis`` rescaled to unit L2 norm."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Tensor) -> Tensor:
        return w / (_norms(w, self.axis) + EPSILON)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


@_CONSTRAINTS.register("min_max_norm", "minmaxnorm")
class MinMaxNorm(Constraint):
    """Norms along ``axis`` moved into [min_value, max_value], by the fraction ``rate``."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Any = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w: Tensor) -> Tensor:
        norms = _norms(w, self.axis)
        desired = self.rate * ops.clamp(norms, self.min_value, self.max_value) + \
            (1 - self.rate) * norms
        return w * (desired / (norms + EPSILON))

    def get_config(self) -> dict[str, Any]:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm


def get(identifier: Any) -> Any:
    """A constraint from None, a name, a config dict, an instance or a plain callable."""
    if identifier is None:
        return None
    if callable(identifier) and not isinstance(identifier, type):
        return identifier
    return _CONSTRAINTS.get(identifier, Constraint)


def serialize(constraint: Any) -> dict[str, Any] | None:
    return None if constraint is None else _CONSTRAINTS.serialize(constraint)
