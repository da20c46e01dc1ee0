"""``nn.Parameter``: the marker that tells a ``Module`` a tensor is one of its learnable weights."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from ember.dtypes import DEFAULT_FLOAT
from ember.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and registers itself on a ``Module``.

    Wrapping a tensor shares its memory, as PyTorch does (``Parameter(t)`` sees ``t``'s values).

    >>> w = nn.Parameter(ember.zeros(2))
    >>> w
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty((0,), dtype=DEFAULT_FLOAT)
        elif isinstance(data, Tensor):
            array = data._data
        else:
            array = Tensor._from_data(data)._data
        self._data = array
        self._grad: Tensor | None = None
        self._node = None
        self._vc = [0]
        self._base = None
        self._retains_grad = False
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


# Loading a model file rebuilds its architecture before the weights are read; a hostile or corrupt
# file could describe a network of billions of weights. While a budget is set, every parameter a
# layer creates is charged to it before any memory is allocated.
_budget: ContextVar[list[int] | None] = ContextVar("ember_parameter_budget", default=None)


@contextmanager
def parameter_budget(max_elements: int) -> Iterator[None]:
    """Refuse (``ValueError``) to create more than ``max_elements`` parameter elements inside."""
    token = _budget.set([int(max_elements)])
    try:
        yield
    finally:
        _budget.reset(token)


def charge_parameter(shape: tuple[int, ...]) -> None:
    """Charge a parameter of ``shape`` to the active budget, if any (called before allocating)."""
    budget = _budget.get()
    if budget is None:
        return
    count = 1
    for size in shape:
        count *= int(size)
    if count > budget[0]:
        raise ValueError(f"a parameter of shape {tuple(shape)} ({count:,} values) exceeds what is "
                         f"left of the allowed {budget[0]:,} values")
    budget[0] -= count
