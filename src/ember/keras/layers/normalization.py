"""``BatchNormalization`` (over ``nn.BatchNorm1d/2d``) and ``Normalization`` (fixed statistics)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import nn
from ember.autograd.grad_mode import no_grad
from ember.keras import constraints, initializers, regularizers
from ember.keras.layers.base import KerasWeight, Layer, initialize, to_tensor
from ember.tensor import Tensor


class BatchNormalization(Layer):
    """Normalise each channel (the last axis) by batch statistics while training and by moving
    averages at inference. Keras's ``momentum=0.99`` is PyTorch's ``momentum=0.01``.
    """

    supports_masking = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, synchronized: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis not in (-1,):
            raise NotImplementedError("BatchNormalization: only axis=-1 (channels last) is "
                                      "supported")
        if synchronized:
            raise NotImplementedError("BatchNormalization: synchronized=True is not supported")
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.bn: nn.Module | None = None

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) not in (2, 3, 4):
            raise ValueError(f"BatchNormalization layer {self.name!r} expects 2-D, 3-D or 4-D "
                             f"input, got {input_shape}")
        channels = input_shape[-1]
        kind = nn.BatchNorm2d if len(input_shape) == 4 else nn.BatchNorm1d
        self.bn = kind(channels, eps=self.epsilon, momentum=1 - self.momentum, affine=True)
        initialize(self.bn.weight, self.gamma_initializer, (channels,))
        initialize(self.bn.bias, self.beta_initializer, (channels,))
        initialize(self.bn.running_mean, self.moving_mean_initializer, (channels,))
        initialize(self.bn.running_var, self.moving_variance_initializer, (channels,))
        KerasWeight("gamma", self.bn.weight).constraint = self.gamma_constraint
        KerasWeight("beta", self.bn.bias).constraint = self.beta_constraint

    def regularization_losses(self) -> list[Tensor]:
        if self.bn is None:
            return []
        return [reg(weight) for reg, weight, used in (
            (self.gamma_regularizer, self.bn.weight, self.scale),
            (self.beta_regularizer, self.bn.bias, self.center)) if reg is not None and used]

    def fixed_parameters(self) -> list[Tensor]:
        if self.bn is None:
            return []
        return [p for p, used in ((self.bn.weight, self.scale), (self.bn.bias, self.center))
                if not used]

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        self.bn.train(bool(training))
        if x.ndim == 4:
            return self.bn(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        if x.ndim == 3:
            return self.bn(x.permute(0, 2, 1)).permute(0, 2, 1)
        return self.bn(x)

    def keras_weights(self) -> list[KerasWeight]:
        if self.bn is None:
            return []
        weights = []
        if self.scale:
            weights.append(KerasWeight("gamma", self.bn.weight))
        if self.center:
            weights.append(KerasWeight("beta", self.bn.bias))
        weights.append(KerasWeight("moving_mean", self.bn.running_mean, trainable=False))
        weights.append(KerasWeight("moving_variance", self.bn.running_var, trainable=False))
        return weights

    def _weight(self, name: str) -> KerasWeight | None:
        if self.bn is None:
            raise AttributeError(f"layer {self.name!r} isn't built yet, so it has no {name}")
        return next((w for w in self.keras_weights() if w.name == name), None)

    # Keras's attribute names for the four weights (None for a left-out gamma or beta).
    gamma = property(lambda self: self._weight("gamma"))
    beta = property(lambda self: self._weight("beta"))
    moving_mean = property(lambda self: self._weight("moving_mean"))
    moving_variance = property(lambda self: self._weight("moving_variance"))

    def get_config(self) -> dict[str, Any]:
        serialize = initializers.serialize
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": serialize(self.beta_initializer),
                "gamma_initializer": serialize(self.gamma_initializer),
                "moving_mean_initializer": serialize(self.moving_mean_initializer),
                "moving_variance_initializer": serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}


class Normalization(Layer):
    """``(x - mean) / sqrt(variance)`` per feature, with statistics given or learnt by ``adapt``.

    >>> norm = keras.layers.Normalization()
    >>> norm.adapt(x_train)
    """

    def __init__(self, axis: int = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis != -1:
            raise NotImplementedError(f"Normalization: axis={axis!r} is not supported (only the "
                                      "last axis, -1)")
        self.axis, self.invert = axis, invert
        self.register_buffer("mean", None if mean is None else to_tensor(np.asarray(mean,
                                                                                     np.float32)))
        self.register_buffer("variance", None if variance is None else to_tensor(
            np.asarray(variance, np.float32)))

    def adapt(self, data: Any) -> None:
        """Learn per-feature mean and variance from ``data`` (an array or a tensor)."""
        array = np.asarray(data.numpy() if isinstance(data, Tensor) else data, dtype=np.float64)
        if array.ndim < 1 or array.shape[0] == 0:
            raise ValueError(f"Normalization.adapt: needs a non-empty batch of samples, got "
                             f"shape {array.shape}")
        feature_axis = self.axis % array.ndim
        axes = tuple(i for i in range(array.ndim) if i != feature_axis)
        with no_grad():
            self.mean = Tensor._wrap(array.mean(axis=axes).astype(np.float32))
            self.variance = Tensor._wrap(array.var(axis=axes).astype(np.float32))

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if self.mean is None:
            raise ValueError(f"Normalization layer {self.name!r} has no statistics: call "
                             "adapt(data) or pass mean= and variance= first")

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        std = (self.variance + 1e-7).sqrt()
        if self.invert:
            return x * std + self.mean
        return (x - self.mean) / std

    def keras_weights(self) -> list[KerasWeight]:
        if self.mean is None:
            return []
        return [KerasWeight("mean", self.mean, trainable=False),
                KerasWeight("variance", self.variance, trainable=False)]

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "axis": self.axis, "invert": self.invert}
        if self.mean is not None:
            config["mean"] = self.mean.numpy().tolist()
            config["variance"] = self.variance.numpy().tolist()
        return config
