"""Element-wise work on big arrays (optimizer updates) in cache-sized blocks, optionally threaded.

An optimizer step on a large weight is a handful of element-wise NumPy passes over arrays of
megabytes; run whole, each pass streams every array through memory again. Cut into blocks of
256 KiB, the same passes find their operands still in the core's cache: measured on the Keras
MNIST network (a 784x512 weight, RMSprop), 0.35 ms less per training step of about 5.5 ms.

The blocks may also be shared among threads (NumPy releases the GIL inside its loops):
``ember.set_num_threads(n)``, or ``EMBER_NUM_THREADS``. The default is one, the caller's own,
because NumPy's BLAS keeps its threads spinning on the other cores between matrix multiplies,
so extra threads of ours mostly wait for them (measured: one thread was faster than two on a
2-core machine). Element-wise results do not depend on how the array is cut, so the result is
the same, bit for bit, for any block size and number of threads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when the first pool starts: concurrent.futures loads logging
    from concurrent.futures import ThreadPoolExecutor

BLOCK = 1 << 16  # elements per block: 256 KiB of float32, so a few arrays fit in a core's L2


def _default_threads() -> int:
    value = os.environ.get("EMBER_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


_num_threads = _default_threads()
_pool: ThreadPoolExecutor | None = None


def get_num_threads() -> int:
    """How many threads share ember's element-wise work (PyTorch's name); 1 by default."""
    return _num_threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads (``n >= 1``) for ember's element-wise work from now on.

    >>> ember.set_num_threads(1)  # everything on the calling thread
    """
    global _num_threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, got {n!r}")
    if n != _num_threads:
        _shutdown()
        _num_threads = n


def _shutdown() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None


def _forget_pool_in_child() -> None:
    # A forked child has none of the parent's threads: start a new pool there when needed.
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def split(size: int) -> list[tuple[int, int]]:
    """Cut ``range(size)`` into one contiguous, block-aligned ``(start, stop)`` per thread.

    Returns a single part when ``size`` is under two blocks or only one thread is allowed.
    """
    parts = min(_num_threads, size // BLOCK)
    if parts <= 1:
        return [(0, size)]
    blocks = -(-size // BLOCK)
    bounds = [min(size, BLOCK * (blocks * i // parts)) for i in range(parts + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


def run(tasks: Sequence[Callable[[], None]]) -> None:
    """Run ``tasks`` at once: the first on the calling thread, the rest on the pool.

    Waits for all of them; the first exception raised by any task is raised here.
    """
    global _pool
    if len(tasks) == 1:
        tasks[0]()
        return
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(max(1, _num_threads - 1), thread_name_prefix="ember")
    futures = [_pool.submit(task) for task in tasks[1:]]
    try:
        tasks[0]()
    finally:
        errors = [f.exception() for f in futures]
    for error in errors:
        if error is not None:
            raise error
