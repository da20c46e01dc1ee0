"""Loss functions (PyTorch's ``F.*_loss``).

Cross-entropy and the binary cross-entropies are fused primitives: their gradients are written
out (softmax minus target, sigmoid minus target) so that logits in the thousands stay finite. The
regression losses are compositions of ops and need no backward of their own.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ember import ops
from ember.ops._util import float_operand
from ember.tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


class LabelRangeError(IndexError, ValueError):
    """A class index outside [0, C): an IndexError as in PyTorch, and a ValueError as Keras
    raises for the same mistake (its losses call these)."""


def _check_reduction(reduction: str, name: str, size_average: Any = None,
                     reduce: Any = None) -> str:
    """The reduction to apply: ``reduction``, or what PyTorch's deprecated ``size_average`` and
    ``reduce`` arguments mean when either is given (they override it, with PyTorch's warning)."""
    if size_average is not None or reduce is not None:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      "reduction='mean', 'sum' or 'none' instead.", UserWarning, stacklevel=3)
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduce_fused(loss: np.ndarray, reduction: str, count: float,
                  shape: tuple[int, ...] | None = None
                  ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """``_reduce`` for the fused losses, on arrays: the reduced value and the factor that
    scales the upstream gradient back onto ``loss``'s elements. ``mean`` divides by ``count``
    (NaN when it is 0, as PyTorch); ``none`` returns ``loss`` shaped as ``shape``."""
    if reduction == "mean":
        value = loss.sum() / count if count else np.asarray(np.nan)
        return value, lambda g: g / count
    if reduction == "sum":
        return loss.sum(), lambda g: g
    return loss.reshape(shape or loss.shape), lambda g: g.reshape(loss.shape)


def _check_same_shape(input: Tensor, target: Tensor, name: str) -> None:  # noqa: A002
    """The binary cross-entropies refuse a target of another shape (ValueError, as PyTorch)."""
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(
            f"{name}: input of shape {tuple(input.shape)} and target of shape "
            f"{tuple(target.shape)} differ; broadcasting them would silently compare every "
            "prediction with every target. Reshape one (e.g. target.view(-1, 1))."
        )


def _warn_if_broadcast(input: Tensor, target: Tensor) -> None:  # noqa: A002
    """The regression losses broadcast a target of another shape, warning as PyTorch does (a
    (N, 1) prediction against an (N,) target compares every prediction with every target)."""
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)


def _target_shape_error(message: str, shape: tuple[int, ...],
                        target_shape: tuple[int, ...]) -> Exception:
    """PyTorch's type for a target of the wrong shape: ValueError when the batch sizes differ,
    RuntimeError otherwise."""
    batch_differs = bool(shape and target_shape) and shape[0] != target_shape[0]
    return ValueError(message) if batch_differs else RuntimeError(message)


def _class_last(x: np.ndarray) -> np.ndarray:
    """(N, C, d1, ...) -> (N * d1 * ..., C); (C,) -> (1, C)."""
    if x.ndim == 1:
        return x[None, :]
    if x.ndim == 2:
        return x
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _class_first(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of ``_class_last`` for an array of the input's ``shape``."""
    if len(shape) <= 2:
        return x.reshape(shape)
    moved = x.reshape((shape[0],) + shape[2:] + (shape[1],))
    return np.moveaxis(moved, -1, 1)


def _target_weights(logits: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int,
                    label_smoothing: float, name: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-(sample, class) weights ``a`` with loss_i = -sum_c a_ic * logp_ic.

    Returns ``a`` as (M, C), the per-sample shape, and the 'mean' denominator (PyTorch's: the
    summed class weights of the counted samples for index targets, the sample count otherwise).
    """
    shape = logits._data.shape
    classes = shape[1] if len(shape) > 1 else shape[0]
    dtype = logits._data.dtype
    w = None if weight is None else weight._data.astype(dtype, copy=False)
    if w is not None and w.shape != (classes,):
        raise RuntimeError(f"{name}: weight must have shape ({classes},), got {w.shape}")
    t = target._data
    if t.dtype.kind == "f":  # class probabilities, same shape as the input
        if t.shape != shape:
            raise _target_shape_error(
                f"{name}: probability targets must have the input's shape {shape}, got "
                f"{t.shape}; class-index targets must be integers (did you mean .long()?)",
                shape, t.shape)
        q = _class_last(t.astype(dtype, copy=False))
        if label_smoothing:
            q = q * (1 - label_smoothing) + label_smoothing / classes
        a = q * w if w is not None else q
        return a, (shape[0],) + shape[2:] if len(shape) > 1 else (), float(q.shape[0])
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: target must hold class indices (integers) or "
                           f"probabilities (floats), got {target.dtype}")
    expected = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    if t.shape != expected:
        raise _target_shape_error(f"{name}: input of shape {shape} needs a target of shape "
                                  f"{expected}, got {t.shape}", shape, t.shape)
    labels = t.reshape(-1)
    valid = labels != ignore_index
    bad = valid & ((labels < 0) | (labels >= classes))
    if bad.any():
        raise LabelRangeError(f"{name}: target labels must be in [0, {classes}) (or "
                              f"ignore_index {ignore_index}); got {labels[bad][0]}")
    safe = np.where(valid, labels, 0)
    rows = np.arange(labels.size)
    a = np.zeros((labels.size, classes), dtype=dtype)
    if label_smoothing:
        a += label_smoothing / classes
        a[rows, safe] += 1 - label_smoothing
    else:
        a[rows, safe] = 1
    if w is not None:
        a *= w
    a[~valid] = 0
    picked = w[safe] if w is not None else np.ones(labels.size, dtype=dtype)
    return a, expected, float(np.sum(picked * valid))


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0, size_average: Any = None,
                  reduce: Any = None) -> Tensor:
    """Softmax cross-entropy from raw logits.

    input: (N, C) or (N, C, d1, ...) or (C,); target: class indices (N, d1, ...) or class
    probabilities shaped like input. Its gradient is written directly as softmax - target.

    >>> F.cross_entropy(ember.tensor([[2.0, 0.5, -1.0]]), ember.tensor([0]))
    """
    reduction = _check_reduction(reduction, "cross_entropy", size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                           f"{label_smoothing}")
    input = float_operand(input)
    shape = input._data.shape
    if len(shape) == 0:
        raise RuntimeError("cross_entropy: input needs a class dimension, got a 0-d tensor")
    a, sample_shape, denominator = _target_weights(input, target, weight, ignore_index,
                                                   label_smoothing, "cross_entropy")
    logits = _class_last(input._data)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    sums = exps.sum(axis=1, keepdims=True)
    log_probs = shifted - np.log(sums)
    per_sample = -(a * log_probs).sum(axis=1, keepdims=True)
    soft_target = target._data.dtype.kind == "f"
    out, upstream = _reduce_fused(per_sample, reduction, denominator, sample_shape)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        row_scale = upstream(g)
        probs = exps / sums
        grad = (probs * a.sum(axis=1, keepdims=True) - a) * row_scale
        g_target = None
        if soft_target and target.requires_grad:
            scale = (1 - label_smoothing) * (weight._data if weight is not None else 1)
            g_target = _class_first(-log_probs * scale * row_scale, shape)
        return _class_first(grad, shape), g_target

    # Its rule reads only the softmax it computed (PyTorch saves only log_softmax's result).
    return Tensor._op(np.asarray(out, dtype=input._data.dtype), (input, target), backward,
                      "CrossEntropyBackward", saved=())


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             ignore_index: int = -100, reduction: str = "mean", size_average: Any = None,
             reduce: Any = None) -> Tensor:
    """Negative log-likelihood of class indices given log-probabilities (N, C) or (N, C, d...)."""
    reduction = _check_reduction(reduction, "nll_loss", size_average, reduce)
    if target._data.dtype.kind not in "iu":
        raise RuntimeError(f"nll_loss: target must hold class indices (integers), got "
                           f"{target.dtype} (did you mean .long()?)")
    a, sample_shape, denominator = _target_weights(input, target, weight, ignore_index, 0.0,
                                                   "nll_loss")
    log_probs = _class_last(input._data)
    per_sample = -(a * log_probs).sum(axis=1, keepdims=True)
    out, upstream = _reduce_fused(per_sample, reduction, denominator, sample_shape)
    shape = input._data.shape

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (_class_first(-a * upstream(g), shape),)

    return Tensor._op(np.asarray(out, dtype=input._data.dtype), (input,), backward,
                      "NllLossBackward")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
             size_average: Any = None, reduce: Any = None) -> Tensor:
    """Mean squared error (L2 loss)."""
    reduction = _check_reduction(reduction, "mse_loss", size_average, reduce)
    _warn_if_broadcast(input, target)
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
            size_average: Any = None, reduce: Any = None) -> Tensor:
    """Mean absolute error (L1 loss): less swayed by outliers than the squared error."""
    reduction = _check_reduction(reduction, "l1_loss", size_average, reduce)
    _warn_if_broadcast(input, target)
    return _reduce(ops.abs(input - target), reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0, size_average: Any = None, reduce: Any = None) -> Tensor:
    """Squared below ``beta`` (divided by beta), absolute above it."""
    reduction = _check_reduction(reduction, "smooth_l1_loss", size_average, reduce)
    _warn_if_broadcast(input, target)
    diff = ops.abs(input - target)
    if beta == 0:
        return _reduce(diff, reduction)
    loss = ops.where(diff < beta, 0.5 * diff * diff / beta, diff - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0) -> Tensor:
    """Squared below ``delta``, linear above it (smooth_l1_loss scaled by delta)."""
    _check_reduction(reduction, "huber_loss")
    _warn_if_broadcast(input, target)
    diff = ops.abs(input - target)
    loss = ops.where(diff < delta, 0.5 * diff * diff, delta * (diff - 0.5 * delta))
    return _reduce(loss, reduction)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         reduction: str = "mean", size_average: Any = None,
                         reduce: Any = None) -> Tensor:
    """Cross-entropy of probabilities in [0, 1]; logs are clamped at -100 as in PyTorch."""
    reduction = _check_reduction(reduction, "binary_cross_entropy", size_average, reduce)
    _check_same_shape(input, target, "binary_cross_entropy")
    p = input._data
    if p.size and (np.nanmin(p) < 0 or np.nanmax(p) > 1):
        raise RuntimeError("binary_cross_entropy: input must be probabilities in [0, 1]; for "
                           "raw scores use binary_cross_entropy_with_logits")
    t = target._data.astype(p.dtype, copy=False)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100)
        log_1mp = np.maximum(np.log1p(-p), -100)
    loss = -(t * log_p + (1 - t) * log_1mp)
    w = None if weight is None else np.broadcast_to(weight._data, p.shape)
    if w is not None:
        loss = loss * w
    out, upstream = _reduce_fused(loss, reduction, p.size)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        scale = upstream(g)
        grad = (p - t) / np.maximum(p * (1 - p), 1e-12) * scale
        # The target's gradient (PyTorch gives one): d/dt = log(1 - p) - log(p), clamped logs.
        grad_t = ((log_1mp - log_p) * scale).astype(target._data.dtype) \
            if target._requires_grad else None
        if w is not None:
            grad, grad_t = grad * w, (None if grad_t is None else grad_t * w)
        return grad, grad_t

    # The rule reads the target and weight too: an in-place change of them must raise (PyTorch).
    return Tensor._op(np.asarray(out, dtype=p.dtype), (input, target), backward, "BceBackward",
                      saved=lambda _: [t for t in (input, target, weight) if t is not None])


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None, size_average: Any = None,
                                     reduce: Any = None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable step; the gradient is sigmoid(x) - target."""
    reduction = _check_reduction(reduction, "binary_cross_entropy_with_logits", size_average,
                                 reduce)
    _check_same_shape(input, target, "binary_cross_entropy_with_logits")
    input = float_operand(input)
    x = input._data
    t = target._data.astype(x.dtype, copy=False)
    log_weight = 1.0 if pos_weight is None else 1 + (pos_weight._data - 1) * t
    # log(1 + exp(-x)) without overflow for either sign of x.
    softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)
    loss = (1 - t) * x + log_weight * softplus_neg
    w = None if weight is None else np.broadcast_to(weight._data, x.shape)
    if w is not None:
        loss = loss * w
    out, upstream = _reduce_fused(loss, reduction, x.size)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        scale = upstream(g)
        with np.errstate(over="ignore"):
            sig_neg = 1 / (1 + np.exp(x))  # sigmoid(-x)
        grad = ((1 - t) - log_weight * sig_neg) * scale
        grad_t = None
        if target._requires_grad:  # d/dt = -x + (pos_weight - 1) * softplus(-x)
            pos_minus_one = 0.0 if pos_weight is None else pos_weight._data - 1
            grad_t = ((-x + pos_minus_one * softplus_neg) * scale).astype(target._data.dtype)
        if w is not None:
            grad, grad_t = grad * w, (None if grad_t is None else grad_t * w)
        return grad, grad_t

    return Tensor._op(np.asarray(out, dtype=x.dtype), (input, target), backward,
                      "BceWithLogitsBackward",
                      saved=lambda _: [t for t in (input, target, weight, pos_weight)
                                       if t is not None])
