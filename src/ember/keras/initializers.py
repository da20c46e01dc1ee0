"""Keras weight initializers: each returns a float32 array of a Keras-layout shape.

Shapes are Keras's: a Dense kernel is (in, units), a Conv2D kernel (kh, kw, in, filters); the
fans are computed from them as Keras does. Randomness comes from ember's seeded generator.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ember import random as ember_random
from ember.keras._registry import Registry

_INITIALIZERS = Registry("initializer")


def compute_fans(shape: tuple[int, ...]) -> tuple[float, float]:
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


def _truncated_normal(shape: tuple[int, ...], mean: float, stddev: float) -> np.ndarray:
    """Normal samples redrawn until within two standard deviations (Keras's truncation)."""
    bounds = (mean - 2 * abs(stddev), mean + 2 * abs(stddev))
    return ember_random.truncated_normal_array(shape, mean, stddev, *bounds).astype(np.float32)


class Initializer:
    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)


@_INITIALIZERS.register("zeros", "zero")
class Zeros(Initializer):
    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return np.zeros(shape, dtype=np.float32)


@_INITIALIZERS.register("ones", "one")
class Ones(Initializer):
    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return np.ones(shape, dtype=np.float32)


@_INITIALIZERS.register("constant")
class Constant(Initializer):
    def __init__(self, value: float = 0.0) -> None:
        self.value = float(value)

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return np.full(shape, self.value, dtype=np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


@_INITIALIZERS.register("random_normal")
class RandomNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return ember_random.normal_array(shape, self.mean, self.stddev)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev}


@_INITIALIZERS.register("random_uniform")
class RandomUniform(Initializer):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
                 ) -> None:
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return ember_random.uniform_array(shape, self.minval, self.maxval)

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval}


@_INITIALIZERS.register("truncated_normal")
class TruncatedNormal(Initializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        return _truncated_normal(shape, self.mean, self.stddev)

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev}


class VarianceScaling(Initializer):
    """Samples with variance ``scale / fan``, the family behind Glorot, He and LeCun."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None) -> None:
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        fan_in, fan_out = compute_fans(tuple(shape))
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return ember_random.uniform_array(shape, -limit, limit)
        if self.distribution == "untruncated_normal":
            return ember_random.normal_array(shape, 0.0, math.sqrt(variance))
        # 0.8796... is the std of a unit normal truncated to [-2, 2].
        return _truncated_normal(shape, 0.0, math.sqrt(variance) / 0.87962566103423978)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}


def _scaling(name: str, scale: float, mode: str, distribution: str) -> type[VarianceScaling]:
    def __init__(self: VarianceScaling, seed: int | None = None) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution)

    cls = type(name, (VarianceScaling,), {"__init__": __init__,
                                          "get_config": lambda self: {}})
    return cls


GlorotUniform = _INITIALIZERS.register("glorot_uniform")(
    _scaling("GlorotUniform", 1.0, "fan_avg", "uniform"))
GlorotNormal = _INITIALIZERS.register("glorot_normal")(
    _scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal"))
HeUniform = _INITIALIZERS.register("he_uniform")(_scaling("HeUniform", 2.0, "fan_in", "uniform"))
HeNormal = _INITIALIZERS.register("he_normal")(
    _scaling("HeNormal", 2.0, "fan_in", "truncated_normal"))
LecunUniform = _INITIALIZERS.register("lecun_uniform")(
    _scaling("LecunUniform", 1.0, "fan_in", "uniform"))
LecunNormal = _INITIALIZERS.register("lecun_normal")(
    _scaling("LecunNormal", 1.0, "fan_in", "truncated_normal"))
_INITIALIZERS.register("variance_scaling")(VarianceScaling)


@_INITIALIZERS.register("orthogonal")
class Orthogonal(Initializer):
    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain = gain

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        flat = ember_random.rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(flat)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


@_INITIALIZERS.register("identity")
class Identity(Initializer):
    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape, got {shape}")
        return (self.gain * np.eye(*shape)).astype(np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


def get(identifier: Any) -> Initializer:
    """An initializer from a name, a config dict, an instance or a class."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        return _INITIALIZERS.lookup(identifier)()
    if isinstance(identifier, dict):
        cls = _INITIALIZERS.lookup(identifier["class_name"])
        return cls.from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    raise TypeError(f"initializer must be a name or an Initializer, got {identifier!r}")


def serialize(initializer: Initializer) -> dict[str, Any]:
    for name, cls in _INITIALIZERS.entries.items():
        if type(initializer) is cls:
            return {"class_name": name, "config": initializer.get_config()}
    raise ValueError(f"initializer {initializer!r} is not a built-in one and can't be saved")
