"""Shared helpers for the benchmarks: the real MNIST as flat float rows, and timing."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ember.datasets import load_mnist


def mnist_flat() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test): float32 rows in [0, 1] and int64 labels."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    return (x_train.reshape(-1, 784).astype(np.float32) / 255, y_train.astype(np.int64),
            x_test.reshape(-1, 784).astype(np.float32) / 255, y_test.astype(np.int64))


def best_of(rounds: int, fn: Callable[[], None]) -> float:
    """The fastest of ``rounds`` timed calls (the least disturbed by other work)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
