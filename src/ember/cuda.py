"""``ember.cuda``: PyTorch's CUDA namespace on a machine with no CUDA, so that tutorial lines
such as ``device = "cuda" if torch.cuda.is_available() else "cpu"`` run and pick the CPU.

Queries answer as PyTorch's CPU build does (no device, nothing allocated); seeding is accepted and
does nothing, as in PyTorch without a GPU; anything that needs a GPU raises naming what is missing.
"""

from __future__ import annotations

from typing import Any

_NO_CUDA = "ember computes on the CPU only: there is no CUDA device (torch.cuda.is_available() " \
           "is False); use device='cpu'"


def is_available() -> bool:
    """False: ember has no CUDA backend."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Accepted and ignored, as PyTorch does when there is no GPU to seed (``ember.manual_seed``
    seeds the CPU generator)."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    int(seed)


def empty_cache() -> None:
    """Nothing is cached on a GPU that does not exist."""


def _unavailable(name: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"ember.cuda.{name}(): {_NO_CUDA}")

    call.__name__ = name
    return call


current_device = _unavailable("current_device")
get_device_name = _unavailable("get_device_name")
get_device_properties = _unavailable("get_device_properties")
set_device = _unavailable("set_device")
synchronize = _unavailable("synchronize")
