"""``torch.accelerator`` as ember has it: NumPy runs on the CPU, so there is no accelerator.

PyTorch's tutorials pick their device with ``torch.accelerator.is_available()``; with ember
that choice is always ``"cpu"``.
"""

from __future__ import annotations


def is_available() -> bool:
    """False: ember computes with NumPy on the CPU."""
    return False


def device_count() -> int:
    """0: no accelerator devices."""
    return 0


def current_accelerator(check_available: bool = False) -> None:
    """None, as PyTorch returns when no accelerator is present."""
    return None
