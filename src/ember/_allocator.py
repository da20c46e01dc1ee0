"""Keep freed NumPy buffers for reuse instead of handing them back to the OS (glibc only).

glibc serves every allocation above 128 KiB with a fresh ``mmap`` and unmaps it when freed, so a
training loop that allocates the same activation and gradient buffers every step pays page
faults to zero new memory each time: a quarter of a CNN step here. Raising the mmap and trim
thresholds lets freed blocks be reused from the heap, as PyTorch's caching allocator does. The
cost is that the process keeps its peak memory. Set ``EMBER_NO_MALLOPT=1`` to leave malloc alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_THRESHOLD = 1 << 30  # blocks up to 1 GiB come from (and go back to) the heap


_tuned = False


def tune_malloc_once() -> None:
    """``tune_malloc`` on the first call only (the autograd engine calls this every backward)."""
    global _tuned
    if not _tuned:
        _tuned = True
        tune_malloc()


def tune_malloc() -> bool:
    """Apply the thresholds; returns whether they were applied."""
    if os.environ.get("EMBER_NO_MALLOPT") or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, _THRESHOLD)
                    and libc.mallopt(_M_TRIM_THRESHOLD, _THRESHOLD))
    except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to tune
        return False
