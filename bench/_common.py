"""Shared helpers for the benchmarks: the real MNIST as flat float rows, timing, the CPU's name.

Nothing here imports ember at module level, so a benchmark process that measures NumPy or
PyTorch alone can use it.
"""

from __future__ import annotations

import gzip
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def _cpuinfo(field: str) -> str | None:
    """The first ``field`` line's value in /proc/cpuinfo (Linux), or None."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(field):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what ``platform`` knows."""
    return _cpuinfo("model name") or platform.processor() or platform.machine()


def vector_extension() -> str:
    """The widest x86 vector extension the CPU reports ("AVX-512", "AVX2"), or "" if unknown.

    Clouds give every AMD EPYC the same name, with or without AVX-512 (Zen 4 has it, Zen 2 and
    3 do not); the BLAS kernels NumPy picks, and so the ratios, differ between them."""
    flags = set((_cpuinfo("flags") or "").split())
    return "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else ""


def cpu_model() -> str:
    """The CPU's model name, vector extension and core count, printed beside every ratio."""
    extension = vector_extension()
    return f"{cpu_name()}{f' ({extension})' if extension else ''}, {os.cpu_count()} logical cores"


def mnist_flat() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test): float32 rows in [0, 1] and int64 labels."""
    from ember.datasets import load_mnist  # here, so that bench_import.py can time ember's import

    (x_train, y_train), (x_test, y_test) = load_mnist()
    return (x_train.reshape(-1, 784).astype(np.float32) / 255, y_train.astype(np.int64),
            x_test.reshape(-1, 784).astype(np.float32) / 255, y_test.astype(np.int64))


def timed(step: Callable[[], None], repeats: int) -> list[float]:
    """Seconds of each of ``repeats`` calls of ``step``, after three untimed warm-up calls."""
    for _ in range(3):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


def interleaved_ms(steps: dict[str, Callable[[], None]], repeats: int,
                   blocks: int = 3) -> dict[str, tuple[float, float]]:
    """Time each step in ``blocks`` interleaved blocks of ``repeats`` calls, so that machine
    noise hits them alike: per name, the best block's median and the fastest call, in ms."""
    runs: dict[str, list[list[float]]] = {name: [] for name in steps}
    for _ in range(blocks):
        for name, step in steps.items():
            runs[name].append(timed(step, repeats))
    return {name: (min(float(np.median(run)) for run in blocks_of) * 1e3,
                   min(min(run) for run in blocks_of) * 1e3)
            for name, blocks_of in runs.items()}


def best_of(rounds: int, fn: Callable[[], None]) -> float:
    """The fastest of ``rounds`` timed calls (the least disturbed by other work)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def mnist_flat_plain() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``mnist_flat`` read straight from ``$EMBER_DATA/mnist``'s IDX files with NumPy alone
    (no checksums, no ember import): for processes that must measure NumPy or PyTorch by
    themselves."""
    root = Path(os.environ.get("EMBER_DATA", "../shared/data")) / "mnist"

    def idx(name: str, offset: int) -> np.ndarray:
        with gzip.open(root / f"{name}-ubyte.gz", "rb") as f:
            return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

    x_train = idx("train-images-idx3", 16).reshape(-1, 784).astype(np.float32) / 255
    x_test = idx("t10k-images-idx3", 16).reshape(-1, 784).astype(np.float32) / 255
    return (x_train, idx("train-labels-idx1", 8).astype(np.int64),
            x_test, idx("t10k-labels-idx1", 8).astype(np.int64))
