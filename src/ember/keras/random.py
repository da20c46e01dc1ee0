"""``ember.keras.random``: Keras 3's random namespace (``keras.random.normal(shape, seed=...)``).

A ``seed`` may be None (ember's global generator, seeded by ``ember.manual_seed`` or
``keras.utils.set_random_seed``), an int (the same draw every time, as Keras's stateless seeds)
or a ``SeedGenerator`` (a stream that advances with each draw). The numbers are NumPy's, not
TensorFlow's or JAX's: the same seed gives reproducible draws in ember, not Keras's own values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ember import random as _random
from ember.dtypes import to_numpy_dtype
from ember.tensor import Tensor


class SeedGenerator:
    """A seeded random stream: each draw that takes it advances it."""

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        unknown = set(kwargs) - {"name"}
        if unknown:
            raise TypeError(f"SeedGenerator() got unexpected keyword arguments {sorted(unknown)}")
        self.seed = seed
        self._rng = np.random.default_rng(seed)

    def next(self, ordered: bool = True) -> np.random.Generator:
        return self._rng


def _rng(seed: Any) -> np.random.Generator:
    if seed is None:
        return _random.rng()
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)):
        return np.random.default_rng(int(seed))
    raise ValueError(f"seed must be None, an int or a keras.random.SeedGenerator, got "
                     f"{type(seed).__name__}")


def _float(dtype: Any) -> np.dtype:
    return np.dtype(np.float32) if dtype is None else to_numpy_dtype(dtype)


def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> Tensor:
    values = _rng(seed).normal(mean, stddev, size=_shape(shape))
    return Tensor._wrap(values.astype(_float(dtype)))


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> Tensor:
    values = _rng(seed).uniform(minval, maxval, size=_shape(shape))
    return Tensor._wrap(values.astype(_float(dtype)))


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> Tensor:
    values = _rng(seed).integers(minval, maxval, size=_shape(shape))
    return Tensor._wrap(values.astype(to_numpy_dtype(dtype)))


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> Tensor:
    """Normal samples redrawn until within two standard deviations of the mean."""
    stream = _rng(seed)
    values = stream.normal(mean, stddev, size=_shape(shape))
    outside = np.abs(values - mean) > 2 * stddev
    while outside.any():
        values[outside] = stream.normal(mean, stddev, size=int(outside.sum()))
        outside = np.abs(values - mean) > 2 * stddev
    return Tensor._wrap(values.astype(_float(dtype)))


def dropout(inputs: Any, rate: float, noise_shape: Sequence[int] | None = None,
            seed: Any = None) -> Tensor:
    """Zero each element with probability ``rate`` and scale the rest by ``1 / (1 - rate)``
    (differentiable in ``inputs``); ``noise_shape`` broadcasts one mask."""
    x = inputs if isinstance(inputs, Tensor) else Tensor(inputs)
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")
    shape = tuple(x.shape) if noise_shape is None else tuple(
        x.shape[i] if n is None else n for i, n in enumerate(noise_shape))
    keep = _rng(seed).random(size=shape) >= rate
    scale = Tensor._wrap((keep / (1 - rate)).astype(x._data.dtype))
    return x * scale


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Tensor:
    """``x`` with its slices along ``axis`` in a random order."""
    from ember.ops import index_select

    t = x if isinstance(x, Tensor) else Tensor(x)
    order = _rng(seed).permutation(t.shape[axis])
    return index_select(t, axis, Tensor._wrap(order.astype(np.int64)))


def categorical(logits: Any, num_samples: int, dtype: Any = "int32",
                seed: Any = None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (batch, classes), with replacement."""
    data = np.asarray(logits._data if isinstance(logits, Tensor) else logits, dtype=np.float64)
    probabilities = np.exp(data - data.max(axis=-1, keepdims=True))
    probabilities /= probabilities.sum(axis=-1, keepdims=True)
    cumulative = np.cumsum(probabilities, axis=-1)
    draws = _rng(seed).random(size=(data.shape[0], num_samples))
    picks = (draws[:, :, None] >= cumulative[:, None, :]).sum(axis=-1)
    return Tensor._wrap(np.minimum(picks, data.shape[-1] - 1).astype(to_numpy_dtype(dtype)))


__all__ = ["SeedGenerator", "categorical", "dropout", "normal", "randint", "shuffle",
           "truncated_normal", "uniform"]
