"""Weight penalties added to the training loss: ``L1``, ``L2``, ``L1L2``."""

from __future__ import annotations

from typing import Any

from ember import ops
from ember.keras._registry import Registry
from ember.tensor import Tensor

_REGULARIZERS = Registry("regularizer")


class Regularizer:
    def __call__(self, weight: Tensor) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)


@_REGULARIZERS.register("l1l2", "l1_l2")
class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w**2)``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, weight: Tensor) -> Tensor:
        penalty = None
        if self.l1:
            penalty = self.l1 * ops.abs(weight).sum()
        if self.l2:
            term = self.l2 * (weight * weight).sum()
            penalty = term if penalty is None else penalty + term
        return penalty if penalty is not None else (weight * 0).sum()

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


@_REGULARIZERS.register("l1")
class L1(L1L2):
    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=l1)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


@_REGULARIZERS.register("l2")
class L2(L1L2):
    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2


def get(identifier: Any) -> Regularizer | None:
    if identifier is None:
        return None
    from ember.keras.layers.base import note_regularizer

    note_regularizer()  # from now on, models look for weight penalties
    if callable(identifier) and not isinstance(identifier, (Regularizer, type)):
        return identifier  # a plain fn(weight) -> penalty, as Keras accepts
    return _REGULARIZERS.get(identifier, Regularizer)


def serialize(regularizer: Regularizer | None) -> dict[str, Any] | None:
    return None if regularizer is None else _REGULARIZERS.serialize(regularizer)
