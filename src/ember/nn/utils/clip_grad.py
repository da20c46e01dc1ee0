"""Gradient clipping by total norm or by value, in place, outside the graph."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ember.tensor import Tensor


def _with_grads(parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their joint ``norm_type``-norm is at most
    ``max_norm``; returns the norm before clipping (a 0-d tensor), as PyTorch does."""
    grads = [p.grad._data for p in _with_grads(parameters)]
    norm_type = float(norm_type)
    if not grads:
        return Tensor._wrap(np.asarray(0.0, dtype=np.float32))
    dtype = grads[0].dtype
    if norm_type == np.inf:
        total = max(np.abs(g).max() if g.size else 0.0 for g in grads)
    else:
        per_tensor = [np.linalg.norm(g.ravel(), ord=norm_type) if g.size else 0.0 for g in grads]
        total = np.linalg.norm(np.asarray(per_tensor, dtype=np.float64), ord=norm_type)
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           f"is non-finite, so it cannot be clipped. To disable this error and "
                           f"scale the gradients by the non-finite norm anyway, set "
                           f"`error_if_nonfinite=False`")
    # As PyTorch: always scale by min(max_norm / (norm + 1e-6), 1), so an inf norm zeroes the
    # gradients and a nan norm makes them nan.
    coefficient = np.minimum(np.asarray(max_norm, dtype=dtype) / (total + np.asarray(1e-6, dtype)),
                             np.asarray(1.0, dtype=dtype))
    for g in grads:
        g *= coefficient
    return Tensor._wrap(total)


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    for p in _with_grads(parameters):
        np.clip(p.grad._data, -float(clip_value), float(clip_value), out=p.grad._data)
