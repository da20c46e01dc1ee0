"""``Variable``: PyTorch's legacy wrapper, today an alias that returns a tensor.

``Variable(t)`` is ``t`` and ``Variable(t, requires_grad=True)`` is ``t`` made to require
gradients, as in PyTorch since 0.4; ``isinstance(t, Variable)`` holds for every tensor.
"""

from __future__ import annotations

from typing import Any


def _tensor_class() -> type:
    from ember.tensor import Tensor  # imported late: ember.tensor imports ember.autograd

    return Tensor


class _VariableMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _tensor_class())


class Variable(metaclass=_VariableMeta):
    def __new__(cls, data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:
        if volatile:
            raise NotImplementedError("Variable(volatile=True): removed in PyTorch 0.4; use "
                                      "ember.no_grad()")
        if not isinstance(data, _tensor_class()):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if requires_grad:
            data.requires_grad_(True)
        return data
