"""Shared helpers for the benchmarks: locating real MNIST and timing side by side."""

from __future__ import annotations

import gzip
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def data_root() -> Path:
    env = os.environ.get("EMBER_DATA")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not (root / "mnist").is_dir():
        raise SystemExit(f"bench: MNIST not found under {root}/mnist; set EMBER_DATA")
    return root


def _idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(tuple(dims))


def mnist_flat() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as float32 rows scaled to [0, 1] and int64 labels: (x_train, y_train, x_test, y_test)."""
    folder = data_root() / "mnist"
    x_train = _idx(folder / "train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y_train = _idx(folder / "train-labels-idx1-ubyte.gz").astype(np.int64)
    x_test = _idx(folder / "t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y_test = _idx(folder / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    return x_train, y_train, x_test, y_test


def best_of(rounds: int, fn: Callable[[], None]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
