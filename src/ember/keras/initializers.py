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


class Initializer:
    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)


def _check_dtype(dtype: Any) -> None:
    if dtype not in (None, "float32", np.float32):
        raise NotImplementedError(f"initializers: dtype={dtype!r} is not supported (float32)")


class RandomInitializer(Initializer):
    """A random initializer with Keras 3's seeding: an int ``seed``, or one drawn from ember's
    generator when the initializer is made, fixes its values, so calling the same initializer
    twice gives the same array (as Keras documents); ``keras.utils.set_random_seed`` makes the
    drawn seeds reproducible."""

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int,
                                                                                np.integer))):
            raise ValueError(f"{type(self).__name__}: seed must be an int or None, got {seed!r}")
        self.seed = seed
        self._seed = int(seed) if seed is not None else int(
            ember_random.rng().integers(1, 10**9))

    def generator(self) -> ember_random.Generator:
        return ember_random.Generator(self._seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


def _truncated_normal(shape: tuple[int, ...], mean: float, stddev: float,
                      generator: ember_random.Generator) -> np.ndarray:
    """Normal samples redrawn until within two standard deviations (Keras's truncation)."""
    bounds = (mean - 2 * abs(stddev), mean + 2 * abs(stddev))
    return ember_random.truncated_normal_array(shape, mean, stddev, *bounds,
                                               generator=generator).astype(np.float32)


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
class RandomNormal(RandomInitializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        _check_dtype(dtype)
        return ember_random.normal_array(shape, self.mean, self.stddev,
                                         generator=self.generator())

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


@_INITIALIZERS.register("random_uniform")
class RandomUniform(RandomInitializer):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None
                 ) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        _check_dtype(dtype)
        return ember_random.uniform_array(shape, self.minval, self.maxval,
                                          generator=self.generator())

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


@_INITIALIZERS.register("truncated_normal")
class TruncatedNormal(RandomInitializer):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        _check_dtype(dtype)
        return _truncated_normal(shape, self.mean, self.stddev, self.generator())

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Samples with variance ``scale / fan``, the family behind Glorot, He and LeCun."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None) -> None:
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: unknown distribution {distribution!r}")
        super().__init__(seed)
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        fan_in, fan_out = compute_fans(tuple(shape))
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        _check_dtype(dtype)
        generator = self.generator()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return ember_random.uniform_array(shape, -limit, limit, generator=generator)
        if self.distribution == "untruncated_normal":
            return ember_random.normal_array(shape, 0.0, math.sqrt(variance),
                                             generator=generator)
        # 0.8796... is the std of a unit normal truncated to [-2, 2].
        return _truncated_normal(shape, 0.0, math.sqrt(variance) / 0.87962566103423978,
                                 generator)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


def _scaling(name: str, scale: float, mode: str, distribution: str) -> type[VarianceScaling]:
    def __init__(self: VarianceScaling, seed: int | None = None) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    cls = type(name, (VarianceScaling,), {"__init__": __init__,
                                          "get_config": lambda self: {"seed": self.seed}})
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
class Orthogonal(RandomInitializer):
    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> np.ndarray:
        _check_dtype(dtype)
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        flat = ember_random.rng(self.generator()).standard_normal((max(rows, cols),
                                                                   min(rows, cols)))
        q, r = np.linalg.qr(flat)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(np.float32)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, **super().get_config()}


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
    return _INITIALIZERS.get(identifier, Initializer)


def serialize(initializer: Initializer) -> dict[str, Any]:
    return _INITIALIZERS.serialize(initializer)
