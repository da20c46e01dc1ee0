"""Keras's shape and noise layers: ``UpSampling2D``, ``ZeroPadding2D``, ``Cropping2D``,
``RepeatVector``, ``Permute``, ``Lambda``, ``Masking``, ``SpatialDropout2D``, ``GaussianNoise``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember import ops
from ember import random as ember_random
from ember.keras.layers.base import Layer
from ember.nn.functional.resample import interpolate
from ember.nn.modules.activation_extra import feature_dropout
from ember.tensor import Tensor


def _as_pair(v: Any) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _two_sided(value: Any, name: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """Keras's 1, (1, 2) or ((top, bottom), (left, right))."""
    if isinstance(value, int):
        return (value, value), (value, value)
    first, second = value
    as_pair = _as_pair
    if not all(isinstance(v, (int, tuple, list)) for v in (first, second)):
        raise ValueError(f"{name}: expected an int, 2 ints or 2 pairs, got {value!r}")
    return as_pair(first), as_pair(second)


class UpSampling2D(Layer):
    """Repeat (nearest) or interpolate (bilinear) rows and columns of (N, H, W, C)."""

    def __init__(self, size: Any = (2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format == "channels_first":
            raise NotImplementedError("UpSampling2D: data_format='channels_first'")
        if interpolation not in ("nearest", "bilinear", "bicubic"):
            raise NotImplementedError(f"UpSampling2D: interpolation={interpolation!r}")
        self.size = (size, size) if isinstance(size, int) else tuple(int(s) for s in size)
        self.interpolation = interpolation

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        out = interpolate(ops.permute(x, 0, 3, 1, 2), scale_factor=self.size,
                          mode=self.interpolation)
        return ops.permute(out, 0, 2, 3, 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": list(self.size),
                "interpolation": self.interpolation}


class ZeroPadding2D(Layer):
    """Zeros around (N, H, W, C): ``padding`` int, (rows, cols) or ((top, bottom), (l, r))."""

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.padding = _two_sided(padding, "ZeroPadding2D")

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        (top, bottom), (left, right) = self.padding
        return ops.pad(x, (0, 0, left, right, top, bottom))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": [list(p) for p in self.padding]}


class Cropping2D(Layer):
    """Cut rows and columns off (N, H, W, C): ``cropping`` like ZeroPadding2D's padding."""

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cropping = _two_sided(cropping, "Cropping2D")

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        (top, bottom), (left, right) = self.cropping
        return x[:, top:x.shape[1] - bottom, left:x.shape[2] - right]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": [list(p) for p in self.cropping]}


class RepeatVector(Layer):
    """(N, F) -> (N, n, F)."""

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = int(n)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return ops.expand(ops.unsqueeze(x, 1), x.shape[0], self.n, x.shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}


class Permute(Layer):
    """Reorder the non-batch axes: ``dims`` counts them from 1."""

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of "
                             f"indices in `dims` must be consecutive and start from 1. Received: "
                             f"dims={dims}")

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return ops.permute(x, 0, *self.dims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": list(self.dims)}


class Lambda(Layer):
    """Wrap a function of the input as a layer. A saved model holds only its name: loading
    never runs stored code, so a model with a Lambda cannot be loaded from a file."""

    def __init__(self, function: Callable[[Tensor], Tensor], output_shape: Any = None,
                 mask: Any = None, arguments: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {function!r}")
        self.function, self.arguments = function, dict(arguments or {})

    def call(self, x: Any, training: bool | None = None) -> Any:
        return self.function(x, **self.arguments)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "function": getattr(self.function, "__name__", "?")}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Lambda:
        raise NotImplementedError(f"Lambda layer {config.get('name')!r}: its function "
                                  f"{config.get('function')!r} is code, which loading never "
                                  f"runs; rebuild the model in Python and load its weights")


class Masking(Layer):
    """Mark steps whose features all equal ``mask_value`` as padding (zeroed, and masked for
    the layers after)."""

    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def _keep(self, x: Tensor) -> np.ndarray:
        return np.any(x._data != self.mask_value, axis=-1)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        return x * Tensor._wrap(self._keep(x)[..., None].astype(x._data.dtype))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return Tensor._wrap(self._keep(inputs))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}


class SpatialDropout2D(Layer):
    """Drop whole feature maps of (N, H, W, C) while training."""

    def __init__(self, rate: float, data_format: str | None = None, seed: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = float(rate)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        out = feature_dropout(ops.permute(x, 0, 3, 1, 2), self.rate, bool(training), 2,
                              "SpatialDropout2D")
        return ops.permute(out, 0, 2, 3, 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate}


class GaussianNoise(Layer):
    """Add N(0, stddev^2) noise while training (a regulariser); identity otherwise."""

    supports_masking = True

    def __init__(self, stddev: float, seed: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev = float(stddev)

    def call(self, x: Tensor, training: bool | None = None) -> Tensor:
        if not training or self.stddev == 0:
            return x
        noise = ember_random.normal_array(tuple(x.shape), 0.0, self.stddev, x._data.dtype)
        return x + Tensor._wrap(noise)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev}
