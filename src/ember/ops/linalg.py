"""Matrix products: ``matmul`` (1-D, 2-D, batched), ``dot``, ``tensordot`` and fused ``linear``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ember.ops._sums import sum_over
from ember.ops._util import each_for_the_other, operands, unbroadcast
from ember.tensor import Tensor


def _matmul_error(a: np.ndarray, b: np.ndarray) -> RuntimeError:
    inner_a = a.shape[-1] if a.ndim else None
    inner_b = b.shape[-2] if b.ndim > 1 else (b.shape[0] if b.ndim else None)
    return RuntimeError(
        f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
        f"({inner_a} != {inner_b}, or the batch dims don't broadcast)"
    )


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with NumPy's rules: 1-D operands are promoted and their dim removed."""
    a, b = operands(a, b)
    a_data, b_data = a._data, b._data
    if a_data.ndim == 0 or b_data.ndim == 0:
        raise RuntimeError(f"matmul: both operands need at least 1 dim, got shapes "
                           f"{tuple(a_data.shape)} and {tuple(b_data.shape)}")
    try:
        out = np.matmul(a_data, b_data)
    except ValueError:
        raise _matmul_error(a_data, b_data) from None
    # Work with >=2-D views so one backward formula covers every case.
    a2 = a_data[None, :] if a_data.ndim == 1 else a_data
    b2 = b_data[:, None] if b_data.ndim == 1 else b_data

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        # Restore the dims a 1-D operand dropped: b's (last) first, then a's (before it), so
        # that 1-D @ 1-D (a 0-d g) works too.
        if b_data.ndim == 1:
            g = np.expand_dims(g, -1)
        if a_data.ndim == 1:
            g = np.expand_dims(g, -2)
        ga = gb = None
        if a._requires_grad:
            ga = unbroadcast(np.matmul(g, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a_data.shape)
        if b._requires_grad:
            gb = unbroadcast(np.matmul(np.swapaxes(a2, -1, -2), g), b2.shape).reshape(b_data.shape)
        return ga, gb

    return Tensor._op(out, (a, b), backward, "MmBackward", saved=each_for_the_other)


def mm(a: Tensor, b: Tensor) -> Tensor:
    """Product of two 2-D matrices (``matmul`` without its broadcasting)."""
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expects two 2-D tensors, got shapes {tuple(a.shape)} and "
                           f"{tuple(b.shape)}")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    """Batched product of (B, n, m) and (B, m, p) tensors, with equal batch sizes."""
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise RuntimeError(f"bmm: expects two 3-D tensors with the same batch size, got shapes "
                           f"{tuple(a.shape)} and {tuple(b.shape)}")
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"dot: expects two 1-D tensors, got shapes {tuple(a.shape)} and "
                           f"{tuple(b.shape)}")
    return matmul(a, b)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Sum over the last ``dims`` axes of ``a`` and the first of ``b`` (or explicit axis lists)."""
    from ember.ops.shape import permute, reshape

    if isinstance(dims, (int, np.integer)):
        axes_a = list(range(a.ndim - dims, a.ndim))
        axes_b = list(range(dims))
    else:
        axes_a, axes_b = ([d % a.ndim for d in _as_list(dims[0])],
                          [d % b.ndim for d in _as_list(dims[1])])
    if len(axes_a) != len(axes_b):
        raise RuntimeError(f"tensordot: both dim lists must have the same length, got {axes_a} "
                           f"and {axes_b}")
    free_a = [d for d in range(a.ndim) if d not in axes_a]
    free_b = [d for d in range(b.ndim) if d not in axes_b]
    for da, db in zip(axes_a, axes_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"tensordot: dim {da} of {tuple(a.shape)} and dim {db} of "
                               f"{tuple(b.shape)} differ")
    inner = int(np.prod([a.shape[d] for d in axes_a], dtype=np.int64))
    left = reshape(permute(a, free_a + axes_a), (-1, inner))
    right = reshape(permute(b, axes_b + free_b), (inner, -1))
    out_shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return reshape(matmul(left, right), out_shape)


def _as_list(value: Any) -> list[int]:
    return [int(value)] if isinstance(value, (int, np.integer)) else [int(v) for v in value]


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` as one node: the layer that dominates an MLP's time.

    x: (..., in_features), weight: (out_features, in_features), bias: (out_features,).
    """
    x, weight = operands(x, weight)
    x_data, w_data = x._data, weight._data
    if w_data.ndim != 2 or x_data.ndim == 0 or x_data.shape[-1] != w_data.shape[1]:
        raise RuntimeError(
            f"linear: input of shape {tuple(x_data.shape)} can't be multiplied by a weight of "
            f"shape {tuple(w_data.shape)} (expected input (..., {w_data.shape[-1]}))"
        )
    out = x_data @ w_data.T
    inputs: Sequence[Tensor] = (x, weight)
    if bias is not None:
        out += bias._data
        inputs = (x, weight, bias)

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g2 = g.reshape(-1, g.shape[-1])
        gx = (g @ w_data) if x._requires_grad else None
        gw = (g2.T @ x_data.reshape(-1, x_data.shape[-1])) if weight._requires_grad else None
        if bias is None:
            return gx, gw
        return gx, gw, (sum_over(g2, (0,)) if bias._requires_grad else None)

    return Tensor._op(out, tuple(inputs), backward, "LinearBackward", saved=each_for_the_other)
