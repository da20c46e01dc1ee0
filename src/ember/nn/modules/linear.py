"""``Linear`` (y = x W^T + b) and ``Identity``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ember.devices import check_device
from ember.dtypes import to_numpy_dtype
from ember.nn import functional as F
from ember.nn import init
from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter, charge_parameter
from ember.tensor import Tensor


def empty_parameter(shape: tuple[int, ...], dtype: Any = None, device: Any = None,
                    owner: str = "parameter") -> Parameter:
    """An uninitialised parameter, filled by the owning layer's ``reset_parameters()``; a
    ``device`` other than the CPU is refused, naming ``owner``."""
    check_device(device, owner)
    charge_parameter(shape)
    return Parameter(Tensor._wrap(np.empty(shape, dtype=to_numpy_dtype(dtype or "float32"))))


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to remove a layer from a model)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input


class Linear(Module):
    """Fully connected layer. input: (..., in_features) -> (..., out_features).

    weight: (out_features, in_features), bias: (out_features,), both initialised as PyTorch's.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = empty_parameter((out_features, in_features), dtype, device, "Linear")
        if bias:
            self.bias = empty_parameter((out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # kaiming_uniform_ with a=sqrt(5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        shape = input.shape
        if not shape or shape[-1] != self.in_features:
            raise RuntimeError(f"{self!r} expected input of shape (..., {self.in_features}), got "
                             f"{tuple(shape)}")
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
