"""Flushing subnormal floats to zero: inside every optimizer step, and on request everywhere.

A float32 under 1.2e-38 is *subnormal*, and x86 CPUs take a slow microcode path for each vector
instruction that reads or writes one. Optimizer state decays geometrically wherever a gradient
has gone to zero (a dead ReLU unit, a pixel that is almost always black), so RMSprop's and Adam's
running averages pass through the subnormal range on their way to zero. Measured on the Keras
MNIST network: after one epoch 2% of RMSprop's ``square_avg`` was subnormal, and that made each
step 70% slower. Values that small never change an update (they sit far below ``eps``), so
``Optimizer.step`` runs with the CPU flushing them to zero, as TensorFlow does in its own threads.
``ember.set_flush_denormal(True)`` does the same for all the calling thread's arithmetic, as
``torch.set_flush_denormal`` does.

The switch is the CPU's floating-point control mode, set through the C library's ``fegetmode``
/ ``fesetmode`` (glibc on x86-64: the FTZ and DAZ bits of MXCSR; on AArch64: FPCR.FZ). Elsewhere
nothing changes and ``set_flush_denormal`` returns False.
"""

from __future__ import annotations

import ctypes
import platform
import sys
from types import TracebackType
from typing import Any

_Mode = ctypes.c_uint * 2  # big enough for femode_t on both x86-64 (8 bytes) and AArch64 (4)


def _find_switch() -> tuple[Any, int, int] | None:
    """(libm, index of the word in femode_t, bits that flush) where supported, else None."""
    if not sys.platform.startswith("linux"):
        return None
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        word, bits = 1, (1 << 15) | (1 << 6)  # MXCSR: flush-to-zero, denormals-are-zero
    elif machine in ("aarch64", "arm64"):
        word, bits = 0, 1 << 24  # FPCR: flush-to-zero
    else:
        return None
    try:
        libm = ctypes.CDLL("libm.so.6")
        libm.fegetmode, libm.fesetmode  # noqa: B018  (glibc >= 2.25)
    except (OSError, AttributeError):
        return None
    return libm, word, bits


_SWITCH = _find_switch()


def set_flush_denormal(mode: bool) -> bool:
    """Flush subnormal floats to zero in this thread's arithmetic from now on (or stop).

    Returns True where the CPU and C library support it (PyTorch's ``set_flush_denormal``).

    >>> (ember.tensor([1e-30]) * 1e-10).item()  # 1e-40: a subnormal float32
    1e-40
    >>> ember.set_flush_denormal(True)
    True
    >>> (ember.tensor([1e-30]) * 1e-10).item()
    0.0
    """
    if _SWITCH is None:
        return False
    libm, word, bits = _SWITCH
    current = _Mode()
    if libm.fegetmode(current) != 0:
        return False
    current[word] = (current[word] | bits) if mode else (current[word] & ~bits)
    return libm.fesetmode(current) == 0


class flush_denormals:  # noqa: N801  (used like a function: ``with flush_denormals():``)
    """Flush subnormals to zero on this thread inside the ``with`` block, then restore the mode."""

    __slots__ = ("_saved",)

    def __enter__(self) -> None:
        self._saved = None  # set before any return: __exit__ reads it on every platform
        if _SWITCH is None:
            return
        libm, word, bits = _SWITCH
        saved = _Mode()
        if libm.fegetmode(saved) == 0 and not saved[word] & bits:
            flushing = _Mode(saved[0], saved[1])
            flushing[word] |= bits
            if libm.fesetmode(flushing) == 0:
                self._saved = saved  # restored on the way out

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._saved is not None:
            _SWITCH[0].fesetmode(self._saved)  # type: ignore[index]
