"""Core Keras layers: Dense, Activation, Flatten, Reshape, Dropout, Rescaling, ..."""

from __future__ import annotations

from typing import Any

import numpy as np

import ember.nn.functional as F
from ember import nn, ops
from ember import random as ember_random
from ember.keras import activations, constraints, initializers, regularizers
from ember.keras.layers.base import KerasWeight, Layer, as_shape, initialize, weight_penalties
from ember.tensor import Tensor


def _transpose(array: Any) -> Any:
    return array.T


def _require_built(layer: Layer, module: Any) -> None:
    if module is None:
        raise AttributeError(f"layer {layer.name!r} isn't built yet, so it has no weights; call "
                             "it on data or build() it first")


class InputLayer(Layer):
    """The model's entry point: declares the input shape and passes values through."""

    supports_masking = True

    def __init__(self, shape: Any = None, batch_size: int | None = None, name: str | None = None,
                 input_shape: Any = None, **kwargs: Any) -> None:
        shape = input_shape if shape is None else shape
        super().__init__(name=name, input_shape=shape, **kwargs)
        self.batch_size = batch_size  # the batch dimension the model declares (None: any)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return x

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "shape": list(self.declared_input_shape or ()),
                "batch_size": self.batch_size}


class Dense(Layer):
    """A fully connected layer, ``activation(x @ kernel + bias)``, over an ``nn.Linear``.

    >>> layer = keras.layers.Dense(10, activation="softmax")
    """

    supports_masking = True

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"Dense: units must be a positive integer, got {units}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.linear: nn.Linear | None = None

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        in_features = input_shape[-1]
        if in_features is None:
            raise ValueError(f"Dense layer {self.name!r} needs a known last input dim, got "
                             f"{input_shape}")
        self.linear = nn.Linear(in_features, self.units, bias=self.use_bias)
        # Keras's kernel is (in, units); nn.Linear keeps (units, in).
        initialize(self.linear.weight, self.kernel_initializer, (in_features, self.units),
                   lambda a: a.T)
        self.kernel.constraint = self.kernel_constraint
        if self.use_bias:
            initialize(self.linear.bias, self.bias_initializer, (self.units,))
            self.bias.constraint = self.bias_constraint

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return self.activation(self.linear(x))

    @property
    def kernel(self) -> KerasWeight:
        """The (in, units) kernel, as Keras shows it (``nn.Linear`` keeps its transpose)."""
        _require_built(self, self.linear)
        return KerasWeight("kernel", self.linear.weight, _transpose, _transpose)

    @property
    def bias(self) -> KerasWeight | None:
        _require_built(self, self.linear)
        return KerasWeight("bias", self.linear.bias) if self.use_bias else None

    def keras_weights(self) -> list[KerasWeight]:
        if self.linear is None:
            return []
        return [self.kernel] + ([self.bias] if self.use_bias else [])

    def regularization_losses(self) -> list[Tensor]:
        return weight_penalties(self, self.linear)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class Activation(Layer):
    """Applies an activation function by name (``Activation('relu')``)."""

    supports_masking = True

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return self.activation(x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class ReLU(Layer):

    supports_masking = True
    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        if self.negative_slope or self.threshold:
            out = ops.where(x >= self.threshold, x, (x - self.threshold) * self.negative_slope)
        else:
            out = F.relu(x)
        return out if self.max_value is None else ops.clamp(out, max=self.max_value)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):

    supports_masking = True
    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = negative_slope

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class Softmax(Layer):

    supports_masking = True
    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return activations.softmax(x, self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...)."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format == "channels_first":
            raise NotImplementedError("Flatten: data_format='channels_first' is not supported "
                                      "(ember.keras images are channels last)")

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return x.reshape(x.shape[0], -1)


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (one dim may be -1)."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = as_shape(target_shape)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return x.reshape((x.shape[0],) + tuple(self.target_shape))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Dropout(Layer):
    """Zero a fraction ``rate`` of the inputs while training and scale the rest by
    ``1 / (1 - rate)``. ``noise_shape`` shares one draw along its size-1 axes (None takes the
    input's size); ``seed`` gives the layer its own random stream (else ember's, seeded by
    ``keras.utils.set_random_seed``)."""

    supports_masking = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(
            None if s is None else int(s) for s in noise_shape)
        self.seed = seed
        self.generator = None if seed is None else ember_random.Generator(int(seed))

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.rate == 0.0:
            return x
        shape = tuple(x.shape)
        if self.noise_shape is not None:
            if len(self.noise_shape) != x.ndim:
                raise ValueError(f"Dropout layer {self.name!r}: noise_shape {self.noise_shape} "
                                 f"doesn't match the input's rank ({tuple(x.shape)})")
            shape = tuple(size if s is None else s for s, size in zip(self.noise_shape, shape))
        keep = ember_random.rng(self.generator).random(shape, dtype=np.float32) >= self.rate
        scale = keep * np.asarray(1.0 / (1.0 - self.rate), dtype=x._data.dtype)
        return x * Tensor._wrap(scale)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class Rescaling(Layer):
    """``x * scale + offset``, e.g. ``Rescaling(1 / 255)`` for pixels."""

    supports_masking = True

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        x = x if x.is_floating_point() else x.float()
        return x * self.scale + self.offset if self.offset else x * self.scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
