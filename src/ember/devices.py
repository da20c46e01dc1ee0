"""``ember.device``: where a tensor lives. ember computes on the CPU only.

``ember.device("cuda")`` parses, as ``torch.device`` does, so that tutorial code choosing a device
runs; putting data or a model there raises an error naming the missing accelerator instead of
quietly staying on the CPU.
"""

from __future__ import annotations

from typing import Any

# The device types PyTorch knows; any other name is an error when parsed, as in PyTorch.
KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "xla", "meta", "hip", "ipu", "hpu", "mtia", "vulkan",
               "lazy", "mkldnn", "opengl", "opencl", "ideep", "ve", "fpga", "maia",
               "privateuseone")


class device:  # noqa: N801 - PyTorch's name
    """A device: a type (``'cpu'``, ``'cuda'``, ...) and an optional index."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if name not in KNOWN_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(KNOWN_TYPES)} device type at start "
                               f"of device string: {type}")
        if number:
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            if index is not None:
                raise RuntimeError(f"device: the index is given twice in {type!r} and {index}")
            index = int(number)
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type, self.index = name, index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        extra = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{extra})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(where: Any, owner: str = "tensor") -> None:
    """Accept ``None`` and the CPU; refuse any other device, naming it.

    ``owner`` names what was to be placed (a function or layer), for the message.
    """
    if where is None:
        return
    target = where if isinstance(where, device) else device(where)
    if target.type != "cpu":
        raise NotImplementedError(
            f"{owner}: device={str(target)!r} is not available: ember computes on the CPU only "
            f"(there is no {target.type.upper()} backend); use device='cpu' or leave it out"
        )
    if target.index not in (None, 0):
        raise RuntimeError(f"{owner}: there is one CPU device, cpu:0; got {target}")
