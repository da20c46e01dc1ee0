"""``Conv1d``, ``Conv3d`` and ``ConvTranspose1d/2d/3d`` with PyTorch's parameters, layouts and
initialisation (the maths lives in ``nn.functional.conv_nd``)."""

from __future__ import annotations

import math
from typing import Any

from ember import ops
from ember.devices import check_device
from ember.nn import init
from ember.nn.functional import conv_nd as C
from ember.nn.modules.linear import empty_parameter
from ember.nn.modules.module import Module
from ember.tensor import Tensor

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    _spatial = 1
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", output_padding: Any = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        check_device(device, name)
        n = self._spatial
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = C.ntuple(kernel_size, n, "kernel_size")
        self.stride = C.ntuple(stride, n, "stride")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: Any = padding
        else:
            self.padding = C.ntuple(padding, n, "padding")
        self.dilation = C.ntuple(dilation, n, "dilation")
        self.output_padding = C.ntuple(output_padding, n, "output_padding")
        self.groups, self.padding_mode = groups, padding_mode
        self.transposed = self._transposed
        shape = ((in_channels, out_channels // groups) if self._transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = empty_parameter(shape, dtype)
        if bias:
            self.bias = empty_parameter((out_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self._spatial:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self._spatial:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._spatial:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text

    def _conv(self, input: Tensor) -> Tensor:  # noqa: A002
        fn = C.conv1d if self._spatial == 1 else C.conv3d
        if self.padding_mode == "zeros":
            return fn(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                      self.groups)
        if isinstance(self.padding, str):
            pads = [(0, 0)] * self._spatial if self.padding == "valid" else \
                C._same_padding(self.kernel_size, self.dilation)
        else:
            pads = [(p, p) for p in self.padding]
        flat = [side for pair in reversed(pads) for side in pair]
        mode = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}
        padded = ops.pad(input, flat, mode=mode[self.padding_mode])
        return fn(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution. input: (N, C_in, L) or (C_in, L); weight: (C_out, C_in // groups, k)."""

    _spatial = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device=device, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return self._conv(input)


class Conv3d(_ConvNd):
    """3-D convolution. input: (N, C_in, D, H, W); weight: (C_out, C_in // groups, kd, kh, kw)."""

    _spatial = 3

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device=device, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return self._conv(input)


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if isinstance(padding, str):
            raise ValueError(f"padding={padding!r} is not supported by {type(self).__name__}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, device, dtype)

    def _output_padding_for(self, input: Tensor, output_size: Any) -> tuple[int, ...]:
        """The output padding that gives ``output_size`` (PyTorch's forward argument)."""
        if output_size is None:
            return self.output_padding
        n = self._spatial
        wanted = [int(v) for v in tuple(output_size)[-n:]]
        extra = []
        for i in range(n):
            smallest = ((input.shape[-n + i] - 1) * self.stride[i] - 2 * self.padding[i]
                        + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            if not smallest <= wanted[i] < smallest + self.stride[i]:
                raise ValueError(f"requested an output size of {wanted}, but valid sizes range "
                                 f"from {smallest} to {smallest + self.stride[i] - 1} (for an "
                                 f"input of {list(input.shape[-n:])})")
            extra.append(wanted[i] - smallest)
        return tuple(extra)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        fn = {1: C.conv_transpose1d, 2: C.conv_transpose2d, 3: C.conv_transpose3d}[self._spatial]
        return fn(input, self.weight, self.bias, self.stride, self.padding,
                  self._output_padding_for(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution; weight: (C_in, C_out // groups, k)."""

    _spatial = 1


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution (a "deconvolution"); weight: (C_in, C_out // groups, kh, kw).
    Output size: (H - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1."""

    _spatial = 2


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-D convolution; weight: (C_in, C_out // groups, kd, kh, kw)."""

    _spatial = 3
