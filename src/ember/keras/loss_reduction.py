"""Keras's loss reduction, in one place: every loss (built in, wrapped function, compiled over
several outputs) weighs, masks and reduces its per-sample values here."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.tensor import Tensor


def _weights(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value, np.float32))


REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight", "auto")


def reduce_weighted_values(values: Tensor, sample_weight: Any = None, mask: Any = None,
                           reduction: str = "sum_over_batch_size") -> Tensor:
    """Keras's loss reduction, the one place it is done: multiply by ``sample_weight`` (and by
    a Keras ``mask``, scaled so that the mean runs over the unmasked entries), then ``sum``,
    divide by the number of values (``sum_over_batch_size``/``mean``), by the weights' sum
    (``mean_with_sample_weight``), or return them as they are (``none``)."""
    if mask is not None:
        mask_array = np.asarray(mask._data if isinstance(mask, Tensor) else mask, dtype=bool)
        weights = mask_array.astype(np.float32)
        if reduction in ("sum_over_batch_size", "mean", "auto"):
            valid = weights.sum()
            weights *= (weights.size / valid) if valid else 0.0
        mask_weight = Tensor._wrap(weights)
        sample_weight = mask_weight if sample_weight is None else \
            _expand_to(_weights(sample_weight).float(), weights.ndim) * mask_weight
    if sample_weight is not None:
        weight = _expand_to(_weights(sample_weight).float(), values.ndim)
        values = values * weight
    if reduction == "none" or values.ndim == 0:
        return values
    if values.numel() == 0:
        return values.sum()  # an empty batch: 0, not a mean's NaN
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        total = float(np.broadcast_to(weight._data, values.shape).sum())
        return values.sum() / total if total else values.sum() * 0.0
    return values.mean()


def _expand_to(weight: Tensor, ndim: int) -> Tensor:
    """(N,) weights against (N, T) values gain trailing dims; (N, 1) against (N,) lose them."""
    while weight.ndim > ndim and weight.shape[-1] == 1:
        weight = weight.squeeze(-1)
    if weight.ndim < ndim:
        weight = weight.reshape(tuple(weight.shape) + (1,) * (ndim - weight.ndim))
    return weight
