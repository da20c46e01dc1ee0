"""``nn.Parameter``: the marker that tells a ``Module`` a tensor is one of its learnable weights."""

from __future__ import annotations

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
            array = Tensor(data)._data
        self._data = array
        self.grad: Tensor | None = None
        self._node = None
        self._version = 0
        self._retains_grad = False
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
