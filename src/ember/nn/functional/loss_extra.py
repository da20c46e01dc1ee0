"""More of ``torch.nn.functional``'s losses, composites of differentiable ops with PyTorch's
formulas and reductions (``'mean'``, ``'sum'``, ``'none'``; ``kl_div`` also ``'batchmean'``)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ember import ops
from ember.nn.functional.activation_extra import logsigmoid, pairwise_distance
from ember.nn.functional.loss import _check_reduction, _reduce
from ember.tensor import Tensor


def kl_div(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
           reduce: Any = None, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """``target * (log target - input)`` with ``input`` in log space (``target`` too when
    ``log_target``); ``'batchmean'`` divides the sum by the batch size, as the maths means."""
    if reduction == "batchmean":
        batchmean, reduction = True, "sum"
    else:
        batchmean = False
        reduction = _check_reduction(reduction, "kl_div", size_average, reduce)
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size. 'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.", UserWarning, stacklevel=2)
    if log_target:
        loss = ops.exp(target) * (target - input)
    else:
        loss = ops.xlogy(target, target) - target * input
    out = _reduce(loss, reduction)
    return out / input.shape[0] if batchmean and input.ndim else out


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where ``target`` is 1, ``max(0, cos - margin)`` where it is -1."""
    reduction = _check_reduction(reduction, "cosine_embedding_loss", size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim not in (1, 2):
        raise RuntimeError(f"cosine_embedding_loss: 1D target tensor expects 2D input tensors, "
                           f"but found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    dim = input1.ndim - 1
    epsilon = 1e-12  # PyTorch's: keeps the norms' product away from zero
    products = ops.sum(input1 * input2, dim)
    norms = ops.sqrt((ops.sum(input1 * input1, dim) + epsilon)
                     * (ops.sum(input2 * input2, dim) + epsilon))
    cos = products / norms
    zero = cos.detach() * 0
    loss = ops.where(target == 1, 1 - cos, zero) + ops.where(target == -1,
                                                              ops.clamp(cos - margin, min=0),
                                                              zero)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -target * (x1 - x2) + margin)``."""
    reduction = _check_reduction(reduction, "margin_ranking_loss", size_average, reduce)
    return _reduce(ops.clamp(-target * (input1 - input2) + margin, min=0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the p-norm distance."""
    reduction = _check_reduction(reduction, "triplet_margin_loss", size_average, reduce)
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = ops.minimum(to_negative, pairwise_distance(positive, negative, p, eps))
    return _reduce(ops.clamp(margin + to_positive - to_negative, min=0), reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,  # noqa: A002
                     full: bool = False, size_average: Any = None, eps: float = 1e-8,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under Poisson(rate), the rate being ``exp(input)``
    (``log_input``) or ``input``; ``full`` adds Stirling's term for targets above one."""
    reduction = _check_reduction(reduction, "poisson_nll_loss", size_average, reduce)
    if log_input:
        loss = ops.exp(input) - target * input
    else:
        loss = input - target * ops.log(input + eps)
    if full:
        stirling = target * ops.log(target) - target + 0.5 * ops.log(2 * math.pi * target)
        loss = loss + ops.where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Any, full: bool = False,  # noqa: A002
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """``0.5 * (log var + (input - target)^2 / var)`` (+ ``0.5 log 2 pi`` when ``full``).

    ``var`` has ``input``'s shape, or lacks its last dim, or has 1 there; it is clamped to
    ``eps`` for the value while its gradient passes unchanged, as PyTorch's."""
    reduction = _check_reduction(reduction, "gaussian_nll_loss")
    if not isinstance(var, Tensor):
        var = Tensor._wrap(np.full(input._data.shape, var, dtype=input._data.dtype))
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = ops.unsqueeze(var, -1)
        elif not (input.shape[:-1] == var.shape[:-1] and var.shape[-1:] == (1,)):
            raise ValueError("var is of incorrect size")
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    floor = ops.clamp(var.detach(), min=eps) - var.detach()
    var = var + floor  # the value clamped, the gradient as if not
    loss = 0.5 * (ops.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor,  # noqa: A002
                                weight: Tensor | None = None, size_average: Any = None,
                                reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Per-class logistic loss, averaged over the classes (last dim) of each sample."""
    reduction = _check_reduction(reduction, "multilabel_soft_margin_loss", size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    per_sample = ops.sum(loss, input.ndim - 1) / input.shape[-1]
    return _reduce(per_sample, reduction)
