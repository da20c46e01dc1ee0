"""Keras convolution and pooling layers: channels-last (N, H, W, C) over ember's NCHW modules."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import ember.nn.functional as F
from ember import nn
from ember.keras import activations, constraints, initializers, regularizers
from ember.keras.layers.base import KerasWeight, Layer, initialize, weight_penalties
from ember.tensor import Tensor


def _pair(value: Any, name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or any(int(v) <= 0 for v in pair):
        raise ValueError(f"{name} must be a positive int or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_padding(padding: str) -> str:
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding


def _same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's 'same': output ceil(size / stride), any odd padding goes after."""
    effective = (kernel - 1) * dilation + 1
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _to_nchw(x: Tensor) -> Tensor:
    return x.permute(0, 3, 1, 2)


def _to_nhwc(x: Tensor) -> Tensor:
    return x.permute(0, 2, 3, 1)


def _pad_same(x: Tensor, kernel: tuple[int, int], stride: tuple[int, int],
              dilation: tuple[int, int] = (1, 1), value: float = 0.0) -> Tensor:
    """Pad an NCHW tensor so a 'valid' window op gives TensorFlow's 'same' output size."""
    top, bottom = _same_padding(x.shape[2], kernel[0], stride[0], dilation[0])
    left, right = _same_padding(x.shape[3], kernel[1], stride[1], dilation[1])
    if top == bottom == left == right == 0:
        return x
    return F.pad(x, (left, right, top, bottom), value=value)


def _expect_4d(layer: Layer, input_shape: tuple[int | None, ...]) -> None:
    if len(input_shape) != 4:
        raise ValueError(f"{type(layer).__name__} layer {layer.name!r} expects images shaped "
                         f"(None, height, width, channels), got {input_shape}")


def _check_data_format(layer: str, data_format: str | None) -> None:
    if data_format not in (None, "channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', got "
                         f"{data_format!r}")
    if data_format == "channels_first":
        raise NotImplementedError(f"{layer}: data_format='channels_first' is not supported "
                                  "(ember.keras images are channels last)")


def _conv_to_keras(array: np.ndarray) -> np.ndarray:
    return array.transpose(2, 3, 1, 0)  # (out, in/groups, kh, kw) -> (kh, kw, in/groups, out)


def _conv_from_keras(array: np.ndarray) -> np.ndarray:
    return array.transpose(3, 2, 0, 1)


class _Conv(Layer):
    """What Conv2D and DepthwiseConv2D share: an ``nn.Conv2d`` over channels-last images, Keras's
    'same' padding, kernel and bias in Keras's layout with initializers, regularizers and
    constraints."""

    def __init__(self, kernel_size: Any, strides: Any, padding: str, data_format: str | None,
                 dilation_rate: Any, activation: Any, use_bias: bool, kernel_initializer: Any,
                 bias_initializer: Any, kernel_regularizer: Any, bias_regularizer: Any,
                 kernel_constraint: Any, bias_constraint: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_data_format(type(self).__name__, data_format)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        self.padding = _check_padding(padding)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.conv: nn.Conv2d | None = None

    # Subclasses: the nn.Conv2d for ``channels`` inputs and the kernel's Keras layout.
    def _make_conv(self, channels: int) -> nn.Conv2d:
        raise NotImplementedError

    def _kernel_layout(self) -> tuple[Any, Any]:
        return _conv_to_keras, _conv_from_keras

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        _expect_4d(self, input_shape)
        self.conv = self._make_conv(input_shape[-1])
        kernel = self.kernel
        initialize(self.conv.weight, self.kernel_initializer, kernel.shape, kernel.from_keras)
        kernel.constraint = self.kernel_constraint
        if self.use_bias:
            initialize(self.conv.bias, self.bias_initializer, tuple(self.conv.bias.shape))
            self.bias.constraint = self.bias_constraint

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        x = _to_nchw(x)
        if self.padding == "same":
            x = _pad_same(x, self.kernel_size, self.strides, self.dilation_rate)
        return self.activation(_to_nhwc(self.conv(x)))

    @property
    def kernel(self) -> KerasWeight:
        if self.conv is None:
            raise AttributeError(f"layer {self.name!r} isn't built yet, so it has no kernel")
        to_keras, from_keras = self._kernel_layout()
        return KerasWeight("kernel", self.conv.weight, to_keras, from_keras)

    @property
    def bias(self) -> KerasWeight | None:
        if self.conv is None:
            raise AttributeError(f"layer {self.name!r} isn't built yet, so it has no bias")
        return KerasWeight("bias", self.conv.bias) if self.use_bias else None

    def keras_weights(self) -> list[KerasWeight]:
        if self.conv is None:
            return []
        return [self.kernel] + ([self.bias] if self.use_bias else [])

    def regularization_losses(self) -> list[Tensor]:
        return weight_penalties(self, self.conv)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "kernel_size": list(self.kernel_size),
                "strides": list(self.strides), "padding": self.padding,
                "dilation_rate": list(self.dilation_rate),
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class Conv2D(_Conv):
    """2-D convolution over (N, H, W, C) images, computed by ``nn.Conv2d``; with ``groups`` the
    channels split into groups, each convolved with its own ``filters // groups`` filters
    (Keras's kernel shape is then (kh, kw, C // groups, filters))."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, kernel_constraint, bias_constraint, **kwargs)
        self.filters, self.groups = int(filters), int(groups)
        if self.groups < 1 or self.filters % self.groups:
            raise ValueError(f"Conv2D: filters ({self.filters}) must be a multiple of groups "
                             f"({groups})")

    def _make_conv(self, channels: int) -> nn.Conv2d:
        if channels % self.groups:
            raise ValueError(f"Conv2D layer {self.name!r}: the input's {channels} channels "
                             f"don't split into groups={self.groups}")
        return nn.Conv2d(channels, self.filters, self.kernel_size, stride=self.strides,
                         padding=0, dilation=self.dilation_rate, groups=self.groups,
                         bias=self.use_bias)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters, "groups": self.groups,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint)}


class DepthwiseConv2D(_Conv):
    """Each input channel convolved with its own ``depth_multiplier`` filters (``nn.Conv2d``
    with ``groups`` = channels); Keras's kernel shape (kh, kw, C, depth_multiplier), output
    channel ``c * depth_multiplier + m``."""

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: Any = (1, 1), activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, depthwise_constraint,
                         bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        if self.depth_multiplier < 1:
            raise ValueError(f"DepthwiseConv2D: depth_multiplier must be positive, got "
                             f"{depth_multiplier}")

    def _make_conv(self, channels: int) -> nn.Conv2d:
        return nn.Conv2d(channels, channels * self.depth_multiplier, self.kernel_size,
                         stride=self.strides, padding=0, dilation=self.dilation_rate,
                         groups=channels, bias=self.use_bias)

    def _kernel_layout(self) -> tuple[Any, Any]:
        multiplier = self.depth_multiplier

        def to_keras(array: np.ndarray) -> np.ndarray:  # (C*m, 1, kh, kw) -> (kh, kw, C, m)
            return array.reshape(-1, multiplier, *array.shape[2:]).transpose(2, 3, 0, 1)

        def from_keras(array: np.ndarray) -> np.ndarray:
            return array.transpose(2, 3, 0, 1).reshape(-1, 1, *array.shape[:2])

        return to_keras, from_keras

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.kernel_initializer),
                "depthwise_regularizer": regularizers.serialize(self.kernel_regularizer),
                "depthwise_constraint": constraints.serialize(self.kernel_constraint)}


class _Pooling2D(Layer):
    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_data_format(type(self).__name__, data_format)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")
        self.padding = _check_padding(padding)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        _expect_4d(self, input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": list(self.pool_size),
                "strides": list(self.strides), "padding": self.padding}


class MaxPooling2D(_Pooling2D):
    """Max over ``pool_size`` windows of (N, H, W, C) images (``F.max_pool2d``)."""

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        x = _to_nchw(x)
        if self.padding == "same":
            x = _pad_same(x, self.pool_size, self.strides, value=float("-inf"))
        return _to_nhwc(F.max_pool2d(x, self.pool_size, self.strides))


class AveragePooling2D(_Pooling2D):
    """Mean over ``pool_size`` windows of (N, H, W, C) images (``F.avg_pool2d``)."""

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        x = _to_nchw(x)
        if self.padding == "same":
            # Keras averages over the real pixels only: divide by the window's coverage.
            ones = Tensor._wrap(x._data[:1, :1] * 0 + 1)
            pooled = F.avg_pool2d(_pad_same(x, self.pool_size, self.strides), self.pool_size,
                                  self.strides)
            coverage = F.avg_pool2d(_pad_same(ones, self.pool_size, self.strides),
                                    self.pool_size, self.strides)
            return _to_nhwc(pooled / coverage)
        return _to_nhwc(F.avg_pool2d(x, self.pool_size, self.strides))


class GlobalAveragePooling2D(Layer):
    """(N, H, W, C) -> (N, C), the mean over all positions."""

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_data_format(type(self).__name__, data_format)
        self.keepdims = keepdims

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return x.mean(dim=(1, 2), keepdim=self.keepdims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keepdims": self.keepdims}


class GlobalMaxPooling2D(GlobalAveragePooling2D):
    """(N, H, W, C) -> (N, C), the max over all positions."""

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return x.amax(dim=(1, 2), keepdim=self.keepdims)


MaxPool2D, AvgPool2D = MaxPooling2D, AveragePooling2D
GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
