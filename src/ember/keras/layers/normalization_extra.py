"""Keras's ``LayerNormalization`` and ``GroupNormalization`` (channels last), over
``nn.LayerNorm`` and ``F.group_norm``."""

from __future__ import annotations

from typing import Any

from ember import nn, ops
from ember.keras import initializers
from ember.keras.layers.base import KerasWeight, Layer, initialize
from ember.nn.functional import normalization_extra as NF
from ember.tensor import Tensor


class LayerNormalization(Layer):
    """Normalise each sample over its last axis (Keras's ``axis=-1``), ``epsilon=1e-3``."""

    supports_masking = True

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, rms_scaling: bool = False, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis not in (-1, [-1], (-1,)):
            raise NotImplementedError(f"LayerNormalization: axis={axis!r} is not supported "
                                      f"(the last axis, -1)")
        if rms_scaling:
            raise NotImplementedError("LayerNormalization: rms_scaling=True is not supported")
        self.axis, self.epsilon, self.center, self.scale = -1, float(epsilon), center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.norm: nn.LayerNorm | None = None

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        features = int(input_shape[-1])
        self.norm = nn.LayerNorm(features, eps=self.epsilon, elementwise_affine=True,
                                 bias=self.center)
        initialize(self.norm.weight, self.gamma_initializer, (features,))
        if self.center:
            initialize(self.norm.bias, self.beta_initializer, (features,))

    def fixed_parameters(self) -> list[Tensor]:
        fixed = super().fixed_parameters()
        if self.norm is not None and not self.scale:
            fixed.append(self.norm.weight)  # gamma stays 1, as Keras has none
        return fixed

    def keras_weights(self) -> list[KerasWeight]:
        if self.norm is None:
            return []
        found = [KerasWeight("gamma", self.norm.weight)] if self.scale else []
        return found + ([KerasWeight("beta", self.norm.bias)] if self.center else [])

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return self.norm(x)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer)}


class GroupNormalization(Layer):
    """Normalise each sample's channels (last axis) in ``groups`` groups, ``epsilon=1e-3``."""

    supports_masking = True

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis != -1:
            raise NotImplementedError("GroupNormalization: only axis=-1 (channels last)")
        self.groups, self.axis, self.epsilon = int(groups), -1, float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.norm: nn.GroupNorm | None = None

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        channels = int(input_shape[-1])
        if channels % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number "
                             f"of channels ({channels}).")
        self.norm = nn.GroupNorm(self.groups, channels, eps=self.epsilon, affine=True)
        initialize(self.norm.weight, self.gamma_initializer, (channels,))
        initialize(self.norm.bias, self.beta_initializer, (channels,))

    def fixed_parameters(self) -> list[Tensor]:
        fixed = super().fixed_parameters()
        if self.norm is not None:
            fixed += ([] if self.scale else [self.norm.weight]) + \
                ([] if self.center else [self.norm.bias])
        return fixed

    def keras_weights(self) -> list[KerasWeight]:
        if self.norm is None:
            return []
        found = [KerasWeight("gamma", self.norm.weight)] if self.scale else []
        return found + ([KerasWeight("beta", self.norm.bias)] if self.center else [])

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        channels_first = ops.movedim(x, -1, 1) if x.ndim > 2 else x
        out = NF.group_norm(channels_first, self.groups, self.norm.weight, self.norm.bias,
                            self.epsilon)
        return ops.movedim(out, 1, -1) if x.ndim > 2 else out

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer)}
