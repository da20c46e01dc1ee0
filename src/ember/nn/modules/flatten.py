"""``Flatten`` and ``Unflatten``: reshape layers for use inside ``Sequential``."""

from __future__ import annotations

from typing import Any

from ember import ops
from ember.nn.modules.module import Module
from ember.tensor import Tensor


class Flatten(Module):
    """Merge dims ``start_dim..end_dim``: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return ops.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``: (N, 784) -> (N, 1, 28, 28)."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return ops.reshape(input, _unflattened_shape(tuple(input.shape), self.dim,
                                                     tuple(self.unflattened_size)))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


def _unflattened_shape(shape: tuple[int, ...], dim: int, sizes: tuple[int, ...]) -> tuple:
    if not -len(shape) <= dim < len(shape):
        raise IndexError(f"Unflatten: dim {dim} is out of range for an input of shape {shape}")
    dim %= len(shape)
    known = 1
    for size in sizes:
        known *= size if size != -1 else 1
    if -1 not in sizes and known != shape[dim]:
        raise ValueError(f"Unflatten: unflattened_size {sizes} does not multiply to dim {dim} of "
                         f"the input (shape {shape}, size {shape[dim]})")
    return shape[:dim] + sizes + shape[dim + 1:]
