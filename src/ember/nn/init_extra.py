"""The rest of PyTorch's ``nn.init``: ``orthogonal_``, ``sparse_``, ``dirac_``, ``eye_``
(``nn.init`` re-exports them)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember import random as _random
from ember.tensor import Tensor


def _fill(tensor: Tensor, values: Any) -> Tensor:
    np.copyto(tensor._data, values, casting="unsafe")
    tensor._version += 1
    return tensor


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix: QR of a normal matrix with R's diagonal signs
    folded in (a uniformly random orthogonal matrix), dims after the first flattened."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    rows = tensor.shape[0]
    cols = tensor._data.size // rows if rows else 0
    if tensor._data.size == 0:
        return tensor
    flat = _random.normal_array((rows, cols), 0.0, 1.0, np.float64, generator)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator: Any = None) -> Tensor:
    """A 2-D matrix from N(0, std**2) with ``ceil(sparsity * rows)`` zeros in every column."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    zeros = int(np.ceil(sparsity * rows))
    values = _random.normal_array((rows, cols), 0.0, std, tensor._data.dtype, generator)
    order = np.argsort(_random.rng(generator).random((rows, cols)), axis=0)[:zeros]
    values[order, np.arange(cols)] = 0
    return _fill(tensor, values)


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """A convolution kernel (3-5 dims) that passes its input channels through unchanged."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    out_per_group = tensor.shape[0] // groups
    if tensor.shape[0] % groups:
        raise ValueError("dim 0 must be divisible by groups")
    values = np.zeros(tensor.shape, dtype=tensor._data.dtype)
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(out_per_group, tensor.shape[1])):
            values[(g * out_per_group + d, d) + centre] = 1
    return _fill(tensor, values)


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (2-D tensors)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor.shape, dtype=tensor._data.dtype))
