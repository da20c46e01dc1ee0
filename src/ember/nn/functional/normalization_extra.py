"""Per-sample normalisations: layer, group, instance, RMS and local response normalisation.

``layer_norm`` is one fused op (closed-form backward: Transformers call it on every block); the
others are composites of it and of existing ops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ember import ops
from ember.nn.functional.normalization import batch_norm
from ember.tensor import Tensor


def _shape_tuple(normalized_shape: Any) -> tuple[int, ...]:
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input: Tensor, normalized_shape: Sequence[int] | int,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims (biased variance), then scale by
    ``weight`` and shift by ``bias`` (both of ``normalized_shape``, or None)."""
    shape = _shape_tuple(normalized_shape)
    data = input._data
    if data.shape[data.ndim - len(shape):] != shape or data.ndim < len(shape):
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size "
                           f"{list(data.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: {name} must have shape {list(shape)}, got "
                               f"{list(t.shape)}")
    axes = tuple(range(data.ndim - len(shape), data.ndim))
    dtype = data.dtype
    mean = data.mean(axis=axes, keepdims=True, dtype=dtype)
    centered = data - mean
    var = np.square(centered).mean(axis=axes, keepdims=True, dtype=dtype)
    inv_std = (1 / np.sqrt(var + np.asarray(eps, dtype=dtype))).astype(dtype, copy=False)
    normalized = centered * inv_std
    out = normalized if weight is None else normalized * weight._data
    if bias is not None:
        out = out + bias._data
    if out is normalized:
        out = normalized.copy()
    leading = tuple(range(data.ndim - len(shape)))

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        grads: list[np.ndarray | None] = [None]
        if input._requires_grad:
            g_hat = g if weight is None else g * weight._data
            grads[0] = inv_std * (g_hat - g_hat.mean(axis=axes, keepdims=True)
                                  - normalized * (g_hat * normalized).mean(axis=axes,
                                                                           keepdims=True))
        if weight is not None:
            grads.append((g * normalized).sum(axis=leading) if weight._requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=leading) if bias._requires_grad else None)
        return tuple(grads)

    inputs = tuple(t for t in (input, weight, bias) if t is not None)
    return Tensor._op(out, inputs, backward, "NativeLayerNormBackward")


def _channel_view(t: Tensor, ndim: int) -> Tensor:
    """A (C,) vector shaped (1, C, 1, ...) to broadcast over an (N, C, ...) input."""
    return ops.reshape(t, (1, -1) + (1,) * (ndim - 2))


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample's channels in ``num_groups`` groups; input: (N, C, *)."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    n, channels = input.shape[0], input.shape[1]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups="
                           f"{num_groups}")
    grouped = ops.reshape(input, (n, num_groups, -1))
    out = ops.reshape(layer_norm(grouped, grouped.shape[-1:], eps=eps), tuple(input.shape))
    if weight is not None:
        out = out * _channel_view(weight, input.ndim)
    if bias is not None:
        out = out + _channel_view(bias, input.ndim)
    return out


def instance_norm(input: Tensor, running_mean: Tensor | None = None,  # noqa: A002
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) over its spatial dims; input: (N, C, *)."""
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    if running_mean is not None and running_var is not None:
        # The running statistics follow the batch average of the per-instance statistics.
        data = input._data
        axes = tuple(range(2, data.ndim))
        count = int(np.prod([data.shape[a] for a in axes]))
        mean = data.mean(axis=axes).mean(axis=0)
        var = data.var(axis=axes, ddof=1 if count > 1 else 0).mean(axis=0)
        for stat, value in ((running_mean, mean), (running_var, var)):
            stat._data *= 1 - momentum
            stat._data += momentum * value.astype(stat._data.dtype)
            stat._version += 1
    return group_norm(input, input.shape[1], weight, bias, eps)


def rms_norm(input: Tensor, normalized_shape: Sequence[int] | int,  # noqa: A002
             weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last dims; ``eps`` defaults to the
    dtype's machine epsilon, as PyTorch's."""
    shape = _shape_tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size "
                           f"{list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ops.pow(ops.mean(input * input, dim=dims, keepdim=True) + eps, -0.5)
    return out if weight is None else out * weight


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4,  # noqa: A002
                        beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Divide each element by ``(k + alpha * mean of squares over size neighbouring
    channels) ** beta``; input: (N, C, *)."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    channels = input.shape[1]
    squares = ops.transpose(input * input, 1, -1)  # channels last, to pad them
    padded = ops.pad(squares, (size // 2, (size - 1) // 2))
    window = padded[..., 0:channels]
    for offset in range(1, size):
        window = window + padded[..., offset:offset + channels]
    scale = ops.transpose(window, 1, -1) * (alpha / size) + k
    return input / ops.pow(scale, beta)
