"""Batch normalisation as one fused op (its backward is the closed form, not a chain of nodes)."""

from __future__ import annotations

import numpy as np

from ember.ops._sums import sum_over
from ember.tensor import Tensor


def batch_norm(input: Tensor, running_mean: Tensor | None,  # noqa: A002
               running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) of input: (N, C), (N, C, L) or (N, C, H, W).

    Training uses the batch's mean and biased variance, and (when given) updates the running
    statistics in place: ``running = (1 - momentum) * running + momentum * batch``, with the
    *unbiased* batch variance for ``running_var``, as PyTorch does. Otherwise the running
    statistics normalise. weight, bias: (C,) or None.
    """
    data = input._data
    if data.ndim < 2:
        raise ValueError(f"batch_norm: expected input (N, C, ...) with at least 2 dims, got shape "
                         f"{tuple(data.shape)}")
    channels = data.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (channels,):
            raise ValueError(f"batch_norm: {name} must have shape ({channels},) for input of "
                             f"shape {tuple(data.shape)}, got {tuple(t.shape)}")
    axes = (0,) + tuple(range(2, data.ndim))
    count = data.size // channels
    view = (1, channels) + (1,) * (data.ndim - 2)  # broadcast a (C,) vector over the input
    dtype = data.dtype
    if training:
        if count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {tuple(data.shape)}")
        mean = sum_over(data, axes) / count
        centered = data - mean.reshape(view)
        var = sum_over(np.square(centered), axes) / count
        if running_mean is not None and running_var is not None:
            m = np.asarray(momentum, dtype=running_mean._data.dtype)
            running_mean._data *= 1 - m
            running_mean._data += m * mean
            running_var._data *= 1 - m
            running_var._data += m * var * np.asarray(count / (count - 1), dtype=var.dtype)
            running_mean._version += 1
            running_var._version += 1
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed when not "
                             "training")
        mean = running_mean._data.astype(dtype, copy=False)
        var = running_var._data.astype(dtype, copy=False)
        centered = data - mean.reshape(view)
    inv_std = (1 / np.sqrt(var + np.asarray(eps, dtype=dtype))).astype(dtype, copy=False)
    normalized = centered * inv_std.reshape(view)
    out = normalized
    if weight is not None:
        out = out * weight._data.reshape(view)
    if bias is not None:
        out = out + bias._data.reshape(view)
    if out is normalized:
        out = normalized.copy()

    def backward(g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        g_input = None
        statistics = training and input._requires_grad  # the batch statistics depend on x
        # The two per-channel sums serve the weight, the bias and the input gradient alike:
        # mean(g * scale) and mean(g * scale * normalized) are scale times these over count.
        sum_g = sum_over(g, axes) if statistics or (
            bias is not None and bias._requires_grad) else None
        sum_g_normalized = sum_over(g * normalized, axes) if statistics or (
            weight is not None and weight._requires_grad) else None
        if input._requires_grad:
            scale = (inv_std if weight is None else inv_std * weight._data).reshape(view)
            if statistics:  # scale * (g - mean(g) - normalized * mean(g * normalized))
                g_input = normalized * (sum_g_normalized / count).reshape(view)
                np.subtract(g, g_input, out=g_input)
                g_input -= (sum_g / count).reshape(view)
                g_input *= scale
            else:
                g_input = g * scale
        g_weight = sum_g_normalized if weight is not None and weight._requires_grad else None
        g_bias = sum_g if bias is not None and bias._requires_grad else None
        grads: list[np.ndarray | None] = [g_input]
        if weight is not None:
            grads.append(g_weight)
        if bias is not None:
            grads.append(g_bias)
        return tuple(grads)

    inputs = tuple(t for t in (input, weight, bias) if t is not None)
    # Saved as PyTorch saves them: the input and the weight, not the bias.
    return Tensor._op(out, inputs, backward, "NativeBatchNormBackward",
                      saved=(0, 1) if weight is not None else (0,))
