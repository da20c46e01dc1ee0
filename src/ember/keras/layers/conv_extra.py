"""Keras's 1-D/3-D and transposed convolutions and 1-D pooling (channels last), over
``ember.nn``'s ``Conv1d``, ``Conv3d``, ``ConvTranspose2d`` and ``F.max_pool1d``/``avg_pool1d``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import nn, ops
from ember.keras import activations, initializers, regularizers
from ember.keras.layers.base import KerasWeight, Layer, initialize, weight_penalties
from ember.keras.layers.conv import _check_data_format, _check_padding, _same_padding
from ember.nn.functional import pooling_nd
from ember.tensor import Tensor


def _ints(value: Any, n: int, name: str) -> tuple[int, ...]:
    values = (value,) * n if isinstance(value, int) else tuple(value)
    if len(values) != n or any(int(v) <= 0 for v in values):
        raise ValueError(f"{name} must be a positive int or {n} of them, got {value!r}")
    return tuple(int(v) for v in values)


class _ConvND(Layer):
    """A channels-last convolution over an ``nn`` convolution: ``_spatial`` dims, Keras's
    kernel layout (spatial..., in, out) and 'same' padding."""

    _spatial = 1
    _transposed = False

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 output_padding: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_data_format(type(self).__name__, data_format)
        n = self._spatial
        self.filters = int(filters)
        self.kernel_size = _ints(kernel_size, n, "kernel_size")
        self.strides = _ints(strides, n, "strides")
        self.dilation_rate = _ints(dilation_rate, n, "dilation_rate")
        causal = padding == "causal" and n == 1 and not self._transposed
        self.padding = "causal" if causal else _check_padding(padding)
        if output_padding is not None:
            raise NotImplementedError(f"{type(self).__name__}: output_padding is not supported")
        self.groups = int(groups)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.conv: nn.Module | None = None

    def _layout(self) -> tuple[Any, Any]:
        # nn (out, in, *k) <-> Keras (*k, in, out); transposed: nn (in, out, *k) <-> (*k, out, in)
        order = tuple(range(2, 2 + self._spatial)) + (1, 0)
        back = tuple(int(i) for i in np.argsort(order))
        return (lambda a: a.transpose(order)), (lambda a: a.transpose(back))

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) != self._spatial + 2 or input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} expects input "
                             f"(None, {', '.join(['size'] * self._spatial)}, channels), got "
                             f"{input_shape}")
        channels = int(input_shape[-1])
        if self._transposed:
            self.conv = nn.ConvTranspose2d(channels, self.filters, self.kernel_size,
                                           self.strides, dilation=self.dilation_rate,
                                           bias=self.use_bias)
        else:
            kind = nn.Conv1d if self._spatial == 1 else nn.Conv3d
            self.conv = kind(channels, self.filters, self.kernel_size, self.strides,
                             dilation=self.dilation_rate, groups=self.groups, bias=self.use_bias)
        kernel = self.kernel
        initialize(self.conv.weight, self.kernel_initializer, kernel.shape, kernel.from_keras)
        if self.use_bias:
            initialize(self.conv.bias, self.bias_initializer, (self.filters,))

    @property
    def kernel(self) -> KerasWeight:
        to_keras, from_keras = self._layout()
        return KerasWeight("kernel", self.conv.weight, to_keras, from_keras)

    def keras_weights(self) -> list[KerasWeight]:
        if self.conv is None:
            return []
        return [self.kernel] + ([KerasWeight("bias", self.conv.bias)] if self.use_bias else [])

    def regularization_losses(self) -> list[Tensor]:
        return weight_penalties(self, self.conv)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        n = self._spatial
        x = ops.movedim(x, -1, 1)
        if self._transposed:
            out = self._transposed_call(x)
        else:
            if self.padding != "valid":
                pads: list[int] = []
                for axis in reversed(range(n)):
                    dk = self.dilation_rate[axis] * (self.kernel_size[axis] - 1)
                    if self.padding == "causal":
                        pads += [dk, 0]
                    else:
                        pads += list(_same_padding(x.shape[2 + axis], self.kernel_size[axis],
                                                   self.strides[axis],
                                                   self.dilation_rate[axis]))
                x = ops.pad(x, pads)
            out = self.conv(x)
        return self.activation(ops.movedim(out, 1, -1))

    def _transposed_call(self, x: Tensor) -> Tensor:
        """Keras's output size: H * stride for 'same', H * stride + max(k - stride, 0) for
        'valid'; the full transposed convolution is cropped (or zero-extended) to it."""
        full = self.conv(x)
        pads: list[int] = []
        for axis in reversed(range(2)):
            size, stride = x.shape[2 + axis], self.strides[axis]
            dk = self.dilation_rate[axis] * (self.kernel_size[axis] - 1) + 1
            have = full.shape[2 + axis]
            want = size * stride if self.padding == "same" else size * stride + max(dk - stride,
                                                                                       0)
            extra = have - want
            if extra >= 0 and self.padding == "same":
                pads += [-(extra // 2), -(extra - extra // 2)]
            else:
                pads += [0, -extra]
        return ops.pad(full, pads) if any(pads) else full

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "filters": self.filters,
                  "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                  "padding": self.padding, "dilation_rate": list(self.dilation_rate),
                  "activation": activations.serialize(self.activation),
                  "use_bias": self.use_bias,
                  "kernel_initializer": initializers.serialize(self.kernel_initializer),
                  "bias_initializer": initializers.serialize(self.bias_initializer),
                  "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                  "bias_regularizer": regularizers.serialize(self.bias_regularizer)}
        if not self._transposed:
            config["groups"] = self.groups
        return config


class Conv1D(_ConvND):
    """1-D convolution over (N, steps, channels); padding 'valid', 'same' or 'causal'."""

    _spatial = 1


class Conv3D(_ConvND):
    """3-D convolution over (N, depth, height, width, channels)."""

    _spatial = 3


class Conv2DTranspose(_ConvND):
    """Transposed 2-D convolution over (N, H, W, channels); kernel (kh, kw, filters, in)."""

    _spatial = 2
    _transposed = True

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", **kwargs: Any) -> None:
        if kwargs.get("groups", 1) != 1:
            raise NotImplementedError("Conv2DTranspose: groups is not supported")
        super().__init__(filters, kernel_size, strides, padding, **kwargs)


class _Pool1D(Layer):
    _max = True

    def __init__(self, pool_size: int = 2, strides: int | None = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_data_format(type(self).__name__, data_format)
        self.pool_size = int(pool_size if isinstance(pool_size, int) else pool_size[0])
        self.strides = int(strides if isinstance(strides, int) else
                           (strides[0] if strides is not None else self.pool_size))
        self.padding = _check_padding(padding)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        x = ops.transpose(x, 1, 2)  # (N, C, T)
        if self.padding == "same":
            before, after = _same_padding(x.shape[2], self.pool_size, self.strides)
            if self._max:
                x = ops.pad(x, (before, after), value=-np.inf)
                out = pooling_nd.max_pool1d(x, self.pool_size, self.strides)
            else:  # the mean of the window's real steps only, as Keras
                ones = Tensor._wrap(np.ones((1, 1, x.shape[2]), dtype=x._data.dtype))
                total = pooling_nd.avg_pool1d(ops.pad(x, (before, after)), self.pool_size,
                                              self.strides)
                count = pooling_nd.avg_pool1d(ops.pad(ones, (before, after)), self.pool_size,
                                              self.strides)
                out = total / count
        elif self._max:
            out = pooling_nd.max_pool1d(x, self.pool_size, self.strides)
        else:
            out = pooling_nd.avg_pool1d(x, self.pool_size, self.strides)
        return ops.transpose(out, 1, 2)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding}


class MaxPooling1D(_Pool1D):
    """Max over windows of (N, steps, channels)."""


class AveragePooling1D(_Pool1D):
    """Mean over windows of (N, steps, channels)."""

    _max = False


class _GlobalPool1D(Layer):
    supports_masking = True
    _max = True

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_data_format(type(self).__name__, data_format)
        self.keepdims = keepdims

    def call(self, x: Tensor, mask: Any = None, training: bool | None = None) -> Tensor:
        if mask is None:
            out = ops.amax(x, dim=1, keepdim=True) if self._max else ops.mean(x, dim=1,
                                                                               keepdim=True)
        else:
            valid = np.asarray(mask._data if isinstance(mask, Tensor) else mask, dtype=bool)
            weights = Tensor._wrap(valid[:, :, None].astype(x._data.dtype))
            if self._max:
                out = ops.amax(ops.where(weights > 0, x, -np.inf), dim=1, keepdim=True)
            else:
                out = ops.sum(x * weights, dim=1, keepdim=True) / ops.sum(weights, dim=1,
                                                                           keepdim=True)
        return out if self.keepdims else ops.squeeze(out, 1)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keepdims": self.keepdims}


class GlobalMaxPooling1D(_GlobalPool1D):
    """Max over the steps of (N, steps, channels) (masked steps left out)."""


class GlobalAveragePooling1D(_GlobalPool1D):
    """Mean over the steps of (N, steps, channels) (masked steps left out)."""

    _max = False



class SeparableConv2D(Layer):
    """A depthwise convolution (``depth_multiplier`` filters per channel, no bias) then a 1x1
    pointwise convolution to ``filters`` channels with bias; Keras's weights
    ``depthwise_kernel`` (kh, kw, C, m), ``pointwise_kernel`` (1, 1, C*m, filters), ``bias``."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), depth_multiplier: int = 1, activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 **kwargs: Any) -> None:
        from ember.keras.layers.conv import DepthwiseConv2D

        super().__init__(**kwargs)
        self.filters, self.use_bias = int(filters), use_bias
        self.activation = activations.get(activation)
        self.depthwise = DepthwiseConv2D(kernel_size, strides, padding, depth_multiplier,
                                         data_format, dilation_rate, use_bias=False,
                                         depthwise_initializer=depthwise_initializer,
                                         name=self.name + "_depthwise")
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.pointwise: nn.Conv2d | None = None

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.depthwise.ensure_built(input_shape)
        middle = int(input_shape[-1]) * self.depthwise.depth_multiplier
        self.pointwise = nn.Conv2d(middle, self.filters, 1, bias=self.use_bias)
        kernel = self._pointwise_kernel()
        initialize(self.pointwise.weight, self.pointwise_initializer, kernel.shape,
                   kernel.from_keras)
        if self.use_bias:
            initialize(self.pointwise.bias, self.bias_initializer, (self.filters,))

    def _pointwise_kernel(self) -> KerasWeight:
        return KerasWeight("pointwise_kernel", self.pointwise.weight,
                           lambda a: a.transpose(2, 3, 1, 0), lambda a: a.transpose(3, 2, 0, 1))

    def keras_weights(self) -> list[KerasWeight]:
        if self.pointwise is None:
            return []
        depthwise = self.depthwise.kernel
        depthwise.name = "depthwise_kernel"
        found = [depthwise, self._pointwise_kernel()]
        return found + ([KerasWeight("bias", self.pointwise.bias)] if self.use_bias else [])

    def _keras_sublayers(self) -> list[Layer]:
        return [self]

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        spread = ops.movedim(self.depthwise(x, training=training), -1, 1)
        return self.activation(ops.movedim(self.pointwise(spread), 1, -1))

    def get_config(self) -> dict[str, Any]:
        depthwise = self.depthwise.get_config()
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": list(depthwise["kernel_size"]),
                "strides": list(depthwise["strides"]), "padding": depthwise["padding"],
                "dilation_rate": list(depthwise["dilation_rate"]),
                "depth_multiplier": depthwise["depth_multiplier"],
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "depthwise_initializer": depthwise["depthwise_initializer"],
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}
