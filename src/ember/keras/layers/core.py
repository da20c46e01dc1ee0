"""Core Keras layers: Dense, Activation, Flatten, Reshape, Dropout, Rescaling, ..."""

from __future__ import annotations

from typing import Any

import ember.nn.functional as F
from ember import nn, ops
from ember.keras import activations, initializers, regularizers
from ember.keras.layers.base import KerasWeight, Layer, as_shape, initialize, weight_penalties
from ember.tensor import Tensor


class InputLayer(Layer):
    """The model's entry point: declares the input shape and passes values through."""

    def __init__(self, shape: Any = None, batch_size: int | None = None, name: str | None = None,
                 input_shape: Any = None, **kwargs: Any) -> None:
        shape = input_shape if shape is None else shape
        super().__init__(name=name, input_shape=shape, **kwargs)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return x

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "shape": list(self.declared_input_shape or ())}


class Dense(Layer):
    """A fully connected layer, ``activation(x @ kernel + bias)``, over an ``nn.Linear``.

    >>> layer = keras.layers.Dense(10, activation="softmax")
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
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
        if self.use_bias:
            initialize(self.linear.bias, self.bias_initializer, (self.units,))

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return self.activation(self.linear(x))

    def call_logits(self, x: Tensor) -> Tensor:
        """The output before the activation (for losses fused with softmax or sigmoid)."""
        return self.linear(x)

    def keras_weights(self) -> list[KerasWeight]:
        if self.linear is None:
            return []
        weights = [KerasWeight("kernel", self.linear.weight, lambda a: a.T, lambda a: a.T)]
        if self.use_bias:
            weights.append(KerasWeight("bias", self.linear.bias))
        return weights

    def regularization_losses(self) -> list[Tensor]:
        return weight_penalties(self, self.linear)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)}


class Activation(Layer):
    """Applies an activation function by name (``Activation('relu')``)."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return self.activation(x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class ReLU(Layer):
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
    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return F.softmax(x, self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...)."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)

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
    """Zero a fraction ``rate`` of the inputs while training (``F.dropout``)."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate}")
        self.rate = float(rate)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return F.dropout(x, self.rate, training=bool(training))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate}


class Rescaling(Layer):
    """``x * scale + offset``, e.g. ``Rescaling(1 / 255)`` for pixels."""

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        x = x if x.is_floating_point() else x.float()
        return x * self.scale + self.offset if self.offset else x * self.scale

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
