"""``Conv2d``: a learnable 2-D convolution (the maths lives in ``F.conv2d``)."""

from __future__ import annotations

import math
from typing import Any

from ember.nn import functional as F
from ember.nn import init
from ember.nn.functional.conv import pair
from ember.nn.modules.linear import empty_parameter
from ember.nn.modules.module import Module
from ember.tensor import Tensor


class Conv2d(Module):
    """2-D convolution. input: (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, OH, OW).

    weight: (out_channels, in_channels, kh, kw); padding is an int, a pair, 'valid' or 'same'.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups != 1:
            raise NotImplementedError(f"Conv2d: only groups=1 is supported, got {groups}")
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv2d: only padding_mode='zeros' is supported, got "
                                      f"{padding_mode!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = pair(kernel_size, "Conv2d kernel_size")
        self.stride = pair(stride, "Conv2d stride")
        self.padding = padding if isinstance(padding, str) else pair(padding, "Conv2d padding")
        self.dilation = pair(dilation, "Conv2d dilation")
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = empty_parameter((out_channels, in_channels) + self.kernel_size, dtype)
        if bias:
            self.bias = empty_parameter((out_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.conv2d(self._checked(input), self.weight, self.bias, self.stride, self.padding,
                        self.dilation)

    def _checked(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.ndim not in (3, 4) or input.shape[-3] != self.in_channels:
            raise ValueError(
                f"{self!r} expected input of shape (N, {self.in_channels}, H, W) or "
                f"({self.in_channels}, H, W), got {tuple(input.shape)}"
            )
        return input

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text
