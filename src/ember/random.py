"""ember's one source of randomness: ``manual_seed`` makes every random op reproducible."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ember.dtypes import DEFAULT_FLOAT


class Generator:
    """A seeded random stream (``ember.Generator().manual_seed(0)``), as PyTorch's.

    Its NumPy generator is made on first use: ``numpy.random`` (which loads ``secrets`` and
    ``hashlib``) costs a sixth of ``import ember``, and a program that never draws never pays it.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._seed = 0 if seed is None else int(seed)
        self._entropy = seed  # None: fresh OS entropy, drawn when ``rng`` is first used
        self._rng: np.random.Generator | None = None

    @property
    def rng(self) -> np.random.Generator:
        """The NumPy ``Generator`` every draw from this stream goes through."""
        if self._rng is None:
            self._rng = np.random.default_rng(self._entropy)
        return self._rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        self._rng = value

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._entropy = self._seed
        self._rng = None
        return self

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed ember's default generator: weights, dropout, shuffling and rand* all follow it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed from fresh entropy; returns the seed used."""
    new_seed = int(np.random.SeedSequence().entropy % (2**63))
    default_generator.manual_seed(new_seed)
    return new_seed


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)


def rng(generator: Generator | None = None) -> np.random.Generator:
    return (generator or default_generator).rng


def normal_array(shape: Sequence[int], mean: float = 0.0, std: float = 1.0,
                 dtype: np.dtype = DEFAULT_FLOAT, generator: Generator | None = None) -> np.ndarray:
    if np.dtype(dtype) == np.float64:
        return rng(generator).normal(mean, std, size=tuple(shape))
    return (rng(generator).standard_normal(size=tuple(shape), dtype=np.float32) * std
            + mean).astype(dtype, copy=False)


def truncated_normal_array(shape: Sequence[int], mean: float = 0.0, std: float = 1.0,
                           a: float = -2.0, b: float = 2.0,
                           generator: Generator | None = None) -> np.ndarray:
    """float64 samples of N(mean, std**2), each one outside ``[a, b]`` drawn again until it lies
    inside: the one truncated normal behind ``nn.init.trunc_normal_`` (bounds as given) and
    Keras's ``TruncatedNormal``/``VarianceScaling`` (bounds mean +- 2 std)."""
    stream = rng(generator)
    values = stream.normal(mean, std, size=tuple(shape))
    outside = (values < a) | (values > b)
    while outside.any():
        values[outside] = stream.normal(mean, std, size=int(outside.sum()))
        outside = (values < a) | (values > b)
    return values


def uniform_array(shape: Sequence[int], low: float = 0.0, high: float = 1.0,
                  dtype: np.dtype = DEFAULT_FLOAT,
                  generator: Generator | None = None) -> np.ndarray:
    if np.dtype(dtype) == np.float64:
        return rng(generator).uniform(low, high, size=tuple(shape))
    return (rng(generator).random(size=tuple(shape), dtype=np.float32) * (high - low)
            + low).astype(dtype, copy=False)
